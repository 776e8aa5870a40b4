"""The students import: create or update students by student number.

Set-based: the file's student and school numbers are looked up in a few queries, rows are
checked in memory, and changes are written with ``bulk_create``/``bulk_update``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from tutela.core.bulk import CHUNK, chunks
from tutela.core.values import ValueProblem, parse_date
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch, value_of
from tutela.people.models import School, Student

COLUMNS = (
    "Student_Number",
    "First_Name",
    "Last_Name",
    "SchoolID",
    "Middle_Name",
    "Grade_Level",
    "School_Name",
    "Enroll_Status",
    "DOB",
)
REQUIRED = COLUMNS[:4]
# Each text column's room in the database, so a long value rejects its row (naming the column)
# instead of failing the whole file on PostgreSQL or being stored whole on SQLite.
MAX_LENGTH = {
    "Student_Number": Student._meta.get_field("student_number").max_length,
    "First_Name": Student._meta.get_field("first_name").max_length,
    "Middle_Name": Student._meta.get_field("middle_name").max_length,
    "Last_Name": Student._meta.get_field("last_name").max_length,
    "SchoolID": School._meta.get_field("school_number").max_length,
    "School_Name": School._meta.get_field("name").max_length,
    "Grade_Level": Student._meta.get_field("grade_level").max_length,
}
ENROLL_STATUS_RANGE = range(-(2**31), 2**31)  # the database's integer column


@dataclass(frozen=True)
class StudentRow:
    student_number: str
    first_name: str
    middle_name: str
    last_name: str
    school_number: str
    school_name: str
    grade_level: str
    enroll_status: int | None
    # Blank in the file: the date already recorded stays.
    date_of_birth: datetime.date | None = field(default=None)


Checked = CheckedRow[StudentRow]


class StudentImporter(ImportKind[Checked]):
    """Each row is its own group, keyed by its student number; rows are independent."""

    kind = "students"
    fields = COLUMNS
    required = REQUIRED
    counter_names = ("students_added", "students_updated", "schools_added")
    one_row_per_group = True
    related_rows = False

    def check(self, number: int, values: dict[str, str]) -> Checked:
        label = values["Student_Number"] or f"row {number}"
        errors: list[str] = []
        parsed = self._parse(values, errors)
        return CheckedRow(number, label, label, errors, parsed)

    def conflict(self, first: Checked, later: Checked) -> str | None:
        if first.value == later.value:
            return None
        assert later.value is not None
        return (
            f"Student_Number {later.value.student_number!r} already appears on row "
            f"{first.number} with other values"
        )

    @staticmethod
    def _parse(values: dict[str, str], errors: list[str]) -> StudentRow | None:
        for name in REQUIRED:
            if not values[name]:
                errors.append(f"{name} is required")
        for name, limit in MAX_LENGTH.items():
            if limit is not None and len(values[name]) > limit:
                errors.append(f"{name} is longer than {limit} characters")
        enroll_status: int | None = None
        if values["Enroll_Status"]:
            try:
                enroll_status = int(values["Enroll_Status"])
            except ValueError:
                errors.append(f"Enroll_Status {values['Enroll_Status']!r} is not a whole number")
            else:
                if enroll_status not in ENROLL_STATUS_RANGE:
                    errors.append(f"Enroll_Status {values['Enroll_Status']!r} is out of range")
        date_of_birth: datetime.date | None = None
        if values["DOB"]:
            try:
                date_of_birth = parse_date(values["DOB"])
            except ValueProblem as problem:
                errors.append(f"DOB {values['DOB']!r} {problem}")
        if errors:
            return None
        return StudentRow(
            student_number=values["Student_Number"],
            first_name=values["First_Name"],
            middle_name=values["Middle_Name"],
            last_name=values["Last_Name"],
            school_number=values["SchoolID"],
            school_name=values["School_Name"],
            grade_level=values["Grade_Level"],
            enroll_status=enroll_status,
            date_of_birth=date_of_birth,
        )

    def apply(self, groups: list[Group[Checked]], context: ImportContext) -> None:
        planned = [(group, value_of(group)) for group in groups]
        existing: dict[str, Student] = {}
        for batch in chunks(r.student_number for _, r in planned):
            for student in Student.objects.filter(student_number__in=batch):
                existing[student.student_number] = student
        if not context.district_wide:
            known = _schools_by_number(r.school_number for _, r in planned)
            in_scope = []
            for group, r in planned:
                found = existing.get(r.student_number)
                school = known.get(r.school_number)
                touched = [Touch(f"student {r.student_number}", found.school_id)] if found else []
                touched.append(
                    Touch(
                        f"student {r.student_number}",
                        school.pk if school else None,
                        moving=found is not None,
                    )
                )
                if not context.outside_scope(group, touched):
                    in_scope.append((group, r))
            planned = in_scope
        schools = self._schools([r for _, r in planned], context)
        new: list[Student] = []
        changed: list[Student] = []
        fields = (
            "first_name",
            "middle_name",
            "last_name",
            "school",
            "grade_level",
            "enroll_status",
            "date_of_birth",
        )
        for group, r in planned:
            wanted = {
                "first_name": r.first_name,
                "middle_name": r.middle_name,
                "last_name": r.last_name,
                "school": schools[r.school_number],
                "grade_level": r.grade_level,
            }
            found = existing.get(r.student_number)
            if found is None:
                new.append(
                    Student(
                        student_number=r.student_number,
                        enroll_status=r.enroll_status or 0,
                        date_of_birth=r.date_of_birth,
                        **wanted,
                    )
                )
                group.done("added")
                continue
            if r.enroll_status is not None:
                wanted["enroll_status"] = r.enroll_status
            if r.date_of_birth is not None:
                wanted["date_of_birth"] = r.date_of_birth
            if not r.middle_name:
                del wanted["middle_name"]  # a blank optional cell leaves the value alone
            if not r.grade_level:
                del wanted["grade_level"]
            if any(getattr(found, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(found, key, value)
                changed.append(found)
                group.done("updated")
            else:
                group.done("unchanged")
        Student.objects.bulk_create(new, batch_size=CHUNK)
        Student.objects.bulk_update(changed, fields, batch_size=CHUNK)
        context.result.counters["students_added"] += len(new)
        context.result.counters["students_updated"] += len(changed)

    @staticmethod
    def _schools(rows: list[StudentRow], context: ImportContext) -> dict[str, School]:
        names: dict[str, str] = {}
        for r in rows:
            if r.school_name or r.school_number not in names:
                names[r.school_number] = r.school_name or names.get(r.school_number, "")
        schools = _schools_by_number(names)
        missing = [School(school_number=n, name=names[n]) for n in names if n not in schools]
        School.objects.bulk_create(missing)
        context.result.counters["schools_added"] += len(missing)
        renamed = []
        for number, school in schools.items():
            if names[number] and school.name != names[number]:
                school.name = names[number]
                renamed.append(school)
        School.objects.bulk_update(renamed, ["name"])
        return _schools_by_number(names)


def _schools_by_number(numbers: Iterable[str]) -> dict[str, School]:
    found: dict[str, School] = {}
    for batch in chunks(sorted(set(numbers))):
        found.update((s.school_number, s) for s in School.objects.filter(school_number__in=batch))
    return found
