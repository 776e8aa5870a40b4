"""Keeping a parent on a temporary password away from everything but changing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# The only pages an account that must change its password may open.
ALLOWED_VIEWS = {"accounts:password-change", "accounts:sign-out"}


class PasswordChangeRequiredMiddleware:
    """Send an account whose password is temporary to the change-password page, whatever it asks.

    A temporary password was chosen by staff or is a district default, so others may know it;
    until it is changed, the account sees no student data at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None
        return redirect("accounts:password-change")
