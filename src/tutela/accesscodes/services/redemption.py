"""Redeeming a parent access code, with the guard against guessing.

Every entry is recorded (without what was typed), failures are limited per address and per
account within a window, and a burst of wrong guesses at many different codes blocks the address
for longer. Each entry counts the failures and records its own under an advisory lock per
address and per account (PostgreSQL), so parallel entries never get more than the limit looked
at. Attempt records are committed before a refusal is raised, so callers must not wrap
``redeem_code`` in their own transaction.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from tutela.accesscodes.codes import normalise_entry
from tutela.accesscodes.models import (
    FAILED_OUTCOMES,
    AccessCode,
    AddressBlock,
    AttemptOutcome,
    AttemptPurpose,
    CodeAttempt,
)
from tutela.accounts.lockout import lock_attempts
from tutela.accounts.models import Account
from tutela.people.models import Student

logger = logging.getLogger(__name__)


class AccessCodeError(Exception):
    """A code entry that cannot go further; the message is safe to show to the person."""


class CodesDisabled(AccessCodeError):
    """The district has switched parent access codes off."""


class CodeRefused(AccessCodeError):
    """Too many failed entries: refused without looking at the code, right or wrong."""


class CodeNotAccepted(AccessCodeError):
    """No current code matches what was typed."""


# Redeeming, with the guard against guessing


def _digest(entry: str) -> str:
    """A keyed digest of what was typed: counts distinct guesses without keeping them."""
    canonical = normalise_entry(entry) or " ".join(entry.split()).upper()
    return salted_hmac("tutela.accesscodes.attempt", canonical).hexdigest()[:32]


def _record(
    outcome: AttemptOutcome,
    *,
    purpose: AttemptPurpose,
    remote_address: str | None,
    account: Account | None,
    entry: str = "",
    student: Student | None = None,
) -> CodeAttempt:
    return CodeAttempt.objects.create(
        outcome=outcome,
        purpose=purpose,
        remote_address=remote_address,
        account=account if getattr(account, "pk", None) else None,
        entry_digest=_digest(entry) if entry else "",
        student=student,
    )


def failures_within_window(
    *, remote_address: str | None, account: Account | None, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Failed entries in the current window from this address and by this account."""
    since = (now or timezone.now()) - datetime.timedelta(
        seconds=settings.ACCESS_CODE_FAILURE_WINDOW
    )
    failed = CodeAttempt.objects.filter(created_at__gt=since, outcome__in=FAILED_OUTCOMES)
    by_address = failed.filter(remote_address=remote_address).count() if remote_address else 0
    by_account = failed.filter(account=account).count() if getattr(account, "pk", None) else 0
    return by_address, by_account


def _check_burst(remote_address: str | None, now: datetime.datetime) -> None:
    """Many different codes tried from one address block it for the block time.

    Entries refused by the hourly limit count too: a parent who mistypes stops when told to
    wait, while someone walking the code space keeps sending new codes. So ten wrong codes are
    only the hourly limit (which lifts after the window), and the block is for what follows.
    """
    if not remote_address or not settings.ACCESS_CODE_BURST_CODES:
        return
    since = now - datetime.timedelta(seconds=settings.ACCESS_CODE_BURST_WINDOW)
    distinct = (
        CodeAttempt.objects.filter(
            remote_address=remote_address,
            created_at__gt=since,
            outcome__in=(*FAILED_OUTCOMES, AttemptOutcome.REFUSED),
        )
        .aggregate(n=Count("entry_digest", distinct=True))
        .get("n")
        or 0
    )
    if distinct >= settings.ACCESS_CODE_BURST_CODES:
        AddressBlock.objects.create(
            remote_address=remote_address,
            blocked_until=now + datetime.timedelta(seconds=settings.ACCESS_CODE_BLOCK_SECONDS),
            distinct_failures=distinct,
        )
        logger.warning(
            "access codes: blocked %s after wrong guesses at %d different codes",
            remote_address,
            distinct,
        )


# Said to the parent in their page's language: an error's text is read when it is shown.
TOO_MANY = gettext_lazy(
    "Too many codes that did not work were entered. For your child's safety, code entry is "
    "paused; please try again in an hour or ask the school for help."
)
BLOCKED = gettext_lazy(
    "Code entry from this network is paused because of many wrong codes. Please ask the "
    "school for help."
)
NOT_RECOGNISED = gettext_lazy(
    "That access code was not recognised. Check it against the school's letter."
)
NOT_CURRENT = gettext_lazy("That access code is no longer valid. Ask the school for a new one.")
CODES_OFF = gettext_lazy("Parent access codes are not in use in this district.")


def redeem_code(
    *,
    entry: str,
    purpose: AttemptPurpose,
    remote_address: str | None,
    account: Account | None = None,
) -> AccessCode:
    """The current code a person typed, or ``AccessCodeError`` saying why not.

    Limits are checked before the code is looked at, so once an address or account has used
    up its failures even a right code is refused until the window has passed.
    """
    if not settings.ACCESS_CODES_ENABLED:
        raise CodesDisabled(CODES_OFF)
    now = timezone.now()
    context: dict[str, Any] = {
        "purpose": purpose,
        "remote_address": remote_address,
        "account": account,
    }
    with transaction.atomic():
        # Count and record in one step: under READ COMMITTED, parallel entries would all count
        # the failures before any of them recorded its own (PostgreSQL; SQLite writes one
        # transaction at a time already).
        keys = [f"access-code:address:{remote_address}"] if remote_address else []
        if getattr(account, "pk", None):
            keys.append(f"access-code:account:{account.pk}")  # type: ignore[union-attr]
        lock_attempts(*keys)
        if (
            remote_address
            and AddressBlock.objects.filter(
                remote_address=remote_address, blocked_until__gt=now
            ).exists()
        ):
            _record(AttemptOutcome.BLOCKED, **context)
            refusal: AccessCodeError | None = CodeRefused(BLOCKED)
        else:
            by_address, by_account = failures_within_window(
                remote_address=remote_address, account=account, now=now
            )
            limit = settings.ACCESS_CODE_MAX_FAILURES
            if by_address >= limit or by_account >= limit:
                _record(AttemptOutcome.REFUSED, entry=entry, **context)
                _check_burst(remote_address, now)
                logger.warning(
                    "access codes: refused entry from %s (account %s) after %d failures",
                    remote_address or "unknown address",
                    getattr(account, "pk", None),
                    max(by_address, by_account),
                )
                refusal = CodeRefused(TOO_MANY)
            else:
                refusal = None
        if refusal is None:
            stored = normalise_entry(entry)
            code = (
                AccessCode.objects.select_related("student", "student__school")
                .filter(code=stored)
                .first()
                if stored
                else None
            )
            if code is None:
                _record(AttemptOutcome.WRONG, entry=entry, **context)
                _check_burst(remote_address, now)
                refusal = CodeNotAccepted(NOT_RECOGNISED)
            elif not code.is_usable(now):
                _record(AttemptOutcome.UNUSABLE, entry=entry, student=code.student, **context)
                refusal = CodeNotAccepted(NOT_CURRENT)
            else:
                _record(AttemptOutcome.ACCEPTED, student=code.student, **context)
                return code
    raise refusal
