"""Reading access codes and the restricted queue, always scoped by who is asking.

Every reader takes the ``actor``: the signed-in account on a web page, ``command_line_user()``
for the ``tutela`` command (district-wide) or the account named with ``--as-user``. What it
reaches is ``Scope.of(actor)``, as on every other screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.db.models import Q, QuerySet
from django.utils import timezone

from tutela.accesscodes.codes import format_code
from tutela.accesscodes.models import AccessCode, PendingLink, PendingStatus
from tutela.accounts.scopes import Actor, Scope
from tutela.core.spreadsheets import csv_writer
from tutela.people.models import School, Student
from tutela.sections.models import Section

EXPORT_COLUMNS = (
    "Student_Number",
    "First_Name",
    "Last_Name",
    "SchoolID",
    "Grade_Level",
    "Access_Code",
)
BATCH = 5000


class NotVisible(LookupError):
    """The school or section does not exist, or the person asking may not see it (one answer
    for both, so a teacher cannot probe for other teachers' section ids)."""


def section_visible_to(*, actor: Actor, section_id: str) -> Section:
    section = (
        Scope.of(actor).sections().select_related("school").filter(section_id=section_id).first()
    )
    if section is None:
        raise NotVisible(f"no section {section_id!r} that you may see")
    return section


def schools_visible_to(*, actor: Actor) -> QuerySet[School]:
    """The schools whose every code ``actor`` may download."""
    return Scope.of(actor).schools()


def school_visible_to(*, actor: Actor, school_number: str) -> School:
    school = schools_visible_to(actor=actor).filter(school_number=school_number).first()
    if school is None:
        raise NotVisible(f"no school {school_number!r} that you may see")
    return school


def students_for_codes(
    *, actor: Actor, school: School | None = None, section: Section | None = None
) -> QuerySet[Student]:
    """The students whose codes ``actor`` may download, narrowed to a school or a section.

    The students of its scope: every student for district-wide staff (and the command line),
    their schools' students for school staff, a teacher's sections' students.
    """
    if school is not None and section is not None:
        raise ValueError("a school or a section, not both")
    scope = Scope.of(actor)
    students = scope.students()
    if section is not None:
        if not scope.sections().filter(pk=section.pk).exists():
            raise NotVisible(f"no section {section.section_id!r} that you may see")
        students = students.filter(sections=section)
    if school is not None:
        students = students.filter(school=school)
    return students.select_related("school")


def student_in_scope(*, actor: Actor, student_number: str) -> Student:
    """A student whose code ``actor`` may reset: district-wide or school staff only."""
    student = Scope.of(actor).school_students().filter(student_number=student_number).first()
    if student is None:
        raise NotVisible(f"no student {student_number!r} that you may see")
    return student


@dataclass(frozen=True)
class CodeRow:
    """One line of the distribution file: the student's columns and their code."""

    student_number: str
    first_name: str
    last_name: str
    school_number: str
    grade_level: str
    code: str  # formatted, or "" when the student has no usable code

    def cells(self) -> list[str]:
        return [
            self.student_number,
            self.first_name,
            self.last_name,
            self.school_number,
            self.grade_level,
            self.code,
        ]


def code_rows(students: QuerySet[Student]) -> Iterator[CodeRow]:
    """Each student with their usable code, in student-number order, a batch at a time.

    Plain tuples rather than model instances: a district's file is 100,000 rows.
    """
    now = timezone.now()
    usable = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    ordered = students.order_by("student_number").values_list(
        "pk", "student_number", "first_name", "last_name", "school__school_number", "grade_level"
    )
    last = ""
    while True:
        batch = list(ordered.filter(student_number__gt=last)[:BATCH])
        if not batch:
            return
        codes = dict(
            AccessCode.objects.filter(usable, student_id__in=[row[0] for row in batch]).values_list(
                "student_id", "code"
            )
        )
        for pk, number, first, last_name, school, grade in batch:
            code = codes.get(pk)
            yield CodeRow(
                number, first, last_name, school, grade, format_code(code) if code else ""
            )
        last = batch[-1][1]


def write_codes_csv(rows: Iterator[CodeRow], handle: IO[str]) -> tuple[int, int]:
    """The distribution CSV; returns (rows written, rows without a code)."""
    writer = csv_writer(handle)
    writer.writerow(EXPORT_COLUMNS)
    written = missing = 0
    for row in rows:
        writer.writerow(row.cells())
        written += 1
        missing += not row.code
    return written, missing


def pending_links_visible_to(*, actor: Actor) -> QuerySet[PendingLink]:
    """The restricted-student queue a school admin decides: their schools' students (all for
    district-wide staff); nothing for anyone else."""
    return PendingLink.objects.filter(
        status=PendingStatus.PENDING, student__in=Scope.of(actor).school_students()
    ).select_related("student__school", "contact", "account")


def current_code(*, actor: Actor, student: Student) -> AccessCode | None:
    """The student's current (unrevoked) code, for staff who may hand it out; ``None`` when
    the student has none or ``actor`` may not see it."""
    if not Scope.of(actor).students().filter(pk=student.pk).exists():
        return None
    return AccessCode.objects.filter(student=student, revoked_at__isnull=True).first()
