"""The age-18 hand-over: FERPA's rights pass from the parents to the student (34 CFR 99.5).

On the 18th birthday every contact whose link grants access to the student loses it, unless the
district has recorded the student as a dependent (until an end date) or the student's consent
(``MajorityException``). Access ends through the people services, so the audit trail records it
like any other change: a new dated detail from the run's day with data access off, the earlier
detail ending the day before (the history of who could see the student stays whole). The parents
are emailed; the staff home lists recent hand-overs; ``upcoming_handovers`` the next ones.

The daily Huey task (``tasks.py``) and ``tutela privacy age-of-majority`` run ``hand_over``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import account_of, actor_name, audited
from tutela.notifications.email import send_email
from tutela.people.models import Student, StudentContact, StudentContactDetail
from tutela.people.selectors import links_granting_access
from tutela.people.services import (
    LinkRights,
    OutsideScope,
    ServiceError,
    add_link_detail,
    require_school_of,
    update_link_detail,
)
from tutela.privacy.models import MajorityException, MajorityExceptionKind, MajorityHandover

AGE_OF_MAJORITY = 18
UPCOMING_DAYS = 30


def birthday_at(date_of_birth: datetime.date, age: int = AGE_OF_MAJORITY) -> datetime.date:
    """The day a person born on ``date_of_birth`` turns ``age``; 29 February's is 1 March in
    a common year (the day after 28 February, when the birthday has not yet come)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return datetime.date(date_of_birth.year + age, 3, 1)


def _born_by(day: datetime.date) -> datetime.date:
    """The latest date of birth of someone who is 18 on ``day``."""
    try:
        return day.replace(year=day.year - AGE_OF_MAJORITY)
    except ValueError:
        # 29 February: someone born on 1 March 18 years ago turns 18 today too.
        return datetime.date(day.year - AGE_OF_MAJORITY, 3, 1)


def exceptions_holding(day: datetime.date) -> QuerySet[MajorityException]:
    return MajorityException.objects.filter(Q(until__isnull=True) | Q(until__gte=day))


def exception_for(student: Student, day: datetime.date) -> MajorityException | None:
    """The dependent or consent record that keeps the parents' access on ``day``, if any."""
    return exceptions_holding(day).filter(student=student).first()


@dataclass
class Handover:
    """One student's hand-over, done or planned: whose access ends (or ended)."""

    student: Student
    birthday: datetime.date
    contacts: list[str] = field(default_factory=list)
    kept_by: MajorityException | None = None


@dataclass
class HandoverReport:
    """What a run did (or, dry, would do), and the hand-overs coming up."""

    today: datetime.date
    dry_run: bool
    handed_over: list[Handover] = field(default_factory=list)
    kept: list[Handover] = field(default_factory=list)
    upcoming: list[Handover] = field(default_factory=list)
    # Students whose hand-over a service refused, with why: left for staff, the rest go on.
    failed: list[tuple[Handover, str]] = field(default_factory=list)


def _granting_links(student_ids: Iterable[int], day: datetime.date) -> QuerySet[StudentContact]:
    return (
        links_granting_access(day)
        .filter(student_id__in=list(student_ids))
        .select_related("contact__account", "student__school")
        .prefetch_related("details__relationship_type", "contact__emails")
        .order_by("student_id", "contact_priority_order")
    )


def _contact_line(link: StudentContact) -> str:
    return f"{link.contact_id} {link.contact}"


def _due(day: datetime.date) -> QuerySet[Student]:
    """Students 18 on ``day`` not yet handed over, whose contacts still see them."""
    return (
        Student.objects.filter(date_of_birth__lte=_born_by(day), majority_handover__isnull=True)
        .filter(pk__in=links_granting_access(day).values("student_id"))
        .select_related("school")
        .order_by("student_number")
    )


def upcoming_handovers(
    *, actor: Actor, today: datetime.date, days: int = UPCOMING_DAYS
) -> list[Handover]:
    """The students in ``actor``'s scope who turn 18 after ``today`` and within ``days``,
    with the contacts who would lose access, and the record that keeps it if one holds then."""
    latest = _born_by(today + datetime.timedelta(days=days))
    earliest = _born_by(today)
    students = list(
        Scope.of(actor)
        .students()
        .filter(date_of_birth__gt=earliest, date_of_birth__lte=latest)
        .select_related("school")
        .order_by("date_of_birth", "student_number")
    )
    links: dict[int, list[str]] = {}
    for link in _granting_links((s.pk for s in students), today):
        links.setdefault(link.student_id, []).append(_contact_line(link))
    planned = []
    for student in students:
        assert student.date_of_birth is not None
        birthday = birthday_at(student.date_of_birth)
        planned.append(
            Handover(
                student=student,
                birthday=birthday,
                contacts=links.get(student.pk, []),
                kept_by=exception_for(student, birthday),
            )
        )
    return planned


def recent_handovers(*, actor: Actor, since: datetime.date) -> QuerySet[MajorityHandover]:
    """The hand-overs done since ``since`` among the students ``actor`` may open."""
    return (
        MajorityHandover.objects.filter(
            student__in=Scope.of(actor).students(), handed_over_on__gte=since
        )
        .select_related("student__school")
        .order_by("-handed_over_on", "student__student_number")
    )


