"""Which students an AutoCreate run walks: all, a school, grade levels, or a file of numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from tutela.core.tabular import FileProblem, normalise_header, read_table
from tutela.people.models import Student

# Active and pre-registered students: August's new families are often still pre-registered,
# while the parents of transferred-out or graduated students need no new access.
ENROLLED_STATUSES = (0, -1)
NUMBER_HEADERS = {"studentnumber", "studentid", "student"}


@dataclass(frozen=True)
class Selection:
    """A choice of students. Empty means every enrolled student of the district.

    ``student_numbers`` (from a file) names students whatever their enrolment, because a
    person chose them one by one; numbers that match no student are reported.
    """

    school: str = ""
    grades: tuple[str, ...] = ()
    student_numbers: tuple[str, ...] | None = None
    file_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def queryset(self) -> QuerySet[Student]:
        students = Student.objects.all()
        if self.student_numbers is None:
            students = students.filter(enroll_status__in=ENROLLED_STATUSES)
        if self.school:
            students = students.filter(school__school_number=self.school)
        if self.grades:
            students = students.filter(grade_level__in=list(self.grades))
        return students

    @property
    def is_everyone(self) -> bool:
        return not self.school and not self.grades and self.student_numbers is None

    def as_json(self) -> dict[str, Any]:
        return {
            "school": self.school,
            "grades": list(self.grades),
            "students_file": self.file_name,
            "student_numbers": len(self.student_numbers)
            if self.student_numbers is not None
            else None,
        }

    def describe(self) -> str:
        parts = []
        if self.school:
            parts.append(f"school {self.school}")
        if self.grades:
            parts.append("grade " + ", ".join(self.grades))
        if self.student_numbers is not None:
            parts.append(f"{len(self.student_numbers)} students from {self.file_name or 'a list'}")
        return "; ".join(parts) or "all enrolled students"


def read_student_numbers(path: Path) -> tuple[str, ...]:
    """Student numbers from a CSV, tab-delimited or XLSX file.

    The column is the one headed Student_Number (or STUDENT_ID), else the first column; a
    first row that is itself a number is data, not a header, so a bare list works too.
    """
    table = read_table(path)
    headers = [normalise_header(h) for h in table.headers]
    index = next((i for i, h in enumerate(headers) if h in NUMBER_HEADERS), None)
    numbers: list[str] = []
    if index is None:
        index = 0
        first = table.headers[0].strip()
        if first and first.replace("-", "").isalnum() and any(c.isdigit() for c in first):
            numbers.append(first)
        elif len(table.headers) > 1:
            raise FileProblem(
                f"{path}: no Student_Number column; name the column Student_Number or give "
                "one student number a line"
            )
    for _, cells in table.rows:
        value = cells[index].strip() if index < len(cells) else ""
        if value:
            numbers.append(value)
    seen: dict[str, None] = dict.fromkeys(numbers)
    return tuple(seen)
