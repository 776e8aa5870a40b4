"""Issuing and resetting parent access codes, one student, one school or the whole district.

The writes are set-based (a district-wide reset is 100,000 codes), so each school touched gets one
audit summary entry instead of a row per code.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tutela.accesscodes.codes import new_code
from tutela.accesscodes.models import AccessCode, AccessCodeJob
from tutela.accounts.scopes import Actor
from tutela.core.audit import account_of, actor_name, audited, log_summary
from tutela.jobs import lifecycle
from tutela.people.models import School, Student
from tutela.people.services import ServiceError

logger = logging.getLogger(__name__)

CHUNK = 5000


def default_expiry(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When a code issued now expires under the district setting (``None``: never)."""
    days = settings.ACCESS_CODE_VALID_DAYS
    if not days:
        return None
    return (now or timezone.now()) + datetime.timedelta(days=days)


def _unused_codes(count: int) -> list[str]:
    """``count`` fresh codes that no code ever issued uses, checked against the table."""
    fresh: set[str] = set()
    while len(fresh) < count:
        batch = {new_code() for _ in range(min(CHUNK, count - len(fresh)))} - fresh
        taken = set(AccessCode.objects.filter(code__in=batch).values_list("code", flat=True))
        fresh |= batch - taken
    return list(fresh)


