"""Restricting a link (a court order, a custody agreement) cuts the contact off the student
everywhere at once; lifting it takes a school or district admin and a note; both are audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.cast import Cast
from tests.conftest import Run
from tests.factories import AccountFactory
from tutela.accesscodes.models import AccessCode, PendingLink
from tutela.accesscodes.services import linking, restricted_queue
from tutela.accesscodes.services.issuing import generate_codes
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import ACTOR_KEY, command_line_user
from tutela.people.models import LinkRestriction, StudentContact
from tutela.people.selectors import links_granting_access
from tutela.people.services import OutsideScope, ServiceError, lift_restriction, restrict_link
from tutela.rostering.selection import shared_pairs

pytestmark = pytest.mark.django_db


def leo_lila(cast: Cast) -> StudentContact:
    return StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)


def test_restrict_and_lift_from_the_command_line(tutela: Callable[..., Run], cast: Cast) -> None:
    contact = str(cast.leo_contact.pk)
    run = tutela(
        "privacy",
        "restrict",
        "3001",
        contact,
        "--kind",
        "court-order",
        "--note",
        "Protective order of 2026-11-02",
        "--document",
        "Case 26-DR-118",
    )
    assert run.code == 0, run.err
    assert "no longer sees student 3001" in run.out
    link = leo_lila(cast)
    assert link.restricted and not link.grants_access()
    restriction = link.restrictions.get()
    assert (restriction.kind, restriction.note, restriction.document) == (
        "court-order",
        "Protective order of 2026-11-02",
        "Case 26-DR-118",
    )
    assert restriction.restricted_by is None and "(command line)" in restriction.restricted_by_name
    assert list(students_visible_to(account=cast.leo)) == []

    run = tutela("privacy", "lift", "3001", contact, "--note", "Order vacated on appeal")
    assert run.code == 0, run.err
    link.refresh_from_db()
    assert not link.restricted and link.grants_access()
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None and restriction.lift_note == "Order vacated on appeal"
    assert list(students_visible_to(account=cast.leo)) == [cast.lila]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("restrict", "9999", "{leo}", "--kind", "custody", "--note", "x"), "STUDENT_NUMBER 9999"),
        (("restrict", "3001", "abc", "--kind", "custody", "--note", "x"), "CONTACT_ID abc"),
        (("restrict", "2001", "{leo}", "--kind", "custody", "--note", "x"), "is not a contact"),
        (("restrict", "3001", "{leo}", "--kind", "rumour", "--note", "x"), "invalid choice"),
        (("restrict", "3001", "{leo}", "--kind", "custody", "--note", " "), "a note is required"),
        (("restrict", "3001", "{leo}", "--kind", "custody"), "--note"),
        (("lift", "3001", "{leo}", "--note", "why"), "is not restricted"),
        (("lift", "3001", "{leo}"), "--note"),
    ],
)
def test_a_bad_argument_exits_2_naming_it_and_changes_nothing(
    tutela: Callable[..., Run], cast: Cast, args: tuple[str, ...], message: str
) -> None:
    run = tutela("privacy", *(a.format(leo=cast.leo_contact.pk) for a in args))
    assert run.code == 2
    assert message in run.err and "Traceback" not in run.err
    assert not LinkRestriction.objects.exists()
    assert not leo_lila(cast).restricted


def test_restricting_and_lifting_are_audited_with_who_and_why(cast: Cast) -> None:
    link = leo_lila(cast)
    restrict_link(actor=cast.sam, link=link, kind="custody", note="Custody agreement, May 2026")
    lift_restriction(actor=cast.dana, link=link, note="Agreement superseded")
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(LinkRestriction)
    ).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        (LogEntry.Action.CREATE, cast.sam),
        (LogEntry.Action.UPDATE, cast.dana),
    ]
    assert "Agreement superseded" in str(entries[1].changes)
    flags = LogEntry.objects.get_for_object(link).filter(action=LogEntry.Action.UPDATE)
    assert [e.changes_dict["restricted"] for e in flags.order_by("id")] == [
        ["False", "True"],
        ["True", "False"],
    ]


def test_only_a_school_or_district_admin_of_the_student_restricts_or_lifts(cast: Cast) -> None:
    link = leo_lila(cast)
    with pytest.raises(OutsideScope):
        restrict_link(actor=cast.hana, link=link, kind="other", note="x")
    restrict_link(actor=cast.sam, link=link, kind="other", note="Emergency note from the office")
    with pytest.raises(OutsideScope):
        lift_restriction(actor=cast.leo, link=link, note="please")
    holly = StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly)
    with pytest.raises(OutsideScope):
        restrict_link(actor=cast.sam, link=holly, kind="other", note="not my school")
    with pytest.raises(ServiceError, match="a note is required"):
        lift_restriction(actor=cast.sam, link=link, note="")
    with pytest.raises(ServiceError, match="already restricted"):
        restrict_link(actor=cast.dana, link=link, kind="court-order", note="another")
    assert leo_lila(cast).restricted


def test_one_restriction_in_force_per_link_and_a_lift_has_a_note(cast: Cast) -> None:
    link = leo_lila(cast)
    now = timezone.now()
    LinkRestriction.objects.create(
        link=link, kind="custody", note="a", restricted_at=now, restricted_by_name="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkRestriction.objects.create(
            link=link, kind="custody", note="b", restricted_at=now, restricted_by_name="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkRestriction.objects.create(
            link=link,
            kind="other",
            note="c",
            restricted_at=now,
            restricted_by_name="x",
            lifted_at=now,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LinkRestriction.objects.create(
            link=link, kind="rumour", note="d", restricted_at=now, restricted_by_name="x"
        )


def test_the_pair_leaves_the_access_rule_and_the_learning_systems_at_once(cast: Cast) -> None:
    link = leo_lila(cast)
    assert link in links_granting_access()
    assert (cast.lila.pk, cast.leo_contact.pk) in {
        (p.student_id, p.contact_id) for p in shared_pairs()
    }
    restrict_link(actor=cast.dana, link=link, kind="court-order", note="Order 7 of 2026")
    assert link not in links_granting_access()
    assert (cast.lila.pk, cast.leo_contact.pk) not in {
        (p.student_id, p.contact_id) for p in shared_pairs()
    }
    lift_restriction(actor=cast.dana, link=link, note="Order 7 vacated")
    assert link in links_granting_access()


def test_a_code_cannot_relink_a_restricted_parent(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    link = leo_lila(cast)
    restrict_link(actor=cast.dana, link=link, kind="court-order", note="Order 7 of 2026")
    generate_codes(actor=command_line_user(), missing_only=True)
    code = AccessCode.objects.get(student=cast.lila, revoked_at__isnull=True)
    outcome = linking.add_child(actor=cast.leo, entry=code.code, remote_address=None)
    assert outcome.pending is not None  # the restricted queue, as for any restricted student
    with pytest.raises(ServiceError, match="restricted"):
        restricted_queue.approve_link(actor=cast.sam, pending=outcome.pending)
    assert PendingLink.objects.get().status == "pending"
    assert not leo_lila(cast).grants_access()
    assert list(students_visible_to(account=cast.leo)) == []


def test_a_restricted_parent_is_not_told_of_a_new_guardian(
    cast: Cast, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    restrict_link(actor=cast.dana, link=leo_lila(cast), kind="custody", note="Agreement")
    newcomer = AccountFactory.create(username="new@example.org", email="new@example.org")
    assert linking.notify_other_guardians(student=cast.lila, new_account=newcomer) == 0
    assert mailoutbox == []


def test_a_restriction_names_its_actor_in_the_log_from_the_command_line(cast: Cast) -> None:
    restrict_link(actor=command_line_user(), link=leo_lila(cast), kind="other", note="Office")
    entry = LogEntry.objects.get_for_object(leo_lila(cast).restrictions.get()).get()
    assert "(command line)" in (entry.additional_data or {})[ACTOR_KEY]
