"""Who made a change: accounts on the web, the operating-system user on the command line."""

from __future__ import annotations

import getpass
import io
import sys
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.contrib import admin

from tests.cast import Cast
from tests.conftest import Run
from tutela.accounts.models import SecurityEvent, SecurityEventKind
from tutela.core.admin import LogEntryAdmin
from tutela.core.audit import CommandLineUser, audited, command_line_user
from tutela.people.models import Code, Contact
from tutela.people.services import create_contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def alice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")


def test_the_command_line_user_is_the_operating_system_user() -> None:
    assert command_line_user() == CommandLineUser("alice")
    assert str(command_line_user()) == "alice (command line)"


def test_a_change_made_as_the_command_line_user_names_them_in_the_log_entry() -> None:
    with audited(command_line_user()):
        contact = create_contact(actor=command_line_user(), last_name="Ng")
    entry = LogEntry.objects.get_for_object(contact).get()
    assert entry.actor is None
    assert entry.additional_data == {"actor": "alice (command line)"}


def test_outside_the_command_line_context_nothing_is_added() -> None:
    with audited(command_line_user()):
        pass
    contact = Contact.objects.create(last_name="Ng")
    assert LogEntry.objects.get_for_object(contact).get().additional_data is None


def test_an_account_actor_wins_over_the_command_line_name(cast: Cast) -> None:
    with audited(command_line_user()), audited(cast.dana):
        contact = Contact.objects.create(last_name="Ng")
    entry = LogEntry.objects.get_for_object(contact).get()
    assert entry.actor == cast.dana
    assert not (entry.additional_data or {}).get("actor")


def test_the_audit_log_admin_shows_the_command_line_user_instead_of_system() -> None:
    with audited(command_line_user()):
        contact = create_contact(actor=command_line_user(), last_name="Ng")
    plain = Contact.objects.create(last_name="Oh")
    page = admin.site._registry[LogEntry]
    assert isinstance(page, LogEntryAdmin)
    assert page.user_url(LogEntry.objects.get_for_object(contact).get()) == "alice (command line)"
    assert page.user_url(LogEntry.objects.get_for_object(plain).get()) == "system"


def test_accounts_disable_on_the_command_line_names_the_user(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    run = tutela("accounts", "disable", "hana.hill")
    assert run.code == 0, run.err
    entry = LogEntry.objects.get_for_object(cast.hana).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict == {"is_active": ["True", "False"]}
    assert entry.additional_data == {"actor": "alice (command line)"}
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ACCOUNT_DISABLED)
    assert (event.actor, event.actor_name) == (None, "alice (command line)")


def test_accounts_set_password_on_the_command_line_names_the_user(
    cast: Cast, tutela: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough temporary one\n"))
    run = tutela("accounts", "set-password", "--temporary", "hana.hill")
    assert run.code == 0, run.err
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TEMPORARY_PASSWORD_SET)
    assert event.actor_name == "alice (command line)"
    entries = LogEntry.objects.get_for_object(cast.hana).filter(action=LogEntry.Action.UPDATE)
    assert entries.exists()
    assert all(e.additional_data == {"actor": "alice (command line)"} for e in entries)
    assert "a long enough temporary one" not in str(list(entries.values_list("changes")))


def test_codesets_add_on_the_command_line_names_the_user(tutela: Callable[..., Run]) -> None:
    run = tutela("codesets", "add", "Gender", "U", "--name", "Unknown")
    assert run.code == 0, run.err
    code = Code.objects.get(code="U")
    entry = LogEntry.objects.get_for_object(code).get()
    assert entry.additional_data == {"actor": "alice (command line)"}


def test_a_web_actor_is_recorded_by_name_too(cast: Cast) -> None:
    from tutela.accounts.services import disable_account

    disable_account(actor=cast.dana, account=cast.hana)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ACCOUNT_DISABLED)
    assert (event.actor, event.actor_name) == (cast.dana, "dana")


def test_a_change_after_a_nested_service_call_keeps_the_actor(cast: Cast) -> None:
    with audited(cast.dana):
        inner = create_contact(actor=cast.dana, last_name="Ng")
        after = Contact.objects.create(last_name="Oh")
    for contact in (inner, after):
        assert LogEntry.objects.get_for_object(contact).get().actor == cast.dana


def test_another_actor_nested_inside_gives_the_outer_one_back(cast: Cast) -> None:
    with audited(cast.dana):
        inner = create_contact(actor=cast.hana, last_name="Ng")
        after = Contact.objects.create(last_name="Oh")
    outside = Contact.objects.create(last_name="Pi")
    assert LogEntry.objects.get_for_object(inner).get().actor == cast.hana
    assert LogEntry.objects.get_for_object(after).get().actor == cast.dana
    assert LogEntry.objects.get_for_object(outside).get().actor is None


def test_a_change_without_an_actor_is_refused() -> None:
    with pytest.raises(TypeError, match="command_line_user"), audited(None):  # type: ignore[arg-type]
        Contact.objects.create(last_name="Ng")
    assert not Contact.objects.exists()