def _distinct_codes(count: int) -> list[str]:
    """``count`` fresh codes, distinct among themselves (not checked against the table)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        fresh.add(new_code())
    return list(fresh)


def _issue(
    students: QuerySet[Student],
    *,
    actor: Actor,
    expires_at: datetime.datetime | None,
    action: str,
    scope: str,
    progress: Callable[[int, int], None],
) -> int:
    """Revoke the current codes of ``students`` and give each a new one, in bulk.

    A new code clashes with one of N codes ever issued with odds N / 2^60 (one in ten million
    for a district that has issued a hundred thousand), so codes are inserted unchecked and the
    unique constraint catches the rare clash, after which that batch is drawn again, checked.

    The writes are set-based, so auditlog sees no row: each school touched gets one summary
    entry instead (``action``, how many codes were issued and revoked, ``scope``), naming the
    actor of the surrounding ``audited(actor)`` and never a code.
    """
    now = timezone.now()
    expiry = expires_at if expires_at is not None else default_expiry(now)
    rows = list(students.order_by().values_list("pk", "school_id"))
    ids = [pk for pk, _ in rows]
    issued = Counter(school_id for _, school_id in rows)
    creator = account_of(actor)
    current = AccessCode.objects.filter(
        revoked_at__isnull=True, student_id__in=students.order_by().values("pk")
    )
    revoked = Counter(
        dict(
            current.order_by()
            .values_list("student__school_id")
            .annotate(n=Count("pk"))
            .values_list("student__school_id", "n")
        )
    )
    current.update(revoked_at=now)
    progress(0, len(ids))
    insert = partial(
        _insert_codes, now=now, creator_id=creator.pk if creator else None, expires_at=expiry
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            with transaction.atomic():
                insert(list(zip(chunk, _distinct_codes(len(chunk)), strict=True)))
        except IntegrityError:
            insert(list(zip(chunk, _unused_codes(len(chunk)), strict=True)))
        progress(start + len(chunk), len(ids))
    for school in School.objects.filter(pk__in=issued.keys()).order_by("pk"):
        log_summary(
            instance=school,
            action=action,
            count=issued[school.pk],
            scope=scope,
            revoked=revoked[school.pk],
            expires_at=expiry.isoformat() if expiry else None,
        )
    return len(ids)


def _issue_as_job(
    job: AccessCodeJob,
    students: QuerySet[Student],
    *,
    actor: Actor,
    expires_at: datetime.datetime | None,
    on_wait: Callable[[str], None] | None,
) -> int:
    """``_issue`` as a job: started before the transaction, finished inside it."""
    job.actor, job.actor_name = account_of(actor), actor_name(actor)
    action = "access codes generated" if job.action == job.Action.GENERATE else "access codes reset"
    with (
        lifecycle.running(job, on_wait=on_wait) as running,
        audited(actor),
        transaction.atomic(),
    ):
        job.issued = _issue(
            students,
            actor=actor,
            expires_at=expires_at,
            action=action,
            scope=job.scope,
            progress=lambda done, total: running.progress(done, total, "issuing"),
        )
        lifecycle.finish(job)
    return job.issued


def _insert_codes(
    rows: list[tuple[int, str]],
    *,
    now: datetime.datetime,
    creator_id: int | None,
    expires_at: datetime.datetime | None,
) -> None:
    """Insert (student id, code) rows: PostgreSQL's COPY, else one prepared statement.

    ``bulk_create`` spends ~0.3 ms a row building SQL in Python; a district-wide reset is
    100,000 rows.
    """
    table = connection.ops.quote_name(AccessCode._meta.db_table)
    columns = "(student_id, code, created_at, created_by_id, expires_at)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: Django's wrapper has no COPY, so map its errors here.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy,
            ):
                for student_id, code in rows:
                    copy.write_row((student_id, code, now, creator_id, expires_at))
            return
        created = connection.ops.adapt_datetimefield_value(now)
        expiry = connection.ops.adapt_datetimefield_value(expires_at)
        cursor.executemany(
            f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [(student_id, code, created, creator_id, expiry) for student_id, code in rows],
        )


def _usable_now(now: datetime.datetime) -> Q:
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def generate_codes(
    *,
    actor: Actor,
    school: School | None = None,
    missing_only: bool = False,
    expires_at: datetime.datetime | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> int:
    """Give every student (of ``school``, if given) a new code; the number of codes issued.

    Without ``missing_only`` a student's existing code is replaced and stops working. With it,
    only students without a usable code (none yet, expired, or used up) get one: the way to
    cover new enrolments and, with single-use codes, the next guardian. A bulk job: it waits
    for one already running (``on_wait`` is told which).
    """
    students = Student.objects.all()
    if school is not None:
        students = students.filter(school=school)
    if missing_only:
        usable = AccessCode.objects.filter(_usable_now(timezone.now()))
        students = students.exclude(pk__in=usable.values("student_id"))
    scope = f"school {school.school_number}" if school else "the district"
    if missing_only:
        scope += ", students without a usable code"
    issued = _issue_as_job(
        AccessCodeJob(action=AccessCodeJob.Action.GENERATE, scope=scope),
        students,
        actor=actor,
        expires_at=expires_at,
        on_wait=on_wait,
    )
    logger.info(
        "access codes: %d issued (school %s, missing only %s) by %s",
        issued,
        school.school_number if school else "all",
        missing_only,
        actor_name(actor),
    )
    return issued


def issue_missing_codes(*, actor: Actor, students: QuerySet[Student], scope: str) -> int:
    """Give each of ``students`` without a usable code a new one; the number issued.

    For letters and lists handed out by selection (a grade, a section): a student who has a
    usable code keeps it, so letters printed earlier stay good.
    """
    with audited(actor), transaction.atomic():
        usable = AccessCode.objects.filter(_usable_now(timezone.now()))
        missing = students.exclude(pk__in=usable.values("student_id"))
        return _issue(
            missing,
            actor=actor,
            expires_at=None,
            action="access codes generated",
            scope=f"{scope}, students without a usable code",
            progress=lambda done, total: None,  # a letter run is one school's: no progress bar
        )


def reset_codes(
    *,
    actor: Actor,
    school: School | None = None,
    student: Student | None = None,
    expires_at: datetime.datetime | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> int:
    """Replace the codes of one student, a school, or (neither given) the whole district.

    The old codes stop working at once, including in registrations still waiting for their
    email link. A school's or the district's reset is a bulk job: it waits for one already
    running (``on_wait`` is told which).
    """
    if school is not None and student is not None:
        raise ServiceError("reset one student or one school, not both")
    if student is not None:
        with audited(actor), transaction.atomic():
            # One student: through the ORM, so the audit trail records the reset by name.
            now = timezone.now()
            for current in AccessCode.objects.filter(student=student, revoked_at__isnull=True):
                current.revoked_at = now
                current.save(update_fields=["revoked_at"])
            AccessCode.objects.create(
                student=student,
                code=_unused_codes(1)[0],
                created_by=account_of(actor),
                expires_at=expires_at if expires_at is not None else default_expiry(now),
            )
            return 1
    students = Student.objects.all()
    if school is not None:
        students = students.filter(school=school)
    replaced = _issue_as_job(
        AccessCodeJob(
            action=AccessCodeJob.Action.RESET,
            scope=f"school {school.school_number}" if school else "the district",
        ),
        students,
        actor=actor,
        expires_at=expires_at,
        on_wait=on_wait,
    )
    logger.info(
        "access codes: %d reset (school %s) by %s",
        replaced,
        school.school_number if school else "all",
        actor_name(actor),
    )
    return replaced
