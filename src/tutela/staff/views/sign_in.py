"""The staff sign-in address."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def sign_in(request: HttpRequest) -> HttpResponse:
    """Staff sign in on the same page as parents, then come back here."""
    return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': reverse('staff:home')})}")
