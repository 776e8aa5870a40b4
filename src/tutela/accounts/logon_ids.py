"""eSchoolPLUS's Logon IDs: a New User made from an email and names, then students tied to it.

In Tutela an account always belongs to a contact (``people``), so a New User is a new contact
with that email as its primary email and an account whose username is the email; tying a
student links the contact to the student with a relationship and data access, as the
account-students import does from a spreadsheet.

A contact with no student is the district's alone (``Scope.whole_contacts``): a school admin's
New User names its first student, one at their school, so the new account is theirs to manage.
"""

from __future__ import annotations

from django.db import transaction

from tutela.accounts import services
from tutela.accounts.models import Account, SecurityEventKind
from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import audited
from tutela.people.models import Student, StudentContact
from tutela.people.services import (
    OutsideScope,
    ServiceError,
    add_email,
    create_contact,
    link_student,
    require_whole_contact,
    validate_email_address,
)


def student_in_scope(*, actor: Actor, student_number: str) -> Student:
    """The student with this number among ``actor``'s students; another school's student is
    answered as unknown, so the refusal tells nothing of it."""
    number = student_number.strip()
    student = Scope.of(actor).students().filter(student_number=number).first()
    if student is None:
        raise ServiceError(f"no student with the number {number!r} that you may see")
    return student


def create_logon_id(
    *,
    actor: Actor,
    email: str,
    last_name: str,
    first_name: str = "",
    student_number: str = "",
    relationship_type: str | None = None,
    allow_data_access: bool = True,
) -> Account:
    """New User: a contact with ``email`` as its primary email and an enabled account whose
    username is that email, with no password yet (staff send the activation link when the
    account's students are tied); with ``student_number``, its first student.
    """
    scope = Scope.of(actor)
    if not scope.is_school_staff:
        raise OutsideScope("only school and district admins may add accounts")
    address = validate_email_address(email)
    services.check_sign_in_names(username=address, address=address)
    if not student_number.strip() and not scope.district_wide:
        raise ServiceError("name the account's first student, one at your school")
    student = (
        student_in_scope(actor=actor, student_number=student_number) if student_number else None
    )
    with audited(actor), transaction.atomic():
        contact = create_contact(
            actor=actor, last_name=last_name, first_name=first_name, is_active=True
        )
        add_email(actor=actor, contact=contact, address=address, is_primary=True)
        if student is not None:
            link_student(
                actor=actor,
                contact=contact,
                student=student,
                relationship_type=relationship_type,
                allow_data_access=allow_data_access,
            )
        account = Account(
            username=address,
            email=address,
            contact=contact,
            first_name=contact.first_name,
            last_name=contact.last_name,
            is_active=True,
        )
        account.set_unusable_password()
        services.save_new_account(account)
        services.record_event(SecurityEventKind.ACCOUNT_CREATED, account=account, actor=actor)
        return account


def tie_student(
    *,
    actor: Actor,
    account: Account,
    student_number: str,
    relationship_type: str | None = None,
    allow_data_access: bool = True,
) -> StudentContact:
    """Modify User's "tie student IDs": link the account's contact to the numbered student.

    Changing what a parent sees is changing the parent, so the actor's scope must cover every
    child of the contact as well as the new one. An existing link is changed on the contact
    card, where its dated details are.
    """
    contact = account.contact
    if contact is None:
        raise ServiceError(f"{account.username} is not a parent's account")
    student = student_in_scope(actor=actor, student_number=student_number)
    require_whole_contact(actor=actor, contact=contact, change="tie students to their account")
    if StudentContact.objects.filter(contact=contact, student=student).exists():
        raise ServiceError(
            f"{student} is already tied to {account.username}: change the link on the contact card"
        )
    return link_student(
        actor=actor,
        contact=contact,
        student=student,
        relationship_type=relationship_type,
        allow_data_access=allow_data_access,
    )
