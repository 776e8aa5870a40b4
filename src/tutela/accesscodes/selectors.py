"""Reading access codes and the restricted queue, always scoped by who is asking.

``user=None`` means the system itself (the ``tutela`` command run by whoever administers the
server); every web page passes the signed-in account.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tutela.accesscodes.codes import format_code
from tutela.accesscodes.models import AccessCode, PendingLink, PendingStatus
from tutela.people.models import School, Student
from tutela.sections.models import Section
from tutela.sections.selectors import school_ids_of, sections_visible_to, sees_whole_district

EXPORT_COLUMNS = (
    "Student_Number",
    "First_Name",
    "Last_Name",
    "SchoolID",
    "Grade_Level",
    "Access_Code",
)
REVIEW_PERMISSION = "accesscodes.review_restricted_links"
BATCH = 5000


class NotVisible(LookupError):
    """The school or section does not exist, or the person asking may not see it (one answer
    for both, so a teacher cannot probe for other teachers' section ids)."""


def may_export_all(user: Any) -> bool:
    return user is None or sees_whole_district(user)


def section_visible_to(*, user: Any, section_id: str) -> Section:
    scope = Section.objects.all() if user is None else sections_visible_to(user=user)
    section = scope.select_related("school").filter(section_id=section_id).first()
    if section is None:
        raise NotVisible(f"no section {section_id!r} that you may see")
    return section


def schools_visible_to(*, user: Any) -> QuerySet[School]:
    """The schools whose every code ``user`` may download."""
    if may_export_all(user):
        return School.objects.all()
    return School.objects.filter(pk__in=school_ids_of(user))


def school_visible_to(*, user: Any, school_number: str) -> School:
    school = schools_visible_to(user=user).filter(school_number=school_number).first()
    if school is None:
        raise NotVisible(f"no school {school_number!r} that you may see")
    return school


def students_for_codes(
    *, user: Any, school: School | None = None, section: Section | None = None
) -> QuerySet[Student]:
    """The students whose codes ``user`` may download, narrowed to a school or a section.

    District-wide staff (and the system) may download any; school staff their schools'
    students; a teacher the students of the sections they teach.
    """
    if school is not None and section is not None:
        raise ValueError("a school or a section, not both")
    students = Student.objects.all()
    joined = section is not None  # a join through sections may repeat a student
    if not may_export_all(user):
        joined = True
        visible = sections_visible_to(user=user)
        if section is not None and not visible.filter(pk=section.pk).exists():
            raise NotVisible(f"no section {section.section_id!r} that you may see")
        students = students.filter(Q(sections__in=visible) | Q(school__in=school_ids_of(user)))
    if section is not None:
        students = students.filter(sections=section)
    if school is not None:
        students = students.filter(school=school)
    if joined:
        students = Student.objects.filter(pk__in=students.values("pk"))
    return students.select_related("school")


def student_in_scope(*, user: Any, student_number: str) -> Student:
    """A student whose code ``user`` may reset: district-wide or school staff only."""
    students = Student.objects.all()
    if not may_export_all(user):
        students = students.filter(school__in=school_ids_of(user))
    student = students.filter(student_number=student_number).first()
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
    writer = csv.writer(handle)
    writer.writerow(EXPORT_COLUMNS)
    written = missing = 0
    for row in rows:
        writer.writerow(row.cells())
        written += 1
        missing += not row.code
    return written, missing


def pending_links_visible_to(*, user: Any) -> QuerySet[PendingLink]:
    """The restricted-student queue a school admin decides: their schools' students (all for
    district-wide staff and holders of the review permission); nothing for anyone else."""
    pending = PendingLink.objects.filter(status=PendingStatus.PENDING).select_related(
        "student__school", "contact", "account"
    )
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return pending.none()
    if sees_whole_district(user) or user.has_perm(REVIEW_PERMISSION):
        return pending
    return pending.filter(student__school__in=school_ids_of(user))
