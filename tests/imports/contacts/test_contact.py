"""The Contact (person) section of the seed page and rules 1-6 and 16 of the issue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.codes import code_of
from tests.conftest import Run
from tests.imports.contacts.conftest import errors_of
from tutela.people.models import Contact, ContactEmail

pytestmark = pytest.mark.django_db


def statuses(report: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(r["row"], r["group"], r["status"]) for r in report["rows_report"]]


def test_rows_with_the_same_identifier_form_one_contact(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "EmailAddress"],
        ["P1", "Lee", "a@example.org"],
        ["P2", "Ray", ""],
        ["P1", "", "b@example.org"],
    )
    assert run.code == 0, run.out
    assert (report["groups"], report["contacts_added"]) == (2, 2)
    lee = Contact.objects.get(last_name="Lee")
    assert sorted(lee.emails.values_list("address", flat=True)) == [
        "a@example.org",
        "b@example.org",
    ]


def test_groups_are_applied_in_the_order_of_their_first_row(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(["Identifier", "LastName"], ["P2", "Second"], ["P1", "First"], ["P2", "Second"])
    assert list(Contact.objects.order_by("pk").values_list("last_name", flat=True)) == [
        "Second",
        "First",
    ]


def test_a_row_with_an_id_is_keyed_by_it_and_its_identifier_is_ignored(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    run, report = import_rows(
        ["Identifier", "ID", "FirstName"],
        ["P1", str(contact.pk), "Ann"],
        ["P9", str(contact.pk), "Ann"],
    )
    assert run.code == 0, run.out
    assert statuses(report) == [(2, str(contact.pk), "imported"), (3, str(contact.pk), "imported")]
    assert report["groups"] == 1 and report["contacts_updated"] == 1
    assert Contact.objects.get().first_name == "Ann"


def test_a_row_with_neither_id_nor_identifier_is_its_own_rejected_group(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["Identifier", "LastName"], ["", "Lee"], ["P1", "Ray"])
    assert run.code == 1
    assert report["rows_report"][0] == {
        "row": 2,
        "group": "",
        "status": "rejected",
        "errors": ["ID or Identifier is required"],
        "outcome": "rejected",
    }
    assert (report["groups"], report["rejected_groups"], report["imported_groups"]) == (2, 1, 1)


def test_a_row_with_neither_id_nor_identifier_says_so_beside_its_other_errors(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["LastName", "IsActive"], ["Lee", "maybe"])
    assert run.code == 1
    assert errors_of(report)[0] == "ID or Identifier is required"
    assert errors_of(report)[1].startswith("IsActive 'maybe'")


def test_rows_with_neither_id_nor_identifier_are_separate_groups(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(["Identifier", "LastName"], ["", "Lee"], ["", "Ray"], ["P1", "Kim"])
    assert (report["groups"], report["rejected_groups"], report["imported_groups"]) == (3, 2, 1)


def test_an_identifier_and_an_id_with_the_same_text_are_different_groups(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    run, report = import_rows(
        ["Identifier", "ID", "FirstName", "LastName"],
        ["", str(contact.pk), "Ann", ""],
        [str(contact.pk), "", "Bob", "Ray"],
    )
    assert run.code == 0 and report["groups"] == 2
    assert (report["contacts_added"], report["contacts_updated"]) == (1, 1)


def test_an_id_that_names_no_contact_rejects_its_group(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["ID", "LastName"], ["999", "Lee"], ["999", "Lee"])
    assert run.code == 1
    assert errors_of(report) == ["ID '999' is not a contact"] * 2


def test_last_name_is_required_when_a_group_creates_a_contact(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["Identifier", "LastName", "FirstName"], ["P1", "", "Ann"])
    assert run.code == 1
    assert errors_of(report) == ["LastName is required to add a contact"]
    assert not Contact.objects.exists()


def test_last_name_on_one_related_row_is_enough(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        ["Identifier", "LastName", "FirstName"], ["P1", "", "Ann"], ["P1", "Lee", ""]
    )
    assert run.code == 0
    assert Contact.objects.get().last_name == "Lee"


def test_an_update_by_id_may_leave_last_name_out(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    run, _ = import_rows(["ID", "LastName", "Employer"], [str(contact.pk), "", "Acme"])
    assert run.code == 0
    contact.refresh_from_db()
    assert (contact.last_name, contact.employer) == ("Lee", "Acme")


def test_conflicting_names_on_related_rows_reject_the_group(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "FirstName"], ["P1", "Lee", "Ann"], ["P1", "Lee", "Anne"]
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == ["FirstName 'Anne' conflicts with 'Ann' on row 2"]
    assert report["rows_report"][0]["errors"] == ["not imported because related row 3 has an error"]


def test_a_row_of_a_group_with_several_failing_rows_names_them_all(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(
        ["Identifier", "LastName", "FirstName"],
        ["P1", "Lee", "Ann"],
        ["P1", "Lee", "Anne"],
        ["P1", "Lee", "Anna"],
    )
    assert report["rows_report"][0]["errors"] == [
        "not imported because related rows 3, 4 have errors"
    ]


def test_a_rejected_group_writes_nothing_and_other_groups_are_unaffected(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "EmailAddress"],
        ["P1", "Lee", "ann@example.org"],
        ["P1", "Lee", "not-an-email"],
        ["P2", "Ray", "ray@example.org"],
    )
    assert run.code == 1
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Ray"]
    assert list(ContactEmail.objects.values_list("address", flat=True)) == ["ray@example.org"]
    assert report["rows_report"][1]["errors"][0].startswith(
        "EmailAddress 'not-an-email': is not a valid email address"
    )


def test_codes_match_ignoring_case_and_may_repeat_on_related_rows(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        ["Identifier", "LastName", "Gender", "Prefix", "Suffix"],
        ["P1", "Lee", "f", "mrs", "jr"],
        ["P1", "Lee", "F", "", ""],
    )
    assert run.code == 0, run.out
    contact = Contact.objects.select_related("gender", "prefix", "suffix").get()
    assert (code_of(contact.gender), code_of(contact.prefix), code_of(contact.suffix)) == (
        "F",
        "Mrs",
        "Jr",
    )


def test_an_unknown_code_is_an_error_naming_field_and_value(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["Identifier", "LastName", "Gender"], ["P1", "Lee", "Q"])
    assert run.code == 1
    assert errors_of(report) == ["Gender 'Q': is not a Gender code"]


def test_contact_flags_default_on_create(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(["Identifier", "LastName"], ["P1", "Lee"])
    contact = Contact.objects.get()
    assert (contact.exclude_from_state_reporting, contact.is_active) == (True, False)


def test_true_on_one_row_and_false_on_another_is_a_conflict(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "IsActive"], ["P1", "Lee", "yes"], ["P1", "Lee", "N"]
    )
    assert run.code == 1
    assert "IsActive 'N' conflicts with 'yes' on row 2" in errors_of(report)


def test_a_value_the_file_spells_two_ways_is_named_as_understood(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """Rows keep typed values: where '1' and 'yes' both mean true in the file, the message
    cannot tell which one a row had, so it says what the import understood ('0' is still
    quoted: the file has no other word for false)."""
    run, report = import_rows(
        ["Identifier", "LastName", "IsActive"],
        ["P1", "Lee", "1"],
        ["P1", "Lee", "0"],
        ["P2", "Kim", "yes"],
    )
    assert run.code == 1
    assert "IsActive '0' conflicts with 'true' on row 2" in errors_of(report)
    assert report["rows_report"][2]["status"] == "imported"


@pytest.mark.parametrize("word", ["1", "true", "T", "Yes", "y"])
def test_true_words_in_any_case(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], word: str
) -> None:
    assert import_rows(["Identifier", "LastName", "IsActive"], ["P1", "Lee", word])[0].code == 0
    assert Contact.objects.get().is_active is True


@pytest.mark.parametrize("word", ["0", "FALSE", "f", "No", "n"])
def test_false_words_in_any_case(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], word: str
) -> None:
    run, _ = import_rows(["Identifier", "LastName", "ExcludeFromStateReporting"], ["P1", "L", word])
    assert run.code == 0
    assert Contact.objects.get().exclude_from_state_reporting is False


def test_any_other_boolean_word_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["Identifier", "LastName", "IsActive"], ["P1", "Lee", "maybe"])
    assert run.code == 1
    assert errors_of(report)[0].startswith("IsActive 'maybe': is not a yes/no value")


def test_blank_cells_leave_values_alone(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee", first_name="Ann", employer="Acme")
    run, report = import_rows(["ID", "FirstName", "Employer"], [str(contact.pk), "", ""])
    assert run.code == 0 and report["contacts_updated"] == 0
    contact.refresh_from_db()
    assert (contact.first_name, contact.employer) == ("Ann", "Acme")


def test_clear_clears_an_optional_value(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee", first_name="Ann", employer="Acme")
    run, _ = import_rows(["ID", "Employer", "Gender"], [str(contact.pk), "#clear", "#CLEAR"])
    assert run.code == 0
    contact.refresh_from_db()
    assert (contact.first_name, contact.employer, contact.gender) == ("Ann", "", None)


def test_clear_in_last_name_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    run, report = import_rows(["ID", "LastName"], [str(contact.pk), "#clear"])
    assert run.code == 1
    assert errors_of(report) == ["LastName '#clear': this value is required and cannot be cleared"]
    contact.refresh_from_db()
    assert contact.last_name == "Lee"


def test_a_value_longer_than_its_column_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["Identifier", "LastName"], ["P1", "x" * 101])
    assert run.code == 1
    # The value is named, cut short: a long cell must not make a wall of text.
    assert errors_of(report) == [f"LastName '{'x' * 59}…': is longer than 100 characters"]


def test_delete_on_every_row_deletes_the_contact(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    ContactEmail.objects.create(contact=contact, address="a@example.org", order=1)
    keep = Contact.objects.create(last_name="Ray")
    run, report = import_rows(
        ["ID", "LastName"], [str(contact.pk), "#delete"], [str(contact.pk), "#DELETE"]
    )
    assert run.code == 0 and report["contacts_deleted"] == 1
    assert list(Contact.objects.all()) == [keep]
    assert not ContactEmail.objects.exists()


def test_delete_on_only_some_rows_of_a_contact_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    contact = Contact.objects.create(last_name="Lee")
    run, report = import_rows(
        ["ID", "LastName", "FirstName"],
        [str(contact.pk), "#delete", ""],
        [str(contact.pk), "", "A"],
    )
    assert run.code == 1
    assert report["rows_report"][0]["errors"] == [
        "LastName '#delete' must be on every row of the contact to delete it; "
        "row 3 does not have it"
    ]
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_delete_needs_an_existing_contact(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["Identifier", "LastName"], ["P1", "#delete"])
    assert run.code == 1
    assert errors_of(report) == ["LastName '#delete' needs the ID of an existing contact"]


def test_an_id_that_is_not_a_number_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["ID", "LastName"], ["abc", "Lee"])
    assert run.code == 1
    assert errors_of(report) == ["ID 'abc': is not a whole number"]


@pytest.mark.parametrize(
    "column",
    [
        "ExcludeFromStateReporting",
        "IsActive",
        "Is Access Account Enabled",
        "IsPrimaryEmailAddress",
        "IsSMS",
        "IsPreferred",
        "ContactHasCustody",
        "ContactLivesWith",
        "ContactAllowSchoolPickup",
        "IsEmergencyContact",
        "ContactReceivesMailings",
        "AllowDataAccess",
    ],
)
def test_clear_in_a_yes_no_column_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], column: str
) -> None:
    contact = Contact.objects.create(last_name="Lee", is_active=True)
    run, report = import_rows(["ID", column], [str(contact.pk), "#clear"])
    assert run.code == 1, run.err
    message = f"{column} '#clear': a yes/no value cannot be cleared (use 0 or 1)"
    assert message in errors_of(report)
    contact.refresh_from_db()
    assert contact.is_active is True


def test_an_id_too_big_for_the_database_is_a_row_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(["ID", "LastName"], ["9" * 25, "Lee"])
    assert run.code == 1, run.err
    assert errors_of(report) == [f"ID '{'9' * 25}': is not a valid id"]
