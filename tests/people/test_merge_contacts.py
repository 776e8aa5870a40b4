"""``merge_contacts``: the seed's fix for a parent entered twice."""

from __future__ import annotations

import datetime

import pytest

from tests.cast import Cast
from tests.factories import AccountFactory, ContactFactory, StudentFactory
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, StudentContact
from tutela.people.services import (
    OutsideScope,
    ServiceError,
    add_address,
    add_email,
    link_student,
    merge_contacts,
)

pytestmark = pytest.mark.django_db


def test_a_student_both_were_linked_to_keeps_the_existing_contacts_link() -> None:
    student = StudentFactory.create()
    keep, dup = ContactFactory.create(), ContactFactory.create()
    kept = link_student(
        actor=command_line_user(), contact=keep, student=student, allow_data_access=True
    )
    link_student(actor=command_line_user(), contact=dup, student=student, allow_data_access=False)
    merge_contacts(actor=command_line_user(), duplicate=dup, into=keep)
    assert list(StudentContact.objects.filter(student=student)) == [kept]
    assert kept.active_detail().allow_data_access  # type: ignore[union-attr]


def test_the_duplicates_account_moves_when_the_existing_contact_has_none() -> None:
    keep, dup = ContactFactory.create(), ContactFactory.create()
    account = AccountFactory.create(contact=dup)
    merge_contacts(actor=command_line_user(), duplicate=dup, into=keep)
    account.refresh_from_db()
    assert account.contact == keep


def test_it_refuses_to_merge_a_contact_into_itself() -> None:
    contact = ContactFactory.create()
    with pytest.raises(ServiceError):
        merge_contacts(actor=command_line_user(), duplicate=contact, into=contact)


def test_same_address_written_in_another_case_is_not_doubled() -> None:
    keep, dup = ContactFactory.create(), ContactFactory.create()
    add_address(actor=command_line_user(), contact=keep, street="1 Hill Road", city="Grand Bend")
    add_address(actor=command_line_user(), contact=dup, street="1 hill  road", city="GRAND BEND")
    add_email(actor=command_line_user(), contact=dup, address="only@example.org", is_primary=True)
    merge_contacts(actor=command_line_user(), duplicate=dup, into=keep)
    assert keep.addresses.count() == 1
    email = keep.emails.get()
    assert email.address == "only@example.org" and not email.is_primary


def test_the_merge_is_audited_with_its_actor() -> None:
    from auditlog.models import LogEntry

    staff = AccountFactory.create(is_staff=True, is_district_admin=True)
    keep, dup = ContactFactory.create(), ContactFactory.create()
    dup_pk = dup.pk
    merge_contacts(actor=staff, duplicate=dup, into=keep)
    deleted = LogEntry.objects.filter(
        content_type__model="contact", object_pk=str(dup_pk), action=LogEntry.Action.DELETE
    )
    assert deleted.get().actor == staff


def test_school_staff_may_merge_only_contacts_wholly_in_their_scope(cast: Cast) -> None:
    """Sam may not fold Una (his) into Hana (Hillcrest's), nor fold Una into Leo once Una
    also has a child at Hillcrest: the service refuses, whichever face asks."""
    with pytest.raises(OutsideScope, match="district admin"):
        merge_contacts(actor=cast.sam, duplicate=cast.una_contact, into=cast.hana_contact)
    link_student(actor=command_line_user(), contact=cast.una_contact, student=cast.holly)
    with pytest.raises(OutsideScope, match="district admin"):
        merge_contacts(actor=cast.sam, duplicate=cast.una_contact, into=cast.leo_contact)
    assert Contact.objects.filter(pk=cast.una_contact.pk).exists()
    merge_contacts(actor=cast.dana, duplicate=cast.una_contact, into=cast.leo_contact)
    assert not Contact.objects.filter(pk=cast.una_contact.pk).exists()


def test_a_moved_link_without_a_detail_gets_one_from_today_with_the_chosen_values() -> None:
    student = StudentFactory.create()
    keep, dup = ContactFactory.create(), ContactFactory.create()
    link = link_student(actor=command_line_user(), contact=dup, student=student)
    link.details.all().delete()
    merge_contacts(
        actor=command_line_user(),
        duplicate=dup,
        into=keep,
        relationship_type="Father",
        allow_data_access=True,
    )
    link.refresh_from_db()
    assert link.contact == keep
    detail = link.active_detail()
    assert detail is not None and detail.start_date == datetime.date.today()
    assert detail.relationship_type is not None and detail.relationship_type.code == "Father"
    assert link.grants_access()


def test_a_moved_link_without_a_detail_stays_without_one_when_nothing_was_chosen() -> None:
    student = StudentFactory.create()
    keep, dup = ContactFactory.create(), ContactFactory.create()
    link = link_student(actor=command_line_user(), contact=dup, student=student)
    link.details.all().delete()
    merge_contacts(actor=command_line_user(), duplicate=dup, into=keep)
    assert not link.details.exists()
