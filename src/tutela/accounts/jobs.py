"""Putting account work on the background queue: the one place in accounts that knows it.

A password reset's email is sent after the response, by the worker: building the link and
talking to the mail server in the request made one for an existing account take 79 ms against
61 ms for one that does not exist (medians of 200), which told an attacker who has an account.
The request itself does the same work either way (``resolve_reset_request``) and queues the
rest.
"""

from __future__ import annotations

from django.db import transaction

from tutela.accounts import tasks
from tutela.accounts.services import resolve_reset_request


def queue_password_reset(*, identifier: str, ip: str | None) -> None:
    """Resolve the request now; send the link (or not) on the queue once this commits."""
    request = resolve_reset_request(identifier)
    transaction.on_commit(
        lambda: tasks.password_reset_task(request.account_id, request.recorded, ip)
    )
