import datetime

import pytest
from auditlog.models import LogEntry

from tests.codes import code_of
from tests.factories import ContactFactory, StudentFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, Phone, StudentContact
from tutela.people.services import (
    ServiceError,
    add_email,
    add_phone,
    create_contact,
    link_student,
)

pytestmark = pytest.mark.django_db


def test_a_primary_email_goes_first_and_bumps_the_rest_down() -> None:
    contact = ContactFactory.create()
    add_email(actor=command_line_user(), contact=contact, address="one@example.org")
    add_email(
        actor=command_line_user(), contact=contact, address="two@example.org", is_primary=True
    )
    add_email(
        actor=command_line_user(), contact=contact, address="three@example.org", is_primary=True
    )
    rows = list(contact.emails.values_list("address", "is_primary", "order"))
    assert rows == [
        ("three@example.org", True, 1),
        ("two@example.org", False, 2),
        ("one@example.org", False, 3),
    ]


def test_an_invalid_email_is_refused() -> None:
    with pytest.raises(ServiceError, match="not a valid email address"):
        add_email(actor=command_line_user(), contact=ContactFactory.create(), address="nobody@")


def test_the_same_number_typed_two_ways_is_one_shared_phone() -> None:
    mother, father = ContactFactory.create(), ContactFactory.create()
    add_phone(actor=command_line_user(), contact=mother, number="(212) 555-0101", is_sms=True)
    add_phone(actor=command_line_user(), contact=father, number="212.555.0101 x", is_sms=False)
    assert Phone.objects.count() == 1
    assert Phone.objects.get().is_sms is False  # the flag belongs to the shared number


def test_a_different_extension_is_a_different_phone() -> None:
    contact = ContactFactory.create()
    add_phone(actor=command_line_user(), contact=contact, number="212-555-0101")
    add_phone(actor=command_line_user(), contact=contact, number="212-555-0101", extension="22")
    assert Phone.objects.count() == 2
    assert list(contact.phones.values_list("priority_order", flat=True)) == [1, 2]


def test_a_priority_puts_the_contact_there_and_moves_the_others_down() -> None:
    student = StudentFactory.create()
    first, second, third = ContactFactory.create(), ContactFactory.create(), ContactFactory.create()
    link_student(actor=command_line_user(), contact=first, student=student)
    link_student(actor=command_line_user(), contact=second, student=student)
    link_student(
        actor=command_line_user(), contact=third, student=student, contact_priority_order=1
    )
    order = list(
        StudentContact.objects.filter(student=student).values_list(
            "contact_id", "contact_priority_order"
        )
    )
    assert order == [(third.pk, 1), (first.pk, 2), (second.pk, 3)]


def test_a_student_cannot_get_two_mothers() -> None:
    student = StudentFactory.create()
    link_student(
        actor=command_line_user(),
        contact=ContactFactory.create(),
        student=student,
        original_contact_type="Mother",
    )
    with pytest.raises(ServiceError, match="already has a mother contact"):
        link_student(
            actor=command_line_user(),
            contact=ContactFactory.create(),
            student=student,
            original_contact_type="mother",
        )


def test_an_unknown_original_contact_type_is_refused() -> None:
    with pytest.raises(ServiceError, match="not an original contact type"):
        link_student(
            actor=command_line_user(),
            contact=ContactFactory.create(),
            student=StudentFactory.create(),
            original_contact_type="aunt",
        )


def test_a_relationship_cannot_end_before_it_starts() -> None:
    with pytest.raises(ServiceError, match="cannot end before it starts"):
        link_student(
            actor=command_line_user(),
            contact=ContactFactory.create(),
            student=StudentFactory.create(),
            start_date=datetime.date(2024, 2, 1),
            end_date=datetime.date(2024, 1, 1),
        )


def test_the_active_detail_is_the_one_holding_today_else_the_latest() -> None:
    link = link_student(
        actor=command_line_user(),
        contact=ContactFactory.create(),
        student=StudentFactory.create(),
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
    )
    later = link.details.create(
        start_date=datetime.date(2021, 1, 1), end_date=datetime.date(2021, 6, 30)
    )
    first = link.active_detail(datetime.date(2020, 6, 1))
    assert first is not None and first.start_date == datetime.date(2020, 1, 1)
    assert link.active_detail(datetime.date(2030, 1, 1)) == later


def test_service_changes_are_audited_with_the_actor_and_before_after() -> None:
    staff = Account.objects.create(username="registrar", is_staff=True)
    contact = create_contact(actor=staff, last_name="Smith", first_name="Jane", gender="f")
    entry = LogEntry.objects.get_for_object(contact).get()
    assert entry.actor == staff
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["last_name"] == ["None", "Smith"]
    assert code_of(Contact.objects.get().gender) == "F"


def test_a_new_primary_email_audits_the_old_primary_losing_its_place() -> None:
    staff = Account.objects.create(username="registrar", is_staff=True)
    contact = ContactFactory.create()
    old = add_email(actor=staff, contact=contact, address="old@example.org", is_primary=True)
    add_email(actor=staff, contact=contact, address="new@example.org", is_primary=True)
    update = LogEntry.objects.get_for_object(old).get(action=LogEntry.Action.UPDATE)
    assert update.actor == staff
    assert update.changes_dict["is_primary"] == ["True", "False"]
    assert update.changes_dict["order"] == ["1", "2"]


def test_contacts_moved_down_by_a_new_priority_are_audited() -> None:
    staff = Account.objects.create(username="registrar", is_staff=True)
    student = StudentFactory.create()
    first = link_student(actor=staff, contact=ContactFactory.create(), student=student)
    second = link_student(actor=staff, contact=ContactFactory.create(), student=student)
    link_student(
        actor=staff, contact=ContactFactory.create(), student=student, contact_priority_order=1
    )
    for link, before, after in ((first, "1", "2"), (second, "2", "3")):
        update = LogEntry.objects.get_for_object(link).get(action=LogEntry.Action.UPDATE)
        assert update.actor == staff
        assert update.changes_dict["contact_priority_order"] == [before, after]
