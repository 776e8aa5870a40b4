"""The Email Address section of the seed page, and rule 8."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.codes import code_of
from tests.conftest import Run
from tests.imports.contacts.conftest import errors_of
from tutela.people.models import Contact, ContactEmail, Student

pytestmark = pytest.mark.django_db

H = ["ID", "PersonEmailAddressAssocID", "EmailAddress", "EmailType", "IsPrimaryEmailAddress"]


@pytest.fixture
def lee(db: None) -> Contact:
    contact = Contact.objects.create(last_name="Lee")
    ContactEmail.objects.create(
        contact=contact, address="one@example.org", order=1, is_primary=True
    )
    ContactEmail.objects.create(contact=contact, address="two@example.org", order=2)
    return contact


def emails(contact: Contact) -> list[tuple[str, bool, int]]:
    return list(contact.emails.order_by("order").values_list("address", "is_primary", "order"))


def test_an_email_not_yet_on_the_contact_is_added_at_the_end(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, _ = import_rows(H, [lee.pk, "", "three@example.org", "Work", ""])
    assert run.code == 0
    assert emails(lee)[-1] == ("three@example.org", False, 3)
    assert code_of(lee.emails.get(address="three@example.org").email_type) == "Work"


def test_an_email_matching_an_existing_one_updates_it(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, report = import_rows(H, [lee.pk, "", "TWO@example.org", "Home", ""])
    assert run.code == 0 and report["contacts_updated"] == 1
    assert lee.emails.count() == 2
    two = lee.emails.get(order=2)
    assert (two.address, code_of(two.email_type)) == ("two@example.org", "Home")


def test_an_email_with_its_assoc_id_is_updated(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    two = lee.emails.get(order=2)
    run, _ = import_rows(H, [lee.pk, two.pk, "deux@example.org", "", ""])
    assert run.code == 0
    two.refresh_from_db()
    assert two.address == "deux@example.org"


def test_an_assoc_id_that_cannot_be_found_adds_the_address(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, _ = import_rows(H, [lee.pk, "99999", "new@example.org", "", ""])
    assert run.code == 0
    assert lee.emails.filter(address="new@example.org").exists()


def test_delete_with_the_assoc_id_removes_the_email(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    two = lee.emails.get(order=2)
    run, _ = import_rows(H, [lee.pk, two.pk, "#delete", "", ""])
    assert run.code == 0
    assert emails(lee) == [("one@example.org", True, 1)]


def test_delete_without_an_assoc_id_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, report = import_rows(H, [lee.pk, "", "#delete", "", ""])
    assert run.code == 1
    assert errors_of(report) == [
        "EmailAddress '#delete' needs the PersonEmailAddressAssocID of the email to delete"
    ]


def test_a_primary_email_becomes_first_and_the_rest_move_down(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, _ = import_rows(H, [lee.pk, "", "new@example.org", "", "1"])
    assert run.code == 0
    assert emails(lee) == [
        ("new@example.org", True, 1),
        ("one@example.org", False, 2),
        ("two@example.org", False, 3),
    ]


def test_two_primary_emails_on_related_rows_are_rejected(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], students: dict[str, Student]
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "EmailAddress", "IsPrimaryEmailAddress"],
        ["P1", "Lee", "a@example.org", "1"],
        ["P1", "Lee", "b@example.org", "true"],
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "IsPrimaryEmailAddress 'true': a contact has one primary email address and row 2 "
        "already marks one"
    ]


def test_the_same_email_twice_with_the_same_values_is_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], students: dict[str, Student]
) -> None:
    run, _ = import_rows(
        ["Identifier", "LastName", "EmailAddress", "EmailType", "IsPrimaryEmailAddress"],
        ["P1", "Lee", "a@example.org", "Home", "1"],
        ["P1", "Lee", "A@EXAMPLE.ORG", "home", "1"],
    )
    assert run.code == 0
    assert ContactEmail.objects.count() == 1


def test_the_same_email_with_one_value_spelled_two_ways_is_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], students: dict[str, Student]
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "EmailAddress", "IsPrimaryEmailAddress"],
        ["P1", "Lee", "a@example.org", "1"],
        ["P1", "Lee", "a@example.org", "true"],
    )
    assert run.code == 0, report
    assert ContactEmail.objects.get().is_primary is True


def test_the_same_email_with_false_and_a_blank_primary_flag_is_a_duplicate(
    lee: Contact, import_rows: Callable[..., tuple[Run, dict[str, Any]]]
) -> None:
    """Seed, "Blanks": a blank flag is its default, false, so the rows agree; the false applies."""
    run, report = import_rows(
        H,
        [lee.pk, "", "one@example.org", "", ""],
        [lee.pk, "", "one@example.org", "", "0"],
    )
    assert run.code == 0, report
    assert emails(lee) == [("one@example.org", False, 1), ("two@example.org", False, 2)]


def test_the_same_email_with_and_without_its_assoc_id_is_a_duplicate(
    lee: Contact, import_rows: Callable[..., tuple[Run, dict[str, Any]]]
) -> None:
    """Seed: the same address on two related rows is a duplicate when its EmailType and
    IsPrimaryEmailAddress are the same."""
    one = lee.emails.get(address="one@example.org")
    run, report = import_rows(
        H,
        [lee.pk, one.pk, "one@example.org", "Home", ""],
        [lee.pk, "", "one@example.org", "Home", ""],
    )
    assert run.code == 0, report
    assert lee.emails.count() == 2
    assert code_of(lee.emails.get(pk=one.pk).email_type) == "Home"


def test_the_same_address_given_to_two_assoc_ids_is_a_conflict(
    lee: Contact, import_rows: Callable[..., tuple[Run, dict[str, Any]]]
) -> None:
    one, two = lee.emails.order_by("order")
    run, report = import_rows(
        H,
        [lee.pk, one.pk, "new@example.org", "", ""],
        [lee.pk, two.pk, "new@example.org", "", ""],
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "EmailAddress 'new@example.org' is also on row 2 with a different PersonEmailAddressAssocID"
    ]


def test_the_same_email_twice_with_other_values_is_a_conflict(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], students: dict[str, Student]
) -> None:
    run, report = import_rows(
        ["Identifier", "LastName", "EmailAddress", "EmailType"],
        ["P1", "Lee", "a@example.org", "Home"],
        ["P1", "Lee", "a@example.org", "Work"],
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "EmailAddress 'a@example.org' is also on row 2 with a different EmailType or "
        "IsPrimaryEmailAddress"
    ]


def test_email_syntax_is_checked_without_dns(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], students: dict[str, Student]
) -> None:
    _run, report = import_rows(
        ["Identifier", "LastName", "EmailAddress"],
        ["P1", "Lee", "ann@no-such-domain.invalid-tld-xyz"],
        ["P2", "Ray", "ray@@example.org"],
    )
    assert [r["status"] for r in report["rows_report"]] == ["imported", "rejected"]
    assert report["rows_report"][1]["errors"][0].startswith("EmailAddress 'ray@@example.org'")


def test_email_type_is_a_code(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, report = import_rows(H, [lee.pk, "", "one@example.org", "Pager", ""])
    assert run.code == 1
    assert errors_of(report) == ["EmailType 'Pager': is not a EmailType code"]


def test_emails_compare_ignoring_case_and_keep_their_spelling(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], lee: Contact
) -> None:
    run, report = import_rows(H, [lee.pk, "", "ONE@Example.org", "", ""])
    assert run.code == 0 and report["contacts_updated"] == 0
    assert emails(lee)[0][0] == "one@example.org"
