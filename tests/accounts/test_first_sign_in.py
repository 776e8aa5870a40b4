"""Activation links, temporary passwords and password reset."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.accounts.conftest import token_of
from tests.cast import PASSWORD, Cast
from tutela.accounts.models import AccessToken, SecurityEvent, SecurityEventKind
from tutela.accounts.services import (
    InvalidLink,
    activate_account,
    hash_token,
    request_password_reset,
    send_activation,
    set_temporary_password,
)
from tutela.core.audit import command_line_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "seven quiet harbours glow"


def choose(client: Client, path: str, password: str = NEW_PASSWORD) -> TestResponse:
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_an_activation_link_lets_the_parent_choose_a_password_once(
    cast: Cast, emailed: Callable[..., str]
) -> None:
    path = emailed(send_activation, actor=cast.dana, account=cast.hana)
    client = Client()
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # opening it (a mail scanner) does not use it
    page = choose(client, path)
    assert page.status_code == 302 and page["Location"] == reverse("accounts:sign-in")
    cast.hana.refresh_from_db()
    assert cast.hana.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.ACTIVATED).exists()
    # Single use: the same link is now refused, and cannot change the password again.
    assert Client().get(path).status_code == 410
    assert choose(Client(), path, "another fine passphrase").status_code == 410
    cast.hana.refresh_from_db()
    assert cast.hana.check_password(NEW_PASSWORD)


def test_only_a_hash_of_the_token_is_stored(cast: Cast, emailed: Callable[..., str]) -> None:
    token = token_of(emailed(send_activation, actor=command_line_user(), account=cast.hana))
    stored = AccessToken.objects.get()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_an_activation_link_expires_after_the_configured_days(
    cast: Cast, emailed: Callable[..., str], settings: Settings
) -> None:
    settings.TUTELA_ACTIVATION_DAYS = 7
    path = emailed(send_activation, actor=command_line_user(), account=cast.hana)
    stored = AccessToken.objects.get()
    assert stored.expires_at - stored.created_at == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=5)
    )
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert Client().get(path).status_code == 410
    with pytest.raises(InvalidLink):
        activate_account(token=token_of(path), password=NEW_PASSWORD)


def test_sending_a_new_link_voids_the_old_one(cast: Cast, emailed: Callable[..., str]) -> None:
    old = emailed(send_activation, actor=command_line_user(), account=cast.hana)
    new = emailed(send_activation, actor=command_line_user(), account=cast.hana)
    assert old != new
    assert Client().get(old).status_code == 410
    assert choose(Client(), new).status_code == 302


def test_a_disabled_accounts_link_does_not_work(cast: Cast, emailed: Callable[..., str]) -> None:
    path = emailed(send_activation, actor=command_line_user(), account=cast.hana)
    cast.hana.is_active = False
    cast.hana.save()
    assert choose(Client(), path).status_code == 410


def test_a_weak_password_is_refused_and_the_link_stays_usable(
    cast: Cast, emailed: Callable[..., str]
) -> None:
    path = emailed(send_activation, actor=command_line_user(), account=cast.hana)
    page = choose(Client(), path, "password")
    assert page.status_code == 200 and "too common" in page.content.decode()
    assert choose(Client(), path).status_code == 302


def test_a_guessed_token_is_refused(cast: Cast) -> None:
    path = reverse("accounts:activate", kwargs={"token": "guessed-token"})
    assert Client().get(path).status_code == 410


def test_a_temporary_password_must_be_changed_before_anything_else(cast: Cast) -> None:
    set_temporary_password(actor=cast.dana, account=cast.hana, password="river stones sing")
    client = Client()
    page = client.post(
        reverse("accounts:sign-in"), {"username": "hana.hill", "password": "river stones sing"}
    )
    assert page.status_code == 302
    change = reverse("accounts:password-change")
    for url in [
        reverse("portal:home"),
        reverse("portal:student", args=[cast.holly.pk]),
        reverse("portal:my-details"),
        reverse("home"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == change, url
    form = client.get(change)
    assert "temporary" in form.content.decode()
    done = client.post(
        change,
        {
            "old_password": "river stones sing",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    cast.hana.refresh_from_db()
    assert not cast.hana.must_change_password
    assert client.get(reverse("portal:home")).status_code == 200  # still signed in
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).exists()


def test_a_password_change_needs_the_current_password(cast: Cast) -> None:
    set_temporary_password(
        actor=command_line_user(), account=cast.hana, password="river stones sing"
    )
    client = Client()
    client.force_login(cast.hana)
    page = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert page.status_code == 200
    cast.hana.refresh_from_db()
    assert cast.hana.must_change_password


def assert_same_reset_answer_for_known_and_unknown() -> None:
    url = reverse("accounts:password-reset")
    known = Client().post(url, {"identifier": "hana@example.org"}, follow=True)
    unknown = Client().post(url, {"identifier": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf_tokens(known.content) == without_csrf_tokens(unknown.content)


def without_csrf_tokens(content: bytes) -> bytes:
    """A page without its forms' CSRF tokens, which differ on every answer (the language
    switch's form is on every page) and tell nothing about the account."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def test_a_reset_request_says_the_same_whether_or_not_the_account_exists(
    cast: Cast, immediate_queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert_same_reset_answer_for_known_and_unknown()
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED)
    assert events.count() == 2


