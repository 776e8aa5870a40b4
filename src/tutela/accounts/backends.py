"""Signing in with a username or an account email, in any case.

Parents remember the address they gave the school better than a username, so both work. The
lockout key (django-axes) is the account's username whichever of the two was typed, so that
switching between them does not buy an attacker more guesses.

What was typed is kept (in security events and lockout records) only when it names an
account: people type their password into the username box, and that must not sit in the
database in clear. Anything else is kept as a keyed digest, enough to count repeats.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from tutela.accounts.models import Account
from tutela.core.prepared import PreparedQuery

# The signed-in account with its contact, read on every request: the page's language and the
# portal's students both start from the contact.
_SIGNED_IN = PreparedQuery(lambda pk: Account.objects.select_related("contact").filter(pk=pk), int)


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


def unknown_identifier(typed: str) -> str:
    """The keyed digest (HMAC with the secret key) kept for a name that is no account's."""
    typed = (typed or "").strip().lower()
    if not typed:
        return ""
    return "unknown:" + salted_hmac("tutela.accounts.identifier", typed).hexdigest()[:32]


def recorded_identifier(typed: str, account: Account | None = None) -> str:
    """What a record keeps of ``typed``: itself when it names an account, else its digest."""
    typed = (typed or "").strip()
    if not typed or account is not None or find_account(typed) is not None:
        return typed
    return unknown_identifier(typed)


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """django-axes' key for "this account": the username of the account the identifier names."""
    identifier = ""
    if credentials:
        identifier = str(credentials.get("username") or "")
    elif request is not None:
        identifier = str(request.POST.get("username", ""))
    account = find_account(identifier)
    return account.username.lower() if account else unknown_identifier(identifier)


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

    def get_user(self, user_id: Any) -> Account | None:
        """The signed-in account with its contact, in the one prepared query every request
        makes."""
        try:
            found = _SIGNED_IN(int(user_id))
        except (ValueError, TypeError):
            return None
        return found[0] if found and self.user_can_authenticate(found[0]) else None
