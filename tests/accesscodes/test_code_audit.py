"""Issuing and resetting codes in bulk leaves one audit entry per school, with the actor."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry

from tests.conftest import Run
from tests.factories import AccountFactory, SchoolFactory, StudentFactory
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.services import issuing, registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> dict[str, Any]:
    elm, oak = SchoolFactory.create(school_number="10"), SchoolFactory.create(school_number="20")
    for number in ("1001", "1002", "1003"):
        StudentFactory.create(student_number=number, school=elm)
    StudentFactory.create(student_number="2001", school=oak)
    return {"elm": elm, "oak": oak, "admin": AccountFactory.create(username="ada", is_staff=True)}


def summaries(school: Any) -> list[LogEntry]:
    return list(
        LogEntry.objects.get_for_object(school)
        .filter(additional_data__has_key="summary")
        .order_by("pk")
    )


def assert_no_code_in_the_trail() -> None:
    trail = str(
        list(
            LogEntry.objects.values_list(
                "changes", "object_repr", "serialized_data", "additional_data"
            )
        )
    )
    codes = list(AccessCode.objects.values_list("code", flat=True))
    assert codes
    assert not [code for code in codes if code in trail]


def test_a_school_reset_is_one_entry_naming_the_actor_the_count_and_the_scope(
    district: dict[str, Any],
) -> None:
    elm, admin = district["elm"], district["admin"]
    issuing.generate_codes(actor=admin, school=elm)
    issuing.reset_codes(actor=admin, school=elm)
    generated, reset = summaries(elm)
    assert (generated.actor, reset.actor) == (admin, admin)
    assert generated.changes_dict == {"access codes generated": ["", "3 (school 10)"]}
    assert reset.changes_dict == {"access codes reset": ["", "3 (school 10)"]}
    assert reset.additional_data["count"] == 3
    assert reset.additional_data["revoked"] == 3
    assert reset.additional_data["scope"] == "school 10"
    assert summaries(district["oak"]) == []
    assert_no_code_in_the_trail()


def test_a_district_reset_gives_each_school_its_own_count(district: dict[str, Any]) -> None:
    issuing.reset_codes(actor=district["admin"], school=None)
    [elm] = summaries(district["elm"])
    [oak] = summaries(district["oak"])
    assert (elm.additional_data["count"], oak.additional_data["count"]) == (3, 1)
    assert elm.additional_data["scope"] == oak.additional_data["scope"] == "the district"
    assert_no_code_in_the_trail()


def test_generating_missing_codes_says_so_in_the_scope(district: dict[str, Any]) -> None:
    issuing.generate_codes(actor=district["admin"], school=district["elm"])
    StudentFactory.create(student_number="1004", school=district["elm"])
    issuing.generate_codes(actor=district["admin"], school=district["elm"], missing_only=True)
    latest = summaries(district["elm"])[-1]
    assert latest.additional_data["count"] == 1
    assert latest.additional_data["revoked"] == 0
    assert latest.additional_data["scope"] == "school 10, students without a usable code"


def test_codes_generated_on_the_command_line_name_the_user(
    district: dict[str, Any], tutela: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")
    run = tutela("codes", "generate", "--school", "10")
    assert run.code == 0, run.err
    [entry] = summaries(district["elm"])
    assert entry.actor is None
    assert entry.additional_data["actor"] == "alice (command line)"
    assert entry.additional_data["count"] == 3
    assert_no_code_in_the_trail()


def test_one_students_reset_is_audited_row_by_row_without_the_code(
    district: dict[str, Any],
) -> None:
    student = district["elm"].students.get(student_number="1001")
    issuing.generate_codes(actor=district["admin"], school=district["elm"])
    old = AccessCode.objects.get(student=student)
    issuing.reset_codes(actor=district["admin"], student=student)
    [revoked] = LogEntry.objects.get_for_object(old).filter(action=LogEntry.Action.UPDATE)
    assert (revoked.actor, list(revoked.changes_dict)) == (district["admin"], ["revoked_at"])
    new = AccessCode.objects.get(student=student, revoked_at__isnull=True)
    [created] = LogEntry.objects.get_for_object(new)
    assert created.actor == district["admin"]
    assert_no_code_in_the_trail()


def test_a_self_registration_is_recorded_as_the_parents_own_doing(
    district: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    import re

    from django.core import mail

    from tutela.people.models import Contact, ContactEmail, StudentContact

    student = district["elm"].students.get(student_number="1001")
    issuing.reset_codes(actor=district["admin"], student=student)
    code = AccessCode.objects.get(student=student, revoked_at__isnull=True).code
    with django_capture_on_commit_callbacks(execute=True):
        registration.request_registration(
            entry=code,
            first_name="Pat",
            last_name="Lee",
            email="pat@example.org",
            remote_address="203.0.113.7",
            link_for=lambda token: f"http://testserver/register/{token}/",
        )
    match = re.search(r"/register/([\w-]+)/", str(mail.outbox[-1].body))
    assert match
    password = "a long enough passphrase"
    with django_capture_on_commit_callbacks(execute=True):
        done = registration.register_with_code(token=match.group(1), password=password)
    parent = done.account
    contact = Contact.objects.get()
    for record in (
        contact,
        ContactEmail.objects.get(contact=contact),
        StudentContact.objects.get(contact=contact),
    ):
        assert LogEntry.objects.get_for_object(record).get().actor == parent
    linked = LogEntry.objects.get_for_object(parent).get(action=LogEntry.Action.UPDATE)
    assert (linked.actor, list(linked.changes_dict)) == (parent, ["contact"])
    trail = str(list(LogEntry.objects.values_list("changes", "object_repr", "additional_data")))
    assert password not in trail and code not in trail
