"""Database rules of the people model, enforced by constraints on both databases."""

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ContactFactory, SchoolFactory, StudentFactory
from tutela.people.models import (
    ContactEmail,
    ContactPhone,
    Phone,
    Student,
    StudentContact,
)

pytestmark = pytest.mark.django_db


def test_student_numbers_are_unique() -> None:
    school = SchoolFactory.create()
    Student.objects.create(student_number="1", first_name="A", last_name="B", school=school)
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.create(student_number="1", first_name="C", last_name="D", school=school)


def test_a_contact_has_at_most_one_primary_email() -> None:
    contact = ContactFactory.create()
    ContactEmail.objects.create(contact=contact, address="a@example.org", is_primary=True, order=1)
    ContactEmail.objects.create(contact=contact, address="b@example.org", is_primary=False, order=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactEmail.objects.create(
            contact=contact, address="c@example.org", is_primary=True, order=3
        )


def test_an_email_appears_once_per_contact_ignoring_case() -> None:
    contact = ContactFactory.create()
    ContactEmail.objects.create(contact=contact, address="a@example.org", order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactEmail.objects.create(contact=contact, address="A@Example.org", order=2)


def test_a_phone_number_and_extension_is_one_shared_record() -> None:
    Phone.objects.create(number="212-555-0101", digits="2125550101")
    Phone.objects.create(number="212-555-0101", digits="2125550101", extension="12")
    with pytest.raises(IntegrityError), transaction.atomic():
        Phone.objects.create(number="(212) 555 0101", digits="2125550101")


def test_two_contacts_share_a_phone_and_its_sms_flag() -> None:
    phone = Phone.objects.create(number="212-555-0101", digits="2125550101", is_sms=True)
    first, second = ContactFactory.create(), ContactFactory.create()
    ContactPhone.objects.create(contact=first, phone=phone, priority_order=1)
    ContactPhone.objects.create(contact=second, phone=phone, priority_order=1)
    phone.is_sms = False
    phone.save()
    assert {link.phone.is_sms for link in ContactPhone.objects.select_related("phone")} == {False}


def test_a_student_has_one_contact_per_original_contact_type() -> None:
    student = StudentFactory.create()
    StudentContact.objects.create(
        student=student,
        contact=ContactFactory.create(),
        contact_priority_order=1,
        original_contact_type="mother",
    )
    StudentContact.objects.create(
        student=student,
        contact=ContactFactory.create(),
        contact_priority_order=2,
        original_contact_type="",
    )
    StudentContact.objects.create(
        student=student,
        contact=ContactFactory.create(),
        contact_priority_order=3,
        original_contact_type="",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentContact.objects.create(
            student=student,
            contact=ContactFactory.create(),
            contact_priority_order=4,
            original_contact_type="mother",
        )


def test_contact_priority_is_unique_per_student() -> None:
    student, other = StudentFactory.create(), StudentFactory.create()
    contact = ContactFactory.create()
    StudentContact.objects.create(student=student, contact=contact, contact_priority_order=1)
    StudentContact.objects.create(student=other, contact=contact, contact_priority_order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentContact.objects.create(
            student=student, contact=ContactFactory.create(), contact_priority_order=1
        )


def test_a_contact_is_linked_to_a_student_once() -> None:
    student, contact = StudentFactory.create(), ContactFactory.create()
    StudentContact.objects.create(student=student, contact=contact, contact_priority_order=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentContact.objects.create(student=student, contact=contact, contact_priority_order=2)


def test_contact_defaults_follow_powerschool() -> None:
    contact = ContactFactory.create()
    assert contact.exclude_from_state_reporting is True
    assert contact.is_active is False
