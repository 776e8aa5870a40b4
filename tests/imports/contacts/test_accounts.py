"""The Contact Access section of the seed page, and rules 2, 5, 14 and 15."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import Settings

from tests.conftest import Run
from tests.imports.contacts.conftest import errors_of
from tutela.accounts.models import Account
from tutela.people.models import Contact

pytestmark = pytest.mark.django_db

H = [
    "Identifier",
    "LastName",
    "StudentNumber",
    "AllowDataAccess",
    "Access Account User Name",
    "Access Account Email Address",
    "Is Access Account Enabled",
    "StateGuardianNumber",
]


def row(ident: str, username: str = "", email: str = "", **values: str) -> list[str]:
    cells = dict.fromkeys(H, "")
    cells.update(
        {
            "Identifier": ident,
            "LastName": ident,
            "StudentNumber": "1001",
            "Access Account User Name": username,
            "Access Account Email Address": email,
        }
    )
    cells.update(values)
    return [cells[h] for h in H]


def test_an_account_is_created_enabled_without_a_password(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H, row("Lee", "ann.lee", "ann@example.org", AllowDataAccess="1", StateGuardianNumber="G7")
    )
    assert run.code == 0, run.out
    account = Account.objects.get()
    assert account.contact == Contact.objects.get()
    assert (account.username, account.email, account.is_active) == (
        "ann.lee",
        "ann@example.org",
        True,
    )
    assert account.state_guardian_number == "G7"
    assert not account.has_usable_password()
    assert account.is_imported


def test_is_access_account_enabled_zero_creates_a_disabled_account(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Lee", "ann", "ann@example.org", **{"Is Access Account Enabled": "0"}))
    assert Account.objects.get().is_active is False


def test_the_account_email_is_required_to_create_an_account(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Lee", "ann"))
    assert errors_of(report) == [
        "Access Account Email Address is required to create an access account"
    ]


def test_account_fields_without_a_username_cannot_create_an_account(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Lee", "", "ann@example.org"))
    assert errors_of(report) == ["Access Account User Name is required to create an access account"]


def test_is_access_account_enabled_alone_on_a_contact_without_an_account_is_ignored(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """A district's file carries the flag (default 1) on contacts that have no account."""
    for flag in ("1", "0"):
        run, report = import_rows(H, row(f"Lee{flag}", **{"Is Access Account Enabled": flag}))
        assert run.code == 0, report
    assert Contact.objects.count() == 2
    assert not Account.objects.exists()
    _run, report = import_rows(H, row("Ray", **{"Is Access Account Enabled": "maybe"}))
    assert errors_of(report) == [
        "Is Access Account Enabled 'maybe': is not a yes/no value "
        "(use 1, true, t, yes, y or 0, false, f, no, n)"
    ]


