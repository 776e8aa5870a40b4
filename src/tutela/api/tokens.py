"""Personal API tokens: made, listed, used and revoked here, for the command and the screen.

A token is ``tutela_`` and 40 random URL-safe characters; only its SHA-256 is stored, so the
token is shown once, to the person who makes it. A token is for a staff member: it acts as
that account, with that account's ``Scope``, and every change made with it is audited with the
person as actor.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor, Scope
from tutela.accounts.services import hash_token
from tutela.api.models import ApiToken
from tutela.core.audit import CommandLineUser, audited
from tutela.people.services import ServiceError

PREFIX = "tutela_"
# Writing the last use on every request would make each call a write: once a minute is enough
# to tell a token in use from a forgotten one.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
NAME_MAX = ApiToken._meta.get_field("name").max_length or 100


class TokenError(ServiceError):
    """A token cannot be made or revoked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    """A token just made: its record, and the token itself (never stored, shown once)."""

    record: ApiToken
    token: str


def _require_over(actor: Actor, account: Account) -> None:
    """Staff make and revoke their own tokens; the command line (the server's administrator)
    those of any staff member."""
    if isinstance(actor, CommandLineUser):
        return
    if not isinstance(actor, Account) or actor.pk != account.pk or not Scope.of(actor).staff:
        raise TokenError("staff members make and revoke their own API tokens only")


def create_token(*, actor: Actor, account: Account, name: str) -> NewToken:
    """A new token for ``account`` (an enabled staff member), named so it can be told apart."""
    _require_over(actor, account)
    name = name.strip()
    if not name:
        raise TokenError("name the token (what will use it)")
    if len(name) > NAME_MAX:
        raise TokenError(f"a token's name is at most {NAME_MAX} characters")
    if not account.is_active or not Scope.of(account).staff:
        raise TokenError(f"{account.username} is not an enabled staff account")
    raw = PREFIX + secrets.token_urlsafe(30)
    try:
        with audited(actor), transaction.atomic():
            record = ApiToken.objects.create(
                account=account,
                name=name,
                prefix=raw[: len(PREFIX) + 4],
                token_hash=hash_token(raw),
            )
    except IntegrityError:
        raise TokenError(f"{account.username} already has a token named {name!r}") from None
    return NewToken(record=record, token=raw)


def revoke_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """The token stops working at once; its record stays, for the audit trail."""
    _require_over(actor, token.account)
    if token.revoked_at is not None:
        raise TokenError(f"the token {token.name!r} is revoked already")
    with audited(actor), transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_visible_to(*, actor: Actor) -> QuerySet[ApiToken]:
    """A staff member's own tokens; every token for the command line."""
    tokens = ApiToken.objects.select_related("account")
    if isinstance(actor, CommandLineUser):
        return tokens
    if not isinstance(actor, Account) or not Scope.of(actor).staff:
        return tokens.none()
    return tokens.filter(account=actor)


def account_of_token(raw: str) -> tuple[Account, ApiToken] | None:
    """The enabled staff account a live token acts as, noting when it was last used."""
    if not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("account")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.account.is_active or not Scope.of(token.account).staff:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        token.save(update_fields=["last_used_at"])
    return token.account, token
