"""The age-18 hand-over: on the 18th birthday the parents' data access ends, through the dated
details and audited, unless the student is a dependent or consented; a dry run changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db.models import F

from tests.cast import Cast
from tests.conftest import Run
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact, StudentContactDetail
from tutela.people.services import OutsideScope, ServiceError
from tutela.privacy.majority import birthday_at, hand_over, record_majority_exception
from tutela.privacy.models import MajorityHandover
from tutela.privacy.tasks import age_of_majority_task

pytestmark = pytest.mark.django_db

BIRTHDAY = datetime.date(2026, 12, 10)


@pytest.fixture
def lila_turning_18(cast: Cast) -> Cast:
    cast.lila.date_of_birth = datetime.date(2008, 12, 10)
    cast.lila.save()
    return cast


def lila_links(cast: Cast) -> list[StudentContact]:
    return list(StudentContact.objects.filter(student=cast.lila).order_by("contact_id"))


def test_turning_18_ends_both_parents_access_with_a_dated_detail(
    tutela: Callable[..., Run], lila_turning_18: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast = lila_turning_18
    assert all(link.grants_access(BIRTHDAY) for link in lila_links(cast))
    with django_capture_on_commit_callbacks(execute=True):
        run = tutela("privacy", "age-of-majority", "--today", "2026-12-10")
    assert run.code == 0, run.err
    assert "1 students handed over" in run.out
    assert "student 3001 (Lila Lake) turned 18 on 2026-12-10: ended the access of" in run.out
    for link in lila_links(cast):
        assert not link.grants_access(BIRTHDAY)
        assert link.grants_access(BIRTHDAY - datetime.timedelta(days=1))  # history kept
        details = list(link.details.order_by(F("start_date").asc(nulls_first=True)))
        assert [d.allow_data_access for d in details] == [True, False]
        assert details[0].end_date == datetime.date(2026, 12, 9)
        assert details[1].start_date == BIRTHDAY
    handover = MajorityHandover.objects.get(student=cast.lila)
    assert handover.handed_over_on == BIRTHDAY and len(handover.contacts) == 2
    # Audited like any staff change, with the command line's user.
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(StudentContactDetail)
    )
    assert entries.filter(action=LogEntry.Action.CREATE).count() >= 2
    assert any(
        "(command line)" in str((entry.additional_data or {}).get("actor", "")) for entry in entries
    )
    # Both parents are told, each at their own address.
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == ["leo@example.org", "una@example.org"]
    assert "Lila has turned 18" in mail.outbox[0].body
    # A second run finds nothing more to do.
    again = tutela("privacy", "age-of-majority", "--today", "2026-12-11")
    assert "0 students handed over" in again.out
    assert len(mail.outbox) == 2


def test_the_day_before_nothing_happens_and_the_report_lists_it(
    tutela: Callable[..., Run], lila_turning_18: Cast
) -> None:
    run = tutela("privacy", "age-of-majority", "--today", "2026-11-20")
    assert run.code == 0, run.err
    assert "0 students handed over" in run.out
    assert "Coming in the next 30 days: 1 students." in run.out
    assert "2026-12-10 student 3001 (Lila Lake): ends the access of contact" in run.out
    assert all(link.grants_access(BIRTHDAY) for link in lila_links(lila_turning_18))


def test_a_dependent_student_keeps_the_parents_access(
    tutela: Callable[..., Run], lila_turning_18: Cast
) -> None:
    cast = lila_turning_18
    run = tutela("privacy", "keep-access", "3001", "--kind", "dependent", "--until", "2027-12-31")
    assert run.code == 0, run.err
    run = tutela("privacy", "age-of-majority", "--today", "2026-12-10")
    assert run.code == 0, run.err
    assert "access kept (dependent for tax purposes until 2027-12-31)" in run.out
    assert all(link.grants_access(BIRTHDAY) for link in lila_links(cast))
    assert not MajorityHandover.objects.exists()
    assert mail.outbox == []
    # Once the dependency ends, the next run hands over.
    hand_over(actor=command_line_user(), today=datetime.date(2028, 1, 1))
    assert not any(link.grants_access(datetime.date(2028, 1, 1)) for link in lila_links(cast))


def test_consent_without_an_end_keeps_access(lila_turning_18: Cast) -> None:
    cast = lila_turning_18
    record_majority_exception(actor=cast.sam, student=cast.lila, kind="consent", note="signed")
    report = hand_over(actor=command_line_user(), today=BIRTHDAY)
    assert report.handed_over == [] and len(report.kept) == 1
    assert all(link.grants_access(BIRTHDAY) for link in lila_links(cast))


def test_a_dry_run_changes_nothing(tutela: Callable[..., Run], lila_turning_18: Cast) -> None:
    cast = lila_turning_18
    details = StudentContactDetail.objects.count()
    entries = LogEntry.objects.count()
    run = tutela("privacy", "age-of-majority", "--dry-run", "--today", "2026-12-10")
    assert run.code == 0, run.err
    assert run.out.startswith("Dry run: nothing changed.")
    assert "would end the access of contact" in run.out
    assert StudentContactDetail.objects.count() == details
    assert LogEntry.objects.count() == entries
    assert not MajorityHandover.objects.exists()
    assert mail.outbox == []
    assert all(link.grants_access(BIRTHDAY) for link in lila_links(cast))


def test_a_detail_starting_on_the_birthday_is_switched_off(lila_turning_18: Cast) -> None:
    cast = lila_turning_18
    for link in lila_links(cast):
        link.details.update(start_date=BIRTHDAY)
    hand_over(actor=command_line_user(), today=BIRTHDAY)
    for link in lila_links(cast):
        assert [d.allow_data_access for d in link.details.all()] == [False]


def test_the_daily_task_hands_over_today(cast: Cast) -> None:
    cast.lila.date_of_birth = datetime.date(datetime.date.today().year - 19, 1, 1)
    cast.lila.save()
    age_of_majority_task.call_local()
    assert list(students_visible_to(account=cast.leo)) == []


def test_a_29_february_birthday_is_1_march_in_a_common_year() -> None:
    assert birthday_at(datetime.date(2008, 2, 29)) == datetime.date(2026, 3, 1)
    assert birthday_at(datetime.date(2006, 2, 28)) == datetime.date(2024, 2, 28)


def test_only_staff_record_a_dependent_and_it_needs_an_end(cast: Cast) -> None:
    with pytest.raises(OutsideScope):
        record_majority_exception(actor=cast.leo, student=cast.lila, kind="consent")
    with pytest.raises(ServiceError, match="needs an end date"):
        record_majority_exception(actor=cast.sam, student=cast.lila, kind="dependent")
    with pytest.raises(OutsideScope):
        hand_over(actor=cast.sam, today=BIRTHDAY)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("age-of-majority", "--today", "12/10/2026"), "--today 12/10/2026: not a date"),
        (("keep-access", "9999", "--kind", "consent"), "STUDENT_NUMBER 9999"),
        (("keep-access", "3001", "--kind", "dependent"), "needs an end date"),
        (("keep-access", "3001", "--kind", "consent", "--until", "x"), "--until x: not a date"),
    ],
)
def test_bad_arguments_exit_2_naming_the_problem(
    tutela: Callable[..., Run], cast: Cast, args: tuple[str, ...], message: str
) -> None:
    run = tutela("privacy", *args)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err
