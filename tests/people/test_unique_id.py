"""A contact's Unique ID: optional, one person per ID across the district, case-sensitive."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction

from tests.cast import Cast
from tutela.accounts.scopes import Scope
from tutela.core.audit import command_line_user
from tutela.people.models import Contact
from tutela.people.services import (
    OutsideScope,
    ServiceError,
    create_contact,
    merge_contacts,
    set_unique_id,
)

pytestmark = pytest.mark.django_db


def contact(last: str) -> Contact:
    return create_contact(actor=command_line_user(), last_name=last)


def test_the_database_refuses_a_second_contact_with_one_unique_id() -> None:
    Contact.objects.create(last_name="A", unique_id="P1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(last_name="B", unique_id="P1")


def test_many_contacts_may_have_none_and_letter_case_makes_another_id() -> None:
    Contact.objects.create(last_name="A")
    Contact.objects.create(last_name="B")
    Contact.objects.create(last_name="C", unique_id="p1")
    Contact.objects.create(last_name="D", unique_id="P1")
    assert Contact.objects.filter(unique_id="P1").count() == 1


def test_the_service_sets_it_audited_and_refuses_one_taken_naming_the_holder() -> None:
    first, second = contact("First"), contact("Second")
    set_unique_id(actor=command_line_user(), contact=first, unique_id=" P1 ")
    first.refresh_from_db()
    assert first.unique_id == "P1"
    (entry,) = LogEntry.objects.get_for_object(first).filter(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["unique_id"] == ["", "P1"]
    with pytest.raises(ServiceError, match=rf"already belongs to contact #{first.pk} First"):
        set_unique_id(actor=command_line_user(), contact=second, unique_id="P1")
    set_unique_id(actor=command_line_user(), contact=first, unique_id="")
    first.refresh_from_db()
    assert first.unique_id == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 65, "Unique ID is longer than 64 characters (65)"),
        ("P\t1", "Unique ID holds a control character"),
    ],
)
def test_the_service_refuses_a_bad_unique_id(value: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        set_unique_id(actor=command_line_user(), contact=contact("A"), unique_id=value)


def test_staff_of_another_school_may_not_set_it(cast: Cast) -> None:
    with pytest.raises(OutsideScope):
        set_unique_id(actor=cast.sam, contact=cast.hana_contact, unique_id="H1")


def test_a_contact_linked_to_no_student_is_seen_by_the_staff_of_its_schools(cast: Cast) -> None:
    waiting = contact("Waiting")
    waiting.schools.add(cast.lakeside)
    elsewhere = contact("Elsewhere")
    elsewhere.schools.add(cast.hillcrest)
    sam = Scope.of(cast.sam)
    assert waiting in sam.contacts() and waiting in sam.whole_contacts()
    assert elsewhere not in sam.contacts()
    # Once linked, its students decide: Hillcrest's Holly takes it out of Sam's reach.
    both = contact("Both")
    both.schools.add(cast.lakeside)
    both.student_links.create(student=cast.holly, contact_priority_order=9)
    assert both not in sam.contacts()


def test_a_merge_keeps_the_duplicates_unique_id_and_schools(cast: Cast) -> None:
    duplicate = contact("Hill")
    duplicate.schools.add(cast.lakeside)
    set_unique_id(actor=command_line_user(), contact=duplicate, unique_id="H-1")
    merge_contacts(actor=command_line_user(), duplicate=duplicate, into=cast.una_contact)
    cast.una_contact.refresh_from_db()
    assert cast.una_contact.unique_id == "H-1"
    assert list(cast.una_contact.schools.all()) == [cast.lakeside]


def test_a_merge_of_two_contacts_with_different_unique_ids_is_refused(cast: Cast) -> None:
    duplicate = contact("Hill")
    set_unique_id(actor=command_line_user(), contact=duplicate, unique_id="H-1")
    set_unique_id(actor=command_line_user(), contact=cast.una_contact, unique_id="U-1")
    with pytest.raises(ServiceError, match="different Unique IDs"):
        merge_contacts(actor=command_line_user(), duplicate=duplicate, into=cast.una_contact)
