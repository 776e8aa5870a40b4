"""Signing in by username or email, lockout, disabled accounts, and the audit of it all."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from tests.cast import PASSWORD, Cast
from tutela.accounts.backends import unknown_identifier
from tutela.accounts.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def sign_in(
    client: Client, identifier: str, password: str = PASSWORD, **extra: Any
) -> TestResponse:
    return client.post(
        reverse("accounts:sign-in"), {"username": identifier, "password": password}, **extra
    )


@pytest.mark.parametrize(
    "identifier", ["hana.hill", "HANA.Hill", "hana@example.org", "Hana@Example.ORG"]
)
def test_a_parent_signs_in_by_username_or_account_email_in_any_case(
    cast_with_passwords: Cast, identifier: str
) -> None:
    client = Client()
    page = sign_in(client, identifier)
    assert page.status_code == 302
    assert client.get(page["Location"], follow=True).request["PATH_INFO"] == "/portal/"
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SIGNED_IN)
    assert event.account == cast_with_passwords.hana


def test_staff_land_on_the_staff_screens(cast_with_passwords: Cast) -> None:
    client = Client()
    page = sign_in(client, "dana")
    final = client.get(page["Location"], follow=True)
    assert final.request["PATH_INFO"] == reverse("staff:home")


def test_a_wrong_password_fails_and_is_audited(cast_with_passwords: Cast) -> None:
    page = sign_in(Client(), "hana.hill", "not the password at all")
    assert page.status_code == 200
    assert "do not match" in page.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    assert event.identifier == "hana.hill"
    assert event.account == cast_with_passwords.hana
    assert event.ip_address == "127.0.0.1"


def test_an_unknown_name_fails_the_same_way(cast_with_passwords: Cast) -> None:
    page = sign_in(Client(), "nobody@example.org")
    assert page.status_code == 200
    assert "do not match" in page.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    # A name that is no account's is kept as a keyed digest, the same for the same name.
    assert event.account is None and event.identifier == unknown_identifier("NOBODY@example.org")
    assert "nobody" not in event.identifier


def test_a_password_typed_as_the_name_is_never_stored_in_clear(
    cast_with_passwords: Cast, settings: Settings
) -> None:
    secret = "Correct-Horse-Battery-9"
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in(Client(), secret, "x", REMOTE_ADDR="10.7.7.7")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).exists()
    stored = [
        *SecurityEvent.objects.values_list("identifier", flat=True),
        *(str(row) for row in AccessAttempt.objects.values()),
        *(str(row) for row in AccessLog.objects.values()),
    ]
    assert stored and not [text for text in stored if secret.lower() in text.lower()]


def test_the_digest_is_keyed_with_the_secret_key(settings: Settings) -> None:
    before = unknown_identifier("someone")
    settings.SECRET_KEY = "another secret key " * 4
    assert unknown_identifier("someone") != before and before.startswith("unknown:")


def test_a_disabled_account_cannot_sign_in(cast_with_passwords: Cast) -> None:
    cast_with_passwords.hana.is_active = False
    cast_with_passwords.hana.save()
    page = sign_in(Client(), "hana.hill")
    assert page.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_the_account_is_locked_after_repeated_failures_whatever_name_is_typed(
    cast_with_passwords: Cast, settings: Settings
) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        # Alternate username and email, and addresses: it is still one account.
        identifier = "hana.hill" if attempt % 2 else "HANA@example.org"
        sign_in(Client(), identifier, "wrong guess", REMOTE_ADDR=f"10.0.0.{attempt + 1}")
    locked = sign_in(Client(), "hana.hill", REMOTE_ADDR="10.0.1.1")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).exists()
    # Another family's account is not affected.
    assert sign_in(Client(), "leo@example.org", REMOTE_ADDR="10.0.2.1").status_code == 302


def test_an_address_is_locked_after_repeated_failures_across_accounts(
    cast_with_passwords: Cast, settings: Settings
) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), f"guess{attempt}@example.org", "wrong", REMOTE_ADDR="10.9.9.9")
    assert sign_in(Client(), "leo@example.org", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert sign_in(Client(), "leo@example.org", REMOTE_ADDR="10.9.9.8").status_code == 302


def test_sessions_expire(settings: Settings) -> None:
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 60 * 60


def test_signing_out_is_audited(cast_with_passwords: Cast) -> None:
    client = Client()
    sign_in(client, "hana.hill")
    page = client.post(reverse("accounts:sign-out"))
    assert page.status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SIGNED_OUT).exists()
    assert client.get(reverse("portal:home")).status_code == 302


def test_passwords_are_hashed_with_argon2(cast_with_passwords: Cast) -> None:
    assert cast_with_passwords.hana.password.startswith("argon2$")


def test_repeated_failures_slow_down_before_the_lockout(
    cast_with_passwords: Cast, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TUTELA_SIGN_IN_SLOWDOWN_SECONDS = 0.5
    delays: list[float] = []
    monkeypatch.setattr("tutela.accounts.views.time.sleep", delays.append)
    for attempt in range(3):
        sign_in(Client(), "hana.hill", "wrong", REMOTE_ADDR=f"10.0.3.{attempt}")
    assert delays == [0.5, 1.0]


def test_a_session_lasts_the_configured_time(cast_with_passwords: Cast, settings: Settings) -> None:
    client = Client()
    sign_in(client, "hana.hill")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
