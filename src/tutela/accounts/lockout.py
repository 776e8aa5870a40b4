"""The sign-in lockout (django-axes), counted and decided in one atomic step.

django-axes checks the lockout before the password and counts a failure after it: a burst of
parallel guesses all pass the check before the first failure is counted, so many more than
``TUTELA_LOCKOUT_FAILURES`` passwords get checked. Here an attempt is counted *before* its
password is checked, under a lock per account and per address (PostgreSQL: advisory locks;
SQLite: its one writer at a time), and a successful sign-in clears the count as before
(``AXES_RESET_ON_SUCCESS``). So at most the limit of passwords are ever checked, however many
guesses arrive at once.

Attempt records keep no emailed link's token: the path of a link is stored with ``[token]``.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest

from tutela.core.log_filters import path_without_tokens

COUNTED = "tutela_attempt_counted"


def lock_attempts(*keys: str) -> None:
    """Serialise attempts on the same keys until the transaction ends. SQLite needs nothing:
    Tutela opens its write transactions IMMEDIATE, one at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):  # always in the same order: no deadlock between two
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


class AtomicLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, counting each sign-in attempt before its password."""

    def is_allowed(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        self._hide_tokens(request)
        if credentials is None or getattr(request, COUNTED, False):
            return bool(super().is_allowed(request, credentials))
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        username = get_client_username(request, credentials)
        address = request.axes_ip_address  # type: ignore[attr-defined]
        with transaction.atomic():
            lock_attempts(f"sign-in:account:{username}", f"sign-in:address:{address}")
            if self.is_locked(request, credentials):
                return False
            self._count(request, username)
        setattr(request, COUNTED, True)
        return True

    @staticmethod
    def _count(request: Any, username: str) -> None:
        attempt, created = AccessAttempt.objects.get_or_create(
            username=username,
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
            defaults={
                "get_data": "",
                "post_data": "",
                "http_accept": request.axes_http_accept,
                "path_info": request.axes_path_info,
                "failures_since_start": 1,
                "attempt_time": request.axes_attempt_time,
            },
        )
        if not created:
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                failures_since_start=F("failures_since_start") + 1,
                attempt_time=request.axes_attempt_time,
            )

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None or not getattr(request, COUNTED, False):
            if request is not None:
                self._hide_tokens(request)
            super().user_login_failed(sender, credentials, request, **kwargs)
            return
        # Already counted before the password was checked: only the lockout is decided here.
        failures = self.get_failures(request, credentials)
        request.axes_failures_since_start = failures  # type: ignore[attr-defined]
        if failures >= get_failure_limit(request, credentials):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        self._hide_tokens(request)
        super().user_logged_in(sender, request, user, **kwargs)

    @staticmethod
    def _hide_tokens(request: Any) -> None:
        if getattr(request, "axes_path_info", None):
            request.axes_path_info = path_without_tokens(request.axes_path_info)
