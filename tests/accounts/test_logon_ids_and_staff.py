"""The services behind the accounts and staff people screens: audited, scoped, all or nothing."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from tests.cast import Cast
from tutela.accounts import logon_ids, staff_members
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, StudentContact
from tutela.people.services import OutsideScope, ServiceError

pytestmark = pytest.mark.django_db


def authors(instance: object) -> set[object]:
    return {entry.actor for entry in LogEntry.objects.get_for_object(instance)}


def test_new_user_and_tying_a_student_are_audited_as_the_staff_member(cast: Cast) -> None:
    account = logon_ids.create_logon_id(
        actor=cast.dana, email="nora@example.org", last_name="New", first_name="Nora"
    )
    assert account.contact is not None
    assert authors(account) == {cast.dana} and authors(account.contact) == {cast.dana}
    link = logon_ids.tie_student(
        actor=cast.dana, account=account, student_number="3001", relationship_type="Father"
    )
    assert authors(link) == {cast.dana}
    detail = link.active_detail()
    assert detail is not None and detail.allow_data_access


def test_a_bad_first_student_leaves_no_contact_behind(cast: Cast) -> None:
    with pytest.raises(ServiceError, match="no student with the number '9999'"):
        logon_ids.create_logon_id(
            actor=cast.dana, email="x@example.org", last_name="Gone", student_number="9999"
        )
    with pytest.raises(ServiceError, match="not a RelationshipType"):
        logon_ids.create_logon_id(
            actor=cast.dana,
            email="x@example.org",
            last_name="Gone",
            student_number="3001",
            relationship_type="Pirate",
        )
    assert not Contact.objects.filter(last_name="Gone").exists()
    assert not Account.objects.filter(username="x@example.org").exists()


def test_a_parent_cannot_make_accounts_nor_tie_students(cast: Cast) -> None:
    with pytest.raises(OutsideScope):
        logon_ids.create_logon_id(actor=cast.hana, email="x@example.org", last_name="X")
    with pytest.raises(ServiceError, match="no student with the number '3001'"):
        logon_ids.tie_student(actor=cast.hana, account=cast.hana, student_number="3001")
    assert not StudentContact.objects.filter(contact=cast.hana_contact, student=cast.lila)


def test_a_staff_account_has_no_students_to_tie(cast: Cast) -> None:
    with pytest.raises(ServiceError, match="sam is not a parent's account"):
        logon_ids.tie_student(actor=cast.dana, account=cast.sam, student_number="3001")


def test_staff_changes_are_audited_and_refused_to_school_admins(cast: Cast) -> None:
    with pytest.raises(OutsideScope, match="only a district admin"):
        staff_members.add_staff_person(
            actor=cast.sam, username="x", email="x@example.org", role="teacher", schools=[]
        )
    with pytest.raises(OutsideScope):
        staff_members.set_staff_access(actor=cast.sam, account=cast.sam, schools=[cast.hillcrest])
    before = timezone.now()
    staff_members.set_staff_access(
        actor=command_line_user(), account=cast.sam, schools=[cast.hillcrest]
    )
    changed = {
        (e.changes["schools"]["operation"], *e.changes["schools"]["objects"]): e.additional_data
        for e in LogEntry.objects.get_for_object(cast.sam).filter(timestamp__gte=before)
    }
    who = {"actor": str(command_line_user())}
    assert changed == {("add", "Hillcrest Elementary"): who, ("delete", "Lakeside Middle"): who}


def test_a_parents_account_is_not_made_staff(cast: Cast) -> None:
    with pytest.raises(ServiceError, match=r"hana\.hill is not a staff account"):
        staff_members.set_staff_access(
            actor=command_line_user(), account=cast.hana, role="district-admin", schools=[]
        )
    cast.hana.refresh_from_db()
    assert not cast.hana.is_staff
