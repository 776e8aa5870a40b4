"""``/health/live`` and ``/health/ready`` for the load balancer: no data in the answer."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django import Settings


def test_live_answers_without_the_database() -> None:
    # No django_db mark: any query would fail the test.
    page = Client().get("/health/live")
    assert page.status_code == 200 and page.content == b"live\n"


@pytest.mark.django_db
def test_ready_answers_when_the_database_and_the_queue_answer() -> None:
    page = Client().get("/health/ready")
    assert page.status_code == 200 and page.content == b"ready\n"
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]


@pytest.mark.django_db
def test_ready_says_503_and_nothing_more_when_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise OperationalError("could not connect to server at 10.1.2.3: secret detail")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", down)
    page = Client().get("/health/ready")
    assert page.status_code == 503 and page.content == b"not ready\n"


@pytest.mark.django_db
def test_ready_says_503_when_the_queue_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from huey.contrib.djhuey import HUEY

    def down() -> int:
        raise ConnectionError("redis://queue.internal:6379 refused")

    monkeypatch.setattr(HUEY, "pending_count", down)
    page = Client().get("/health/ready")
    assert page.status_code == 503 and page.content == b"not ready\n"


def test_health_answers_only_gets() -> None:
    assert Client().post("/health/live").status_code == 405


def test_the_health_probe_is_not_sent_to_https(settings: Settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/health/live").status_code == 200
    assert Client().get("/accounts/sign-in/").status_code == 301


# The health URLs are public on purpose (a load balancer signs in as nobody): the guard is that
# every visitor, signed in or not, gets the same few bytes and nothing about the district.
URLS = {"health:live": "live\n", "health:ready": "ready\n"}


@pytest.mark.parametrize("who", ["anonymous", "hana", "sam", "dana"])
def test_every_visitor_gets_the_same_answer_with_no_data(cast: object, who: str) -> None:
    from django.urls import reverse

    from tests.cast import Cast, client_as

    assert isinstance(cast, Cast)
    client = client_as(cast, who)
    for name, body in URLS.items():
        page = client.get(reverse(name))
        assert page.status_code == 200 and page.content.decode() == body


def test_a_busy_embedded_database_is_said_as_busy_not_as_an_error() -> None:
    from django.test import RequestFactory

    from tutela.web.views import server_error

    request = RequestFactory().get("/portal/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        busy = server_error(request)
    try:
        raise OperationalError("no such column: nonsense")
    except OperationalError:
        other = server_error(request)
    assert busy.status_code == 503 and busy["Retry-After"] == "5"
    assert b"Tutela is busy" in busy.content
    assert other.status_code == 500