def test_a_new_account_needs_a_student(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Lee", "ann", "ann@example.org", StudentNumber=""))
    assert errors_of(report) == [
        "Access Account User Name 'ann': a new access account needs the contact linked to at "
        "least one student"
    ]


def test_a_taken_username_ignoring_case_is_not_available(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    Account.objects.create(username="Ann", email="other@example.org")
    _run, report = import_rows(H, row("Lee", "ANN", "ann@example.org"))
    assert errors_of(report) == ["Access Account User Name 'ANN': Username not available"]
    assert Account.objects.count() == 1


def test_the_earlier_group_wins_a_new_username(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(
        H, row("Lee", "ann", "a@example.org"), row("Ray", "Ann", "b@example.org")
    )
    assert [r["status"] for r in report["rows_report"]] == ["imported", "rejected"]
    assert report["rows_report"][1]["errors"] == [
        "Access Account User Name 'Ann': Username not available"
    ]


def test_an_account_email_in_use_by_another_account_is_rejected(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    Account.objects.create(username="someone", email="Ann@Example.org")
    _run, report = import_rows(H, row("Lee", "ann", "ann@example.org"))
    assert errors_of(report) == [
        "Access Account Email Address 'ann@example.org': The account email address is already "
        "in use by another access account"
    ]


def test_a_username_may_not_be_another_accounts_email(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """Parents sign in with either, so each spelling names one account only."""
    Account.objects.create(username="someone", email="Ann@Example.org")
    _run, report = import_rows(H, row("Lee", "ann@example.org", "lee@example.org"))
    assert errors_of(report) == [
        "Access Account User Name 'ann@example.org': Username not available"
    ]


def test_an_account_email_may_not_be_another_accounts_username(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(
        H, row("Lee", "boss@example.org", "lee@example.org"), row("Ray", "ray", "BOSS@example.org")
    )
    assert [r["status"] for r in report["rows_report"]] == ["imported", "rejected"]
    assert report["rows_report"][1]["errors"] == [
        "Access Account Email Address 'BOSS@example.org': The account email address is already "
        "in use by another access account"
    ]


def test_an_account_may_sign_in_with_its_email_as_its_username(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(H, row("Lee", "lee@example.org", "LEE@example.org"))
    assert run.code == 0
    assert Account.objects.get().username == "lee@example.org"


def test_an_existing_account_is_updated(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Lee", "ann", "ann@example.org"))
    contact = Contact.objects.get()
    run, report = import_rows(
        ["ID", "Access Account User Name", "Is Access Account Enabled", "StateGuardianNumber"],
        [contact.pk, "ann.lee", "0", "G1"],
    )
    assert run.code == 0 and report["contacts_updated"] == 1
    account = Account.objects.get()
    assert (account.username, account.email, account.is_active, account.state_guardian_number) == (
        "ann.lee",
        "ann@example.org",
        False,
        "G1",
    )


def test_two_contacts_may_swap_usernames_in_one_file(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Lee", "ann", "ann@example.org"), row("Ray", "ray", "ray@example.org"))
    lee, ray = Contact.objects.get(last_name="Lee"), Contact.objects.get(last_name="Ray")
    run, report = import_rows(
        ["ID", "Access Account User Name"], [lee.pk, "tmp"], [ray.pk, "ann"], [lee.pk, "tmp"]
    )
    assert run.code == 0, report
    assert Account.objects.get(contact=ray).username == "ann"


def test_clear_in_the_username_or_account_email_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Lee", "ann", "ann@example.org"))
    contact = Contact.objects.get()
    _run, report = import_rows(
        ["ID", "Access Account User Name", "Access Account Email Address"],
        [contact.pk, "#clear", "#clear"],
    )
    assert errors_of(report) == [
        "Access Account User Name '#clear': this value is required and cannot be cleared",
        "Access Account Email Address '#clear': this value is required and cannot be cleared",
    ]


def test_delete_in_the_username_deletes_the_account(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Lee", "ann", "ann@example.org"))
    contact = Contact.objects.get()
    run, _ = import_rows(["ID", "Access Account User Name"], [contact.pk, "#delete"])
    assert run.code == 0
    assert not Account.objects.exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_deleted_account_frees_its_username_for_a_later_group(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Lee", "ann", "ann@example.org"))
    contact = Contact.objects.get()
    run, report = import_rows(
        [
            "ID",
            "Identifier",
            "LastName",
            "StudentNumber",
            "Access Account User Name",
            "Access Account Email Address",
        ],
        [contact.pk, "", "", "", "#delete", ""],
        ["", "P2", "Ray", "1001", "ann", "ann@example.org"],
    )
    assert run.code == 0, report
    linked = Account.objects.get().contact
    assert linked is not None and linked.last_name == "Ray"


def test_allow_data_access_needs_an_access_account(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Lee", AllowDataAccess="1"))
    assert errors_of(report) == [
        "AllowDataAccess 'true': the contact has no access account (add Access Account User "
        "Name to create one)"
    ]


def test_allow_data_access_is_fine_when_the_group_creates_the_account(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(H, row("Lee", "ann", "ann@example.org", AllowDataAccess="y"))
    assert run.code == 0


def test_a_username_with_spaces_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Lee", "ann lee", "ann@example.org"))
    assert errors_of(report) == [
        "Access Account User Name 'ann lee': may hold only letters, digits and @ . + - _"
    ]


def test_the_districts_default_password_is_given_to_imported_accounts(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], settings: Settings
) -> None:
    settings.TUTELA_IMPORTED_DEFAULT_PASSWORD = "welcome to grand bend"
    run, _ = import_rows(H, row("Lee", "ann.lee", "ann@example.org", AllowDataAccess="1"))
    assert run.code == 0, run.out
    account = Account.objects.get()
    assert account.check_password("welcome to grand bend")
    assert account.must_change_password