def _end_access(*, actor: Actor, link: StudentContact, day: datetime.date) -> None:
    """End the link's data access from ``day`` by the dated-details rule: a new detail with the
    same facts and no data access; a detail starting that day (or later) is corrected instead."""
    details = list(link.details.all())
    later = [d for d in details if d.start_date is not None and d.start_date >= day]
    if later:
        for detail in later:
            if detail.allow_data_access:
                _switch_off(actor=actor, detail=detail)
        return
    active = link.active_detail(day)
    assert active is not None  # the link grants access, so a detail holds today
    rights = _without_access(active)
    add_link_detail(
        actor=actor,
        link=link,
        start_date=day,
        end_date=active.end_date,
        relationship_type=active.relationship_type.code if active.relationship_type else None,
        relationship_note=active.relationship_note,
        rights=rights,
    )


def _without_access(detail: StudentContactDetail) -> LinkRights:
    facts = {name: getattr(detail, name) for name in LinkRights.names()}
    return LinkRights(**{**facts, "allow_data_access": False})


def _switch_off(*, actor: Actor, detail: StudentContactDetail) -> None:
    rights = _without_access(detail)
    update_link_detail(
        actor=actor,
        detail=detail,
        relationship_type=detail.relationship_type.code if detail.relationship_type else None,
        relationship_note=detail.relationship_note,
        start_date=detail.start_date,
        end_date=detail.end_date,
        rights=rights,
    )


def _address(link: StudentContact) -> str:
    account = getattr(link.contact, "account", None)
    if account is not None and account.email:
        return str(account.email)
    primary = next((e for e in link.contact.emails.all() if e.is_primary), None)
    return primary.address if primary else ""


def _tell(link: StudentContact) -> None:
    address = _address(link)
    if not address:
        return
    send_email(
        to=address,
        template="rights_handed_over",
        context={
            "parent_name": f"{link.contact.first_name} {link.contact.last_name}".strip(),
            "student_first_name": link.student.first_name,
            "school_name": str(link.student.school.name),
        },
        robust=True,
        language=link.contact.preferred_language,
    )


def hand_over(*, actor: Actor, today: datetime.date, dry_run: bool = False) -> HandoverReport:
    """End the parents' access of every student who is 18 on ``today`` (unless a dependent or
    consent record holds), tell them, and record the hand-over; with ``dry_run`` only report.

    Each student is one transaction: a failure leaves the others' hand-overs standing.
    """
    if not Scope.of(actor).is_district_admin:
        raise OutsideScope("only a district admin hands students' rights over")
    report = HandoverReport(today=today, dry_run=dry_run)
    due = list(_due(today))
    held = {e.student_id: e for e in exceptions_holding(today).filter(student__in=due)}
    links: dict[int, list[StudentContact]] = {}
    for link in _granting_links((s.pk for s in due), today):
        links.setdefault(link.student_id, []).append(link)
    for student in due:
        assert student.date_of_birth is not None
        planned = Handover(
            student=student,
            birthday=birthday_at(student.date_of_birth),
            contacts=[_contact_line(link) for link in links.get(student.pk, [])],
            kept_by=held.get(student.pk),
        )
        if planned.kept_by is not None:
            report.kept.append(planned)
            continue
        if dry_run:
            report.handed_over.append(planned)
            continue
        try:
            with audited(actor), transaction.atomic():
                for link in links.get(student.pk, []):
                    _end_access(actor=actor, link=link, day=today)
                    _tell(link)
                MajorityHandover.objects.create(
                    student=student,
                    birthday=planned.birthday,
                    handed_over_on=today,
                    contacts=planned.contacts,
                    recorded_at=timezone.now(),
                )
        except ServiceError as error:
            report.failed.append((planned, str(error)))
        else:
            report.handed_over.append(planned)
    report.upcoming = upcoming_handovers(actor=actor, today=today)
    return report


def record_majority_exception(
    *,
    actor: Actor,
    student: Student,
    kind: str,
    until: datetime.date | None = None,
    note: str = "",
) -> MajorityException:
    """Record that a student's parents keep their access past 18: a dependent (``until`` is
    required: the end of the tax year it rests on) or the student's consent."""
    if not Scope.of(actor).staff:
        raise OutsideScope("only school and district admins record a dependent or consent")
    require_school_of(actor=actor, student=student)
    if kind not in MajorityExceptionKind.values:
        raise ServiceError(f"kind {kind!r} is not one of {', '.join(MajorityExceptionKind.values)}")
    if kind == MajorityExceptionKind.DEPENDENT and until is None:
        raise ServiceError("a dependent student needs an end date (until)")
    note = note.strip()
    limit = MajorityException._meta.get_field("note").max_length or 500
    if len(note) > limit:
        raise ServiceError(f"the note is at most {limit} characters, not {len(note)}")
    with audited(actor), transaction.atomic():
        return MajorityException.objects.create(
            student=student,
            kind=kind,
            until=until,
            note=note,
            recorded_at=timezone.now(),
            recorded_by=account_of(actor),
            recorded_by_name=actor_name(actor),
        )
