"""A password-reset request does the same work whether or not the account exists: the link is
made and emailed after the response, by the job queue, so the answer's time tells nothing (the
attack sweep measured 79 ms against 61 ms when the email was sent in the request)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import Cast
from tutela.accounts import tasks
from tutela.accounts.models import AccessToken, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def requested(identifier: str, capture: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the request path did for ``identifier``: its SQL (the typed value masked), what it
    queued, and the emails it sent."""
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks, "password_reset_task", lambda *args: queued.append(args))
    client = Client()
    client.get(reverse("accounts:password-reset"))  # the session and the form, beforehand
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        answer = client.post(reverse("accounts:password-reset"), {"identifier": identifier})
    return {
        "status": answer.status_code,
        "sql": [
            q["sql"].replace(identifier, "?").replace(identifier.lower(), "?") for q in queries
        ],
        "queued": [len(args) for args in queued],
        "emails": len(mail.outbox),
        "tokens": AccessToken.objects.count(),
    }


def test_the_request_path_does_the_same_queries_for_an_account_and_for_no_account(
    cast: Cast, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = requested("hana@example.org", django_capture_on_commit_callbacks, monkeypatch)
    unknown = requested("nobody@example.org", django_capture_on_commit_callbacks, monkeypatch)
    assert known == unknown
    assert known["queued"] == [3] and known["emails"] == 0 and known["tokens"] == 0


def test_the_queued_task_sends_the_link_to_an_account_and_nothing_to_no_account(
    cast: Cast, immediate_queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("accounts:password-reset")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(url, {"identifier": "hana@example.org"})
        Client().post(url, {"identifier": "a password typed in the wrong box"})
    assert [message.to for message in mail.outbox] == [["hana@example.org"]]
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED)
    recorded = sorted(events.values_list("identifier", flat=True))
    assert recorded[0] == "hana@example.org"
    assert recorded[1].startswith("unknown:")  # what was typed is never kept
