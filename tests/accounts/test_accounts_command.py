"""``tutela accounts create|set-password|disable|enable``."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest
from django.core.mail import EmailMessage
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.cast import Cast
from tests.conftest import Run
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.services import add_email

pytestmark = pytest.mark.django_db


def test_create_defaults_to_the_primary_email_as_username_and_email(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    run = tutela("accounts", "create", str(cast.una_contact.pk))
    assert run.code == 0, run.err
    account = Account.objects.get(contact=cast.una_contact)
    assert (account.username, account.email, account.is_active) == (
        "una@example.org",
        "una@example.org",
        True,
    )
    assert "Created account una@example.org" in run.out


def test_create_takes_a_username_and_another_email(cast: Cast, tutela: Callable[..., Run]) -> None:
    add_email(actor=command_line_user(), contact=cast.una_contact, address="una.work@example.org")
    run = tutela(
        "accounts",
        "create",
        str(cast.una_contact.pk),
        "--username",
        "una",
        "--email",
        "una.work@example.org",
    )
    assert run.code == 0, run.err
    assert Account.objects.get(username="una").email == "una.work@example.org"


def test_create_with_send_activation_sends_the_link(
    cast: Cast,
    tutela: Callable[..., Run],
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = tutela("accounts", "create", str(cast.una_contact.pk), "--send-activation")
    assert run.code == 0, run.err
    assert [m.to for m in mailoutbox] == [["una@example.org"]]
    token_path = mailoutbox[0].body.split("/accounts/activate/")[1].split("/")[0]
    assert token_path not in run.out and token_path not in run.err


def test_create_reports_a_taken_username_in_the_seeds_words(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    run = tutela("accounts", "create", str(cast.una_contact.pk), "--username", "HANA.hill")
    assert run.code == 2
    assert run.err == "tutela: Username not available\n"


def test_create_reports_an_email_in_use_in_the_seeds_words(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    add_email(actor=command_line_user(), contact=cast.una_contact, address="leo@example.org")
    run = tutela("accounts", "create", str(cast.una_contact.pk), "--email", "leo@example.org")
    assert run.code == 2
    assert run.err == (
        "tutela: The account email address is already in use by another access account\n"
    )


def test_create_for_an_unknown_contact_exits_2(cast: Cast, tutela: Callable[..., Run]) -> None:
    run = tutela("accounts", "create", "999999")
    assert run.code == 2 and run.err.count("\n") == 1


def test_set_password_reads_standard_input_and_makes_it_temporary(
    cast: Cast, tutela: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("river stones sing\n"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    run = tutela("accounts", "set-password", "Hana.Hill", "--temporary")
    assert run.code == 0, run.err
    assert "river stones sing" not in run.out + run.err
    cast.hana.refresh_from_db()
    assert cast.hana.check_password("river stones sing") and cast.hana.must_change_password


def test_set_password_refuses_a_weak_password(
    cast: Cast, tutela: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("password\n"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    run = tutela("accounts", "set-password", "hana.hill", "--temporary")
    assert run.code == 2 and "too common" in run.err
    assert "password\n" not in run.err.split(":", 1)[0]


def test_set_password_requires_temporary(cast: Cast, tutela: Callable[..., Run]) -> None:
    run = tutela("accounts", "set-password", "hana.hill")
    assert run.code == 2 and "--temporary" in run.err


def test_disable_and_enable(cast: Cast, tutela: Callable[..., Run]) -> None:
    assert tutela("accounts", "disable", "hana.hill").code == 0
    cast.hana.refresh_from_db()
    assert not cast.hana.is_active
    assert tutela("accounts", "enable", "HANA.HILL").code == 0
    cast.hana.refresh_from_db()
    assert cast.hana.is_active


def test_an_unknown_username_exits_2_with_one_line(cast: Cast, tutela: Callable[..., Run]) -> None:
    run = tutela("accounts", "disable", "nobody")
    assert run.code == 2 and run.err == "tutela: no account with username 'nobody'\n"


def test_a_missing_action_exits_2(cast: Cast, tutela: Callable[..., Run]) -> None:
    assert tutela("accounts").code == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_create_says_the_account_exists_when_the_activation_email_cannot_be_sent(
    cast: Cast, tutela: Callable[..., Run], settings: Settings
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.test_first_sign_in.BrokenMail"
    run = tutela("accounts", "create", str(cast.una_contact.pk), "--send-activation")
    assert run.code == 2
    assert run.err.count("\n") == 1
    assert "created" in run.err and "could not be sent" in run.err
    assert Account.objects.filter(contact=cast.una_contact).exists()
