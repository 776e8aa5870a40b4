"""Signing in with a username or an account email, in any case.

Parents remember the address they gave the school better than a username, so both work. The
lockout key (django-axes) is the account's username whichever of the two was typed, so that
switching between them does not buy an attacker more guesses.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from tutela.accounts.models import Account


def find_account(identifier: str) -> Account | None:
    """The account whose username, else whose account email, is ``identifier`` ignoring case."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    matches = list(
        Account.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))
    )
    for account in matches:
        if account.username.lower() == identifier.lower():
            return account
    return matches[0] if matches else None


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """django-axes' key for "this account": the username of the account the identifier names."""
    identifier = ""
    if credentials:
        identifier = str(credentials.get("username") or "")
    elif request is not None:
        identifier = str(request.POST.get("username", ""))
    account = find_account(identifier)
    return (account.username if account else identifier.strip()).lower()


class UsernameOrEmailBackend(ModelBackend):
    """Django's model backend, finding the account by username or account email."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Account | None:
        if username is None or password is None:
            return None
        account = find_account(username)
        if account is None:
            # Hash anyway, so the answer takes as long whether or not the account exists.
            Account().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None
