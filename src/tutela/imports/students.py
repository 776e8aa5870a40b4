"""The students import: create or update students by student number.

Set-based: the file's student and school numbers are looked up in a few queries, rows are
checked in memory, and changes are written with ``bulk_create``/``bulk_update``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutela.core.columns import map_columns
from tutela.core.tabular import Table, normalise_header
from tutela.imports.results import ImportResult, RowResult
from tutela.imports.runner import Progress
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
)
REQUIRED = COLUMNS[:4]
KNOWN = {normalise_header(name): name for name in COLUMNS}
CHUNK = 5000
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


class StudentImporter:
    """Each row is its own group, keyed by its student number."""

    kind = "students"
    counter_names = ("students_added", "students_updated", "schools_added")

    def run(self, table: Table, *, actor: Any, progress: Progress | None) -> ImportResult:
        columns = map_columns(table.headers, KNOWN, REQUIRED, file_name=table.path.name)
        result = ImportResult(self.kind, table.headers, counter_names=self.counter_names)
        valid: dict[str, tuple[RowResult, StudentRow]] = {}
        for number, cells in table.rows:
            values = {name: columns.get(cells, name) for name in COLUMNS}
            row = RowResult(
                row=number, group=values["Student_Number"] or f"row {number}", cells=cells
            )
            result.rows.append(row)
            parsed = self._check(values, row)
            if parsed is None:
                row.status = "rejected"
                continue
            earlier = valid.get(parsed.student_number)
            if earlier is not None:
                if earlier[1] != parsed:
                    row.status = "rejected"
                    row.errors.append(
                        f"Student_Number {parsed.student_number!r} already appears on row "
                        f"{earlier[0].row} with other values"
                    )
                continue  # an identical repeat is a duplicate: ignored
            valid[parsed.student_number] = (row, parsed)
        self._apply([parsed for _, parsed in valid.values()], result)
        # A rejected row of a student number another row imported is a group of its own in the
        # totals: the student was imported, and the totals must not count it as rejected.
        for row in result.rows:
            if row.status == "rejected" and row.group in valid:
                row.key = (row.group, row.row)
        if progress:
            progress(len(result.rows), len(result.rows))
        return result

    @staticmethod
    def _check(values: dict[str, str], row: RowResult) -> StudentRow | None:
        for name in REQUIRED:
            if not values[name]:
                row.errors.append(f"{name} is required")
        for name, limit in MAX_LENGTH.items():
            if limit is not None and len(values[name]) > limit:
                row.errors.append(f"{name} is longer than {limit} characters")
        enroll_status: int | None = None
        if values["Enroll_Status"]:
            try:
                enroll_status = int(values["Enroll_Status"])
            except ValueError:
                row.errors.append(
                    f"Enroll_Status {values['Enroll_Status']!r} is not a whole number"
                )
            else:
                if enroll_status not in ENROLL_STATUS_RANGE:
                    row.errors.append(f"Enroll_Status {values['Enroll_Status']!r} is out of range")
        if row.errors:
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
        )

    def _apply(self, rows: list[StudentRow], result: ImportResult) -> None:
        schools = self._schools(rows, result)
        existing: dict[str, Student] = {}
        numbers = [r.student_number for r in rows]
        for start in range(0, len(numbers), CHUNK):
            for student in Student.objects.filter(
                student_number__in=numbers[start : start + CHUNK]
            ):
                existing[student.student_number] = student
        new: list[Student] = []
        changed: list[Student] = []
        fields = (
            "first_name",
            "middle_name",
            "last_name",
            "school",
            "grade_level",
            "enroll_status",
        )
        for r in rows:
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
                        **wanted,
                    )
                )
                continue
            if r.enroll_status is not None:
                wanted["enroll_status"] = r.enroll_status
            if not r.middle_name:
                del wanted["middle_name"]  # a blank optional cell leaves the value alone
            if not r.grade_level:
                del wanted["grade_level"]
            if any(getattr(found, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(found, key, value)
                changed.append(found)
        Student.objects.bulk_create(new, batch_size=CHUNK)
        Student.objects.bulk_update(changed, fields, batch_size=CHUNK)
        result.counters["students_added"] += len(new)
        result.counters["students_updated"] += len(changed)

    @staticmethod
    def _schools(rows: list[StudentRow], result: ImportResult) -> dict[str, School]:
        names: dict[str, str] = {}
        for r in rows:
            if r.school_name or r.school_number not in names:
                names[r.school_number] = r.school_name or names.get(r.school_number, "")
        schools = {s.school_number: s for s in School.objects.filter(school_number__in=list(names))}
        missing = [School(school_number=n, name=names[n]) for n in names if n not in schools]
        School.objects.bulk_create(missing)
        result.counters["schools_added"] += len(missing)
        renamed = []
        for number, school in schools.items():
            if names[number] and school.name != names[number]:
                school.name = names[number]
                renamed.append(school)
        School.objects.bulk_update(renamed, ["name"])
        return {s.school_number: s for s in School.objects.filter(school_number__in=list(names))}