class BrokenMail:
    """An email backend whose server is down."""

    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reset_request_says_the_same_even_when_the_email_cannot_be_sent(
    cast: Cast, settings: Settings, immediate_queue: Any
) -> None:
    # An error page only for known accounts would tell who has one.
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMail"
    assert_same_reset_answer_for_known_and_unknown()


def test_a_reset_link_sets_a_new_password_once(cast: Cast, emailed: Callable[..., str]) -> None:
    path = emailed(request_password_reset, identifier="HANA.HILL")
    assert mail.outbox[-1].to == ["hana@example.org"]
    assert choose(Client(), path).status_code == 302
    cast.hana.refresh_from_db()
    assert cast.hana.check_password(NEW_PASSWORD)
    assert choose(Client(), path, "yet another passphrase").status_code == 410
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET).exists()


def test_no_reset_email_for_unknown_or_disabled_accounts(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    cast.leo.is_active = False
    cast.leo.save()
    with django_capture_on_commit_callbacks(execute=True):
        request_password_reset(identifier="nobody@example.org")
        request_password_reset(identifier="leo@example.org")
    assert mail.outbox == []


def test_imported_users_reset_only_when_the_district_allows(
    cast: Cast,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    cast.hana.is_imported = True
    cast.hana.save()
    settings.TUTELA_IMPORTED_USERS_CAN_RESET_PASSWORD = False
    with django_capture_on_commit_callbacks(execute=True):
        request_password_reset(identifier="hana.hill")
    assert mail.outbox == []
    settings.TUTELA_IMPORTED_USERS_CAN_RESET_PASSWORD = True
    with django_capture_on_commit_callbacks(execute=True):
        request_password_reset(identifier="hana.hill")
    assert len(mail.outbox) == 1


def test_a_reset_link_expires(cast: Cast, emailed: Callable[..., str]) -> None:
    path = emailed(request_password_reset, identifier="hana.hill")
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert choose(Client(), path).status_code == 410


def test_guessing_the_current_password_is_limited_like_signing_in(
    cast_with_passwords: Cast, settings: Any
) -> None:
    client = Client()
    client.force_login(cast_with_passwords.hana)
    url = reverse("accounts:password-change")
    wrong = {
        "old_password": "a guess",
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    answers = [client.post(url, wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT + 2)]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(answers[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}
    failures = SecurityEvent.objects.filter(
        kind=SecurityEventKind.SIGN_IN_FAILED, account=cast_with_passwords.hana
    )
    assert failures.count() == len(answers)
    # Even the right one is refused now, and the password stays as it was.
    right = {**wrong, "old_password": PASSWORD}
    assert client.post(url, right).status_code == 429
    cast_with_passwords.hana.refresh_from_db()
    assert cast_with_passwords.hana.check_password(PASSWORD)


def test_a_right_current_password_clears_the_count(
    cast_with_passwords: Cast, settings: Any
) -> None:
    client = Client()
    client.force_login(cast_with_passwords.hana)
    url = reverse("accounts:password-change")
    for round_ in range(settings.AXES_FAILURE_LIMIT + 1):
        old, new = (PASSWORD, NEW_PASSWORD) if round_ % 2 == 0 else (NEW_PASSWORD, PASSWORD)
        done = client.post(url, {"old_password": old, "new_password1": new, "new_password2": new})
        assert done.status_code == 302
