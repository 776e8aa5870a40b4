"""The Contact Student section of the seed page, and rules 2, 5 and 11-13."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from tests.codes import code_of
from tests.conftest import Run
from tests.imports.contacts.conftest import errors_of
from tutela.people.models import Contact, StudentContact, StudentContactDetail

pytestmark = pytest.mark.django_db

H = [
    "Identifier",
    "LastName",
    "StudentNumber",
    "OriginalContactType",
    "ContactPriorityOrder",
    "RelationshipType",
    "RelationshipStartDate",
    "RelationshipEndDate",
    "ContactHasCustody",
    "ContactLivesWith",
]


def row(ident: str, number: str = "1001", **values: str) -> list[str]:
    cells = dict.fromkeys(H, "")
    cells.update({"Identifier": ident, "LastName": ident, "StudentNumber": number})
    cells.update(values)
    return [cells[h] for h in H]


def order(number: str = "1001") -> list[tuple[str, int, str]]:
    return list(
        StudentContact.objects.filter(student__student_number=number)
        .order_by("contact_priority_order")
        .values_list("contact__last_name", "contact_priority_order", "original_contact_type")
    )


def test_a_student_link_is_added_with_a_first_detail(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        row("Mom", OriginalContactType="MOTHER", RelationshipType="mother", ContactHasCustody="1"),
    )
    assert run.code == 0, run.out
    link = StudentContact.objects.get()
    detail = link.details.get()
    assert link.original_contact_type == "mother"  # rule 5: lower case
    assert (code_of(detail.relationship_type), detail.has_custody, detail.lives_with) == (
        "Mother",
        True,
        False,
    )


def test_an_unknown_student_number_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Mom", "9999"))
    assert errors_of(report) == ["StudentNumber '9999' is not a student"]


def test_an_original_type_outside_the_six_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(H, row("Mom", OriginalContactType="aunt"))
    assert errors_of(report)[0].startswith("OriginalContactType 'aunt': is not an original")


def test_a_student_already_having_that_original_type_rejects_the_row(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Mom", OriginalContactType="mother"))
    run, report = import_rows(H, row("Other", OriginalContactType="Mother"))
    assert run.code == 1
    assert errors_of(report) == [
        "OriginalContactType 'mother': student '1001' already has a mother contact"
    ]


def test_an_emergency_slot_taken_is_named_with_an(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("Gran", OriginalContactType="emergency1"))
    _run, report = import_rows(H, row("Other", OriginalContactType="Emergency1"))
    assert errors_of(report) == [
        "OriginalContactType 'emergency1': student '1001' already has an emergency1 contact"
    ]


def test_the_earlier_group_wins_an_original_type_collision(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(
        H, row("A", OriginalContactType="father"), row("B", OriginalContactType="father")
    )
    assert [r["status"] for r in report["rows_report"]] == ["imported", "rejected"]
    assert order() == [("A", 1, "father")]


def test_the_earlier_group_wins_a_contact_priority_collision(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    _run, report = import_rows(
        H, row("A", ContactPriorityOrder="1"), row("B", ContactPriorityOrder="1")
    )
    assert [r["status"] for r in report["rows_report"]] == ["imported", "rejected"]
    assert report["rows_report"][1]["errors"] == [
        "ContactPriorityOrder '1': row 2 already puts another contact at that position for "
        "student '1001'"
    ]


def test_blank_contact_priority_puts_the_contact_last(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("B"), row("C"))
    assert order() == [("A", 1, ""), ("B", 2, ""), ("C", 3, "")]


def test_a_contact_priority_moves_those_at_and_after_it_down(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("B"), row("C"))
    run, _ = import_rows(H, row("D", ContactPriorityOrder="2"))
    assert run.code == 0
    assert order() == [("A", 1, ""), ("D", 2, ""), ("B", 3, ""), ("C", 4, "")]


def test_moving_an_existing_contact_up_shifts_the_others(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("B"), row("C"))
    c = Contact.objects.get(last_name="C")
    run, _ = import_rows(["ID", "StudentNumber", "ContactPriorityOrder"], [c.pk, "1001", "1"])
    assert run.code == 0
    assert order() == [("C", 1, ""), ("A", 2, ""), ("B", 3, "")]


def test_one_student_on_rows_with_separate_dates_makes_several_details(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(
        H,
        row("A", RelationshipStartDate="1/1/2020", RelationshipEndDate="12/31/2020"),
        row("A", RelationshipStartDate="1/1/2021"),
    )
    assert run.code == 0, run.out
    link = StudentContact.objects.get()
    assert [(d.start_date, d.end_date) for d in link.details.order_by("start_date")] == [
        (datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)),
        (datetime.date(2021, 1, 1), None),
    ]


def test_overlapping_dates_for_one_student_are_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(
        H,
        row("A", RelationshipStartDate="1/1/2020", RelationshipEndDate="12/31/2020"),
        row("A", RelationshipStartDate="12/31/2020"),
    )
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "StudentNumber '1001': the relationship dates overlap those on row 2"
    ]


def test_blank_dates_mean_all_time_when_comparing(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _report = import_rows(H, row("A"), row("A", RelationshipStartDate="1/1/2020"))
    assert run.code == 1


def test_identical_rows_for_one_student_are_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(H, row("A", ContactHasCustody="1"), row("A", ContactHasCustody="1"))
    assert run.code == 0
    assert StudentContactDetail.objects.count() == 1


def test_one_value_spelled_two_ways_on_twin_rows_is_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(H, row("A", ContactHasCustody="1"), row("A", ContactHasCustody="Yes"))
    assert run.code == 0, report
    assert StudentContactDetail.objects.get().has_custody is True


def test_true_on_one_row_and_blank_on_its_twin_is_a_conflict(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(H, row("A", ContactLivesWith="1"), row("A"))
    assert run.code == 1
    assert report["rows_report"][1]["errors"] == [
        "StudentNumber '1001' is also on row 2 with the same dates but a different ContactLivesWith"
    ]


def test_false_on_one_row_and_blank_on_its_twin_is_a_duplicate(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """Seed, "Blanks": only a non-default value beside a blank conflicts; false is the default."""
    run, report = import_rows(H, row("A", ContactLivesWith="0"), row("A"))
    assert run.code == 0, report
    assert StudentContactDetail.objects.count() == 1


def test_a_false_on_the_twin_of_a_blank_row_is_applied(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A", ContactHasCustody="1"))
    contact = Contact.objects.get()
    run, report = import_rows(
        ["ID", "StudentNumber", "ContactHasCustody"],
        [contact.pk, "1001", ""],
        [contact.pk, "1001", "N"],
    )
    assert run.code == 0, report
    assert StudentContactDetail.objects.get().has_custody is False


def test_detail_flags_default_to_false(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"))
    detail = StudentContactDetail.objects.get()
    assert not any(
        [
            detail.has_custody,
            detail.lives_with,
            detail.allow_school_pickup,
            detail.is_emergency_contact,
            detail.receives_mailings,
            detail.allow_data_access,
        ]
    )


def _two_details() -> tuple[Contact, StudentContact, StudentContactDetail, StudentContactDetail]:
    contact = Contact.objects.get()
    link = StudentContact.objects.get()
    past, current = link.details.order_by("start_date")
    return contact, link, past, current


def test_blank_detail_id_updates_the_active_detail(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(
        H,
        row("A", RelationshipStartDate="1/1/2000", RelationshipEndDate="12/31/2000"),
        row("A", RelationshipStartDate="1/1/2001"),
    )
    contact, _link, past, current = _two_details()
    run, _ = import_rows(["ID", "StudentNumber", "ContactHasCustody"], [contact.pk, "1001", "1"])
    assert run.code == 0
    current.refresh_from_db()
    past.refresh_from_db()
    assert (current.has_custody, past.has_custody) == (True, False)


def test_new_in_detail_id_adds_a_detail(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A", RelationshipEndDate="12/31/2000"))
    contact = Contact.objects.get()
    run, _ = import_rows(
        ["ID", "StudentNumber", "StudentContactDetailID", "RelationshipStartDate"],
        [contact.pk, "1001", "#new", "1/1/2001"],
    )
    assert run.code == 0, run.out
    assert StudentContactDetail.objects.count() == 2


def test_a_blank_detail_id_beside_new_ends_the_active_detail_and_adds_one(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """Rule 13 on related rows: the blank row updates the active detail, #new adds one."""
    import_rows(H, row("A", ContactHasCustody="1"))
    contact = Contact.objects.get()
    active = StudentContactDetail.objects.get()
    run, report = import_rows(
        [
            "ID",
            "StudentNumber",
            "StudentContactDetailID",
            "RelationshipStartDate",
            "RelationshipEndDate",
        ],
        [contact.pk, "1001", "", "", "6/30/2001"],
        [contact.pk, "1001", "#new", "7/1/2001", ""],
    )
    assert run.code == 0, report
    details = list(
        StudentContactDetail.objects.order_by("pk").values_list(
            "pk", "start_date", "end_date", "has_custody"
        )
    )
    assert details == [
        (active.pk, None, datetime.date(2001, 6, 30), True),
        (details[1][0], datetime.date(2001, 7, 1), None, False),
    ]


