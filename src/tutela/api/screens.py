"""The staff screen of one's own API tokens (``/staff/api-tokens/``): make one (shown once, on
the page that made it), see when each was last used, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.api.tokens import NAME_MAX, TokenError, create_token, revoke_token, tokens_visible_to


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=NAME_MAX,
        help_text="what will use it, such as a nightly sync",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, account: Account) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = create_token(actor=account, account=account, name=form.cleaned_data["name"])
        except TokenError as problem:
            form.add_error("name", str(problem))
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "made": made, "tokens": tokens_visible_to(actor=account)},
    )


@staff_required
@require_POST
def revoke(request: HttpRequest, account: Account, token_id: int) -> HttpResponse:
    token = get_object_or_404(tokens_visible_to(actor=account), pk=token_id)
    try:
        revoke_token(actor=account, token=token)
    except TokenError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"The token {token.name!r} is revoked: it works no more.")
    return redirect("api-tokens:list")
