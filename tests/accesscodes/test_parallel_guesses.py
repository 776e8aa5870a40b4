"""Parallel wrong codes from one address, or by one account, on PostgreSQL: each entry counts
the failures and records its own in one step under a lock, so no more than the limit of codes
is ever looked at, however many arrive at once (READ COMMITTED alone let 30 to 36 of 40 through).
On SQLite write transactions are one at a time anyway."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tutela.accesscodes.models import AttemptOutcome, AttemptPurpose, CodeAttempt
from tutela.accesscodes.services.redemption import AccessCodeError, redeem_code
from tutela.accounts.models import Account

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the race is PostgreSQL's READ COMMITTED"
    ),
]
GUESSES = 40
LIMIT = 10


def burst(guess: Callable[[int], object]) -> None:
    """``GUESSES`` threads, each with its own connection, released together."""
    start = threading.Barrier(GUESSES)

    def one(n: int) -> None:
        try:
            start.wait()
            guess(n)
        except AccessCodeError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert CodeAttempt.objects.count() == GUESSES


def looked_at() -> int:
    """Entries whose code was looked up (the rest were refused unread)."""
    return CodeAttempt.objects.exclude(
        outcome__in=(AttemptOutcome.REFUSED, AttemptOutcome.BLOCKED)
    ).count()


def test_parallel_wrong_codes_from_one_address_get_at_most_the_limit_looked_at(
    settings: Any,
) -> None:
    settings.ACCESS_CODE_MAX_FAILURES = LIMIT
    settings.ACCESS_CODE_BURST_CODES = 0  # the hourly limit alone
    burst(
        lambda n: redeem_code(
            entry=f"WRONG{n:04d}",
            purpose=AttemptPurpose.REGISTER,
            remote_address="203.0.113.9",
        )
    )
    assert looked_at() == LIMIT


def test_parallel_wrong_codes_by_one_account_get_at_most_the_limit_looked_at(
    settings: Any,
) -> None:
    settings.ACCESS_CODE_MAX_FAILURES = LIMIT
    settings.ACCESS_CODE_BURST_CODES = 0
    account = Account.objects.create(username="parent@example.org")
    burst(
        lambda n: redeem_code(
            entry=f"WRONG{n:04d}",
            purpose=AttemptPurpose.ADD_CHILD,
            remote_address=f"198.51.100.{n + 1}",  # from many addresses
            account=account,
        )
    )
    assert looked_at() == LIMIT