def test_related_rows_splitting_a_detail_keep_it_as_the_one_in_force_today(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    """Rules 12 and 13: of blank-ID rows matching no detail by dates, the one whose dates hold
    today updates the active detail; the others add details."""
    import_rows(H, row("A", ContactHasCustody="1"))
    contact = Contact.objects.get()
    active = StudentContactDetail.objects.get()
    run, report = import_rows(
        ["ID", "StudentNumber", "RelationshipStartDate", "RelationshipEndDate"],
        [contact.pk, "1001", "", "12/31/2000"],
        [contact.pk, "1001", "1/1/2001", ""],
    )
    assert run.code == 0, report
    active.refresh_from_db()
    assert (active.start_date, active.end_date, active.has_custody) == (
        datetime.date(2001, 1, 1),
        None,
        True,
    )
    assert StudentContactDetail.objects.count() == 2


def test_a_detail_id_updates_that_detail(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(
        H,
        row("A", RelationshipStartDate="1/1/2000", RelationshipEndDate="12/31/2000"),
        row("A", RelationshipStartDate="1/1/2001"),
    )
    contact, _link, past, _current = _two_details()
    run, _ = import_rows(
        ["ID", "StudentNumber", "StudentContactDetailID", "RelationshipNote"],
        [contact.pk, "1001", past.pk, "moved"],
    )
    assert run.code == 0
    past.refresh_from_db()
    assert past.relationship_note == "moved"


def test_a_detail_id_of_another_link_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("A", "1002"))
    contact = Contact.objects.get()
    other = StudentContactDetail.objects.get(link__student__student_number="1002")
    _run, report = import_rows(
        ["ID", "StudentNumber", "StudentContactDetailID", "RelationshipNote"],
        [contact.pk, "1001", other.pk, "x"],
    )
    assert errors_of(report) == [
        f"StudentContactDetailID '{other.pk}' is not a detail record of this contact's link "
        "to student '1001'"
    ]


def test_a_link_reached_by_its_assoc_id_is_named_by_its_student_number(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("A", "1002"))
    contact = Contact.objects.get()
    link = StudentContact.objects.get(student__student_number="1001")
    other = StudentContactDetail.objects.get(link__student__student_number="1002")
    _run, report = import_rows(
        ["ID", "StudentContactAssocID", "StudentContactDetailID", "RelationshipNote"],
        [contact.pk, link.pk, other.pk, "x"],
    )
    assert errors_of(report) == [
        f"StudentContactDetailID '{other.pk}' is not a detail record of this contact's link "
        "to student '1001'"
    ]


def test_a_number_matching_an_existing_link_updates_it(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"))
    contact = Contact.objects.get()
    run, report = import_rows(
        ["ID", "StudentNumber", "OriginalContactType"], [contact.pk, "1001", "guardian"]
    )
    assert run.code == 0 and report["contacts_updated"] == 1
    assert order() == [("A", 1, "guardian")]


def test_assoc_id_with_delete_removes_the_link(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("A", "1002"))
    contact = Contact.objects.get()
    link = StudentContact.objects.get(student__student_number="1002")
    run, _ = import_rows(
        ["ID", "StudentContactAssocID", "StudentNumber"], [contact.pk, link.pk, "#delete"]
    )
    assert run.code == 0
    assert list(contact.student_links.values_list("student__student_number", flat=True)) == ["1001"]


def test_assoc_id_with_another_student_number_is_an_error(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"))
    contact = Contact.objects.get()
    link = StudentContact.objects.get()
    _run, report = import_rows(
        ["ID", "StudentContactAssocID", "StudentNumber"], [contact.pk, link.pk, "1002"]
    )
    assert errors_of(report) == [
        f"StudentNumber '1002' is not the student of StudentContactAssocID '{link.pk}'"
    ]


def test_original_type_may_be_cleared(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A", OriginalContactType="mother"))
    contact = Contact.objects.get()
    run, report = import_rows(
        ["ID", "StudentNumber", "OriginalContactType"], [contact.pk, "1001", "#clear"]
    )
    assert run.code == 0 and report["contacts_updated"] == 1
    assert order() == [("A", 1, "")]


def test_a_rejected_group_leaves_the_other_contacts_positions_alone(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(H, row("A"), row("B"))
    # C is placed first, then fails rule 14: its move of A and B must be undone.
    _, report = import_rows(
        [*H, "AllowDataAccess"],
        [*row("C", ContactPriorityOrder="1"), "1"],
        [*row("D", ContactPriorityOrder="1"), ""],
    )
    assert [r["status"] for r in report["rows_report"]] == ["rejected", "imported"]
    assert order() == [("D", 1, ""), ("A", 2, ""), ("B", 3, "")]
