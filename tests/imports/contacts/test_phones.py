"""The Phone Number section of the seed page, and rules 9 and 10."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.codes import code_of
from tests.conftest import Run
from tests.imports.contacts.conftest import errors_of
from tutela.people.models import Contact, ContactPhone, Phone

pytestmark = pytest.mark.django_db

H = [
    "Identifier",
    "LastName",
    "PhoneNumber",
    "Extension",
    "PhoneTypeCode",
    "PhoneNumberPriorityOrder",
    "IsSMS",
    "IsPreferred",
]


def phones(contact: Contact | None = None) -> list[tuple[str, str, int]]:
    links = ContactPhone.objects.select_related("phone").order_by("priority_order", "pk")
    if contact is not None:
        links = links.filter(contact=contact)
    return [(p.phone.number, p.phone.extension, p.priority_order) for p in links]


def test_priorities_fill_the_gaps_in_file_order_as_the_seed_describes(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        ["P1", "Lee", "212-555-0001", "", "", "", "", ""],
        ["P1", "Lee", "212-555-0002", "", "", "1", "", ""],
        ["P1", "Lee", "212-555-0003", "", "", "", "", ""],
        ["P1", "Lee", "212-555-0004", "", "", "3", "", ""],
    )
    assert run.code == 0
    assert phones() == [
        ("212-555-0002", "", 1),
        ("212-555-0001", "", 2),
        ("212-555-0004", "", 3),
        ("212-555-0003", "", 4),
    ]


def test_a_priority_given_to_a_new_phone_moves_an_existing_one_left_blank(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, ["P1", "Lee", "212-555-0001", "", "", "", "", ""])
    contact = Contact.objects.get()
    run, _ = import_rows(
        ["ID", "PhoneNumber", "PhoneNumberPriorityOrder"],
        [contact.pk, "212-555-0009", "1"],
        [contact.pk, "212-555-0001", ""],
    )
    assert run.code == 0, run.out
    assert phones(contact) == [("212-555-0009", "", 1), ("212-555-0001", "", 2)]


def test_a_priority_given_never_leaves_two_phones_with_one_priority(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(
        H,
        ["P1", "Lee", "212-555-0001", "", "", "", "", ""],
        ["P1", "Lee", "212-555-0002", "", "", "", "", ""],
    )
    contact = Contact.objects.get()
    run, _ = import_rows(
        ["ID", "PhoneNumber", "PhoneNumberPriorityOrder"], [contact.pk, "212-555-0009", "2"]
    )
    assert run.code == 0, run.out
    assert phones(contact) == [
        ("212-555-0001", "", 1),
        ("212-555-0009", "", 2),
        ("212-555-0002", "", 3),
    ]


def test_the_same_priority_on_two_phones_is_a_conflict(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        H,
        ["P1", "Lee", "212-555-0001", "", "", "1", "", ""],
        ["P1", "Lee", "212-555-0002", "", "", "1", "", ""],
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "PhoneNumberPriorityOrder '1' is also used on row 2"
    ]


def test_a_priority_must_be_a_positive_whole_number(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _, report = import_rows(H, ["P1", "Lee", "212-555-0001", "", "", "0", "", ""])
    assert errors_of(report) == ["PhoneNumberPriorityOrder '0': must be a positive whole number"]
    _, report = import_rows(H, ["P1", "Lee", "212-555-0001", "", "", "two", "", ""])
    assert errors_of(report) == ["PhoneNumberPriorityOrder 'two': is not a whole number"]


def test_duplicates_are_recognised_as_written_before_defaults(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        ["P1", "Lee", "212-555-0001", "", "Home", "", "", ""],
        ["P1", "Lee", "(212) 555-0001", "", "Home", "", "", ""],
    )
    assert run.code == 0
    assert phones() == [("212-555-0001", "", 1)]


def test_the_same_number_with_other_types_is_entered_twice(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        ["P1", "Lee", "212-555-0001", "", "Home", "", "", ""],
        ["P1", "Lee", "212-555-0001", "", "Work", "", "", ""],
    )
    assert run.code == 0
    assert len(phones()) == 2 and Phone.objects.count() == 1


def test_extension_markup_in_the_number_is_dropped(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        ["P1", "Lee", "212-555-1234 x123", "", "", "", "", ""],
        ["P2", "Ray", "212-555-1235 ext. 9", "", "", "", "", ""],
    )
    assert run.code == 0
    assert phones() == [("212-555-1234", "", 1), ("212-555-1235", "", 1)]


def test_a_phone_is_shared_by_digits_and_extension(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        ["P1", "Lee", "212-555-1234", "", "", "", "", ""],
        ["P2", "Ray", "(212) 555 1234", "", "", "", "", ""],
        ["P3", "Kim", "212.555.1234", "12", "", "", "", ""],
    )
    assert run.code == 0
    assert Phone.objects.count() == 2
    assert sorted(Phone.objects.values_list("digits", "extension")) == [
        ("2125551234", ""),
        ("2125551234", "12"),
    ]


def test_is_sms_updates_the_shared_phone(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, ["P1", "Lee", "212-555-1234", "", "", "", "", ""])
    run, _ = import_rows(H, ["P2", "Ray", "212-555-1234", "", "", "", "yes", ""])
    assert run.code == 0
    assert Phone.objects.get().is_sms is True


def test_is_preferred_true_on_one_row_and_blank_on_its_twin_is_a_conflict(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        H,
        ["P1", "Lee", "212-555-1234", "", "Home", "1", "", "1"],
        ["P1", "Lee", "212-555-1234", "", "Home", "1", "", ""],
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "PhoneNumber '212-555-1234' is also on row 2 with a different IsSMS or IsPreferred"
    ]


def test_false_on_one_row_and_blank_on_its_twin_is_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """Seed, "Blanks": only a non-default value beside a blank conflicts; false is the default."""
    run, report = import_rows(
        H,
        ["P1", "Lee", "212-555-1234", "", "Home", "1", "0", "0"],
        ["P1", "Lee", "212-555-1234", "", "Home", "1", "", ""],
    )
    assert run.code == 0, report
    assert phones() == [("212-555-1234", "", 1)]


def test_a_false_on_the_twin_of_a_blank_row_is_applied(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, ["P1", "Lee", "212-555-1234", "", "", "", "1", "1"])
    contact = Contact.objects.get()
    run, report = import_rows(
        ["ID", "PhoneNumber", "IsSMS", "IsPreferred"],
        [contact.pk, "212-555-1234", "", ""],
        [contact.pk, "212-555-1234", "no", "no"],
    )
    assert run.code == 0, report
    link = ContactPhone.objects.get()
    assert (link.phone.is_sms, link.is_preferred) == (False, False)


def test_a_number_matching_an_existing_phone_updates_it(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, ["P1", "Lee", "212-555-1234", "", "Home", "", "", ""])
    contact = Contact.objects.get()
    run, report = import_rows(
        ["ID", "PhoneNumber", "PhoneTypeCode", "IsPreferred"],
        [contact.pk, "2125551234", "Work", "1"],
    )
    assert run.code == 0 and report["contacts_updated"] == 1
    link = ContactPhone.objects.get()
    assert (code_of(link.phone_type), link.is_preferred) == ("Work", True)


def test_assoc_id_updates_and_delete_removes(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(
        H,
        ["P1", "Lee", "212-555-0001", "", "", "", "", ""],
        ["P1", "Lee", "212-555-0002", "", "", "", "", ""],
    )
    contact = Contact.objects.get()
    first, second = ContactPhone.objects.order_by("priority_order")
    run, _ = import_rows(
        ["ID", "PhoneNumberAssocID", "PhoneNumber", "Extension"],
        [contact.pk, first.pk, "", "77"],
        [contact.pk, second.pk, "#delete", ""],
    )
    assert run.code == 0, run.out
    assert phones(contact) == [("212-555-0001", "77", 1)]


def test_an_assoc_id_of_another_contact_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, ["P1", "Lee", "212-555-0001", "", "", "", "", ""])
    other = Contact.objects.create(last_name="Ray")
    link = ContactPhone.objects.get()
    run, report = import_rows(
        ["ID", "PhoneNumberAssocID", "PhoneNumber"], [other.pk, link.pk, "#delete"]
    )
    assert run.code == 1
    assert errors_of(report) == [
        f"PhoneNumberAssocID '{link.pk}' is not one of this contact's phone numbers"
    ]


def test_a_number_without_digits_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, ["P1", "Lee", "none", "", "", "", "", ""])
    assert errors_of(report) == ["PhoneNumber 'none': has no digits"]


def test_phone_columns_without_a_number_are_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, ["P1", "Lee", "", "", "Home", "", "", ""])
    assert errors_of(report) == ["PhoneNumber is required to import a phone number"]


def test_one_flag_value_spelled_two_ways_on_twin_rows_is_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        H,
        ["P1", "Lee", "555-1234", "", "", "", "1", "true"],
        ["P1", "Lee", "(555) 1234", "", "", "", "TRUE", "y"],
    )
    assert run.code == 0, report
    assert ContactPhone.objects.get().is_preferred is True
