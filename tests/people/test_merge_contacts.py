"""``merge_contacts``: the seed's fix for a parent entered twice."""

from __future__ import annotations

import pytest

from tests.factories import AccountFactory, ContactFactory, StudentFactory
from tutela.people.models import Contact, StudentContact
from tutela.people.services import (
    ServiceError,
    add_address,
    add_email,
    link_student,
    merge_contacts,
)

pytestmark = pytest.mark.django_db


def test_a_student_both_were_linked_to_keeps_the_existing_contacts_link() -> None:
    student = StudentFactory()
    keep, dup = ContactFactory(), ContactFactory()
    kept = link_student(actor=None, contact=keep, student=student, allow_data_access=True)
    link_student(actor=None, contact=dup, student=student, allow_data_access=False)
    merge_contacts(actor=None, duplicate=dup, into=keep)
    assert list(StudentContact.objects.filter(student=student)) == [kept]
    assert kept.active_detail().allow_data_access  # type: ignore[union-attr]


def test_the_duplicates_account_moves_when_the_existing_contact_has_none() -> None:
    keep, dup = ContactFactory(), ContactFactory()
    account = AccountFactory(contact=dup)
    merge_contacts(actor=None, duplicate=dup, into=keep)
    account.refresh_from_db()
    assert account.contact == keep


def test_it_refuses_when_both_have_accounts() -> None:
    keep, dup = ContactFactory(), ContactFactory()
    AccountFactory(contact=keep)
    AccountFactory(contact=dup)
    with pytest.raises(ServiceError, match="both"):
        merge_contacts(actor=None, duplicate=dup, into=keep)
    assert Contact.objects.filter(pk=dup.pk).exists()


def test_it_refuses_to_merge_a_contact_into_itself() -> None:
    contact = ContactFactory()
    with pytest.raises(ServiceError):
        merge_contacts(actor=None, duplicate=contact, into=contact)


def test_same_address_written_in_another_case_is_not_doubled() -> None:
    keep, dup = ContactFactory(), ContactFactory()
    add_address(actor=None, contact=keep, street="1 Hill Road", city="Grand Bend")
    add_address(actor=None, contact=dup, street="1 hill  road", city="GRAND BEND")
    add_email(actor=None, contact=dup, address="only@example.org", is_primary=True)
    merge_contacts(actor=None, duplicate=dup, into=keep)
    assert keep.addresses.count() == 1
    email = keep.emails.get()
    assert email.address == "only@example.org" and not email.is_primary


def test_the_merge_is_audited_with_its_actor() -> None:
    from auditlog.models import LogEntry

    staff = AccountFactory(is_staff=True)
    keep, dup = ContactFactory(), ContactFactory()
    dup_pk = dup.pk
    merge_contacts(actor=staff, duplicate=dup, into=keep)
    deleted = LogEntry.objects.filter(
        content_type__model="contact", object_pk=str(dup_pk), action=LogEntry.Action.DELETE
    )
    assert deleted.get().actor == staff
