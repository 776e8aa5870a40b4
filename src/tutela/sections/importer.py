"""The sections import: class sections with their teachers and enrolled students.

One row per enrolled student; the rows of one ``Section_ID`` form a group applied all-or-nothing.
The file is the section's whole roster: a section in the file ends up with exactly the students
and teachers its rows name (sections not in the file are left alone). A row may name a teacher
without a student (a section with no students yet) or leave the teacher blank.

Set-based: schools, students, accounts and sections are loaded in a few queries for the whole
file, and memberships are replaced with bulk writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from tutela.core.columns import map_columns
from tutela.core.tabular import Table, normalise_header
from tutela.imports.results import ImportResult, RowResult
from tutela.imports.runner import Progress
from tutela.people.models import School, Student
from tutela.sections.models import Section

COLUMNS = (
    "Section_ID",
    "SchoolID",
    "Course_Name",
    "Teacher_Username",
    "Teacher_Email",
    "Student_Number",
)
REQUIRED = ("Section_ID", "SchoolID")
KNOWN = {normalise_header(name): name for name in COLUMNS}
CHUNK = 5000
# Each stored text column's room in the database, so a long value rejects its row (naming the
# column) instead of failing the whole file on PostgreSQL or being stored whole on SQLite.
MAX_LENGTH = {
    "Section_ID": Section._meta.get_field("section_id").max_length,
    "Course_Name": Section._meta.get_field("name").max_length,
}


@dataclass
class SectionPlan:
    """What the rows of one section ask for."""

    section_id: str
    rows: list[RowResult] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)
    school_number: str = ""
    name: str = ""
    teacher_ids: set[int] = field(default_factory=set)
    student_ids: set[int] = field(default_factory=set)


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


class SectionImporter:
    """Each section (all rows with its ``Section_ID``) is one group."""

    kind = "sections"
    counter_names = ("sections_added", "sections_updated", "enrolments", "teachers_assigned")

    def run(self, table: Table, *, actor: Any, progress: Progress | None) -> ImportResult:
        columns = map_columns(table.headers, KNOWN, REQUIRED, file_name=table.path.name)
        result = ImportResult(self.kind, table.headers, counter_names=self.counter_names)
        parsed: list[tuple[RowResult, dict[str, str]]] = []
        for number, cells in table.rows:
            values = {name: columns.get(cells, name) for name in COLUMNS}
            row = RowResult(row=number, group=values["Section_ID"] or f"row {number}", cells=cells)
            result.rows.append(row)
            parsed.append((row, values))
        schools, students, by_username, by_email = self._lookups([v for _, v in parsed])
        plans: dict[str, SectionPlan] = {}
        for row, values in parsed:
            plan = plans.setdefault(row.group, SectionPlan(section_id=values["Section_ID"]))
            plan.rows.append(row)
            errors = self._check(values, plan, schools, students, by_username, by_email)
            if errors:
                plan.errors[row.row] = errors
        good = []
        for plan in plans.values():
            if plan.errors:
                result.reject_group(plan.rows, plan.errors)
            else:
                good.append(plan)
        self._apply(good, schools, result)
        if progress:
            progress(len(result.rows), len(result.rows))
        return result

    @staticmethod
    def _lookups(
        rows: list[dict[str, str]],
    ) -> tuple[dict[str, School], dict[str, int], dict[str, int], dict[str, int]]:
        school_numbers = sorted({v["SchoolID"] for v in rows if v["SchoolID"]})
        student_numbers = sorted({v["Student_Number"] for v in rows if v["Student_Number"]})
        usernames = sorted({v["Teacher_Username"].lower() for v in rows if v["Teacher_Username"]})
        emails = sorted({v["Teacher_Email"].lower() for v in rows if v["Teacher_Email"]})
        schools = {
            s.school_number: s for s in School.objects.filter(school_number__in=school_numbers)
        }
        students: dict[str, int] = {}
        for chunk in _chunks(student_numbers):
            students.update(
                Student.objects.filter(student_number__in=chunk).values_list("student_number", "pk")
            )
        Account = get_user_model()
        by_username: dict[str, int] = {}
        by_email: dict[str, int] = {}
        if usernames or emails:
            wanted = Q()
            for name in usernames:
                wanted |= Q(username__iexact=name)
            for email in emails:
                wanted |= Q(email__iexact=email)
            for pk, username, email in Account.objects.filter(wanted, is_active=True).values_list(
                "pk", "username", "email"
            ):
                by_username[username.lower()] = pk
                if email:
                    by_email[email.lower()] = pk
        return schools, students, by_username, by_email

    @staticmethod
    def _check(
        values: dict[str, str],
        plan: SectionPlan,
        schools: dict[str, School],
        students: dict[str, int],
        by_username: dict[str, int],
        by_email: dict[str, int],
    ) -> list[str]:
        errors: list[str] = []
        if not values["Section_ID"]:
            errors.append("Section_ID is required")
        for column, limit in MAX_LENGTH.items():
            if limit is not None and len(values[column]) > limit:
                errors.append(f"{column} is longer than {limit} characters")
        school_number = values["SchoolID"]
        if not school_number:
            errors.append("SchoolID is required")
        elif school_number not in schools:
            errors.append(f"SchoolID {school_number!r} is not a school of the district")
        elif plan.school_number and plan.school_number != school_number:
            errors.append(
                f"SchoolID {school_number!r} differs from {plan.school_number!r} on an earlier "
                "row of this section"
            )
        else:
            plan.school_number = school_number
        name = values["Course_Name"]
        if name:
            if plan.name and plan.name != name:
                errors.append(
                    f"Course_Name {name!r} differs from {plan.name!r} on an earlier row of "
                    "this section"
                )
            else:
                plan.name = name
        # Either column may name the teacher; the username wins when a row has both.
        username, email = values["Teacher_Username"], values["Teacher_Email"]
        if username:
            teacher = by_username.get(username.lower())
            if teacher is None:
                errors.append(f"Teacher_Username {username!r} is not an active account")
            else:
                plan.teacher_ids.add(teacher)
        elif email:
            teacher = by_email.get(email.lower())
            if teacher is None:
                errors.append(f"Teacher_Email {email!r} is not an active account's email")
            else:
                plan.teacher_ids.add(teacher)
        number = values["Student_Number"]
        if number:
            student = students.get(number)
            if student is None:
                errors.append(f"Student_Number {number!r} is not a student of the district")
            else:
                plan.student_ids.add(student)
        return errors

    def _apply(
        self, plans: list[SectionPlan], schools: dict[str, School], result: ImportResult
    ) -> None:
        if not plans:
            return
        ids = [p.section_id for p in plans]
        existing: dict[str, Section] = {}
        for chunk in _chunks(ids):
            existing.update((s.section_id, s) for s in Section.objects.filter(section_id__in=chunk))
        new: list[Section] = []
        changed: list[Section] = []
        for plan in plans:
            school = schools[plan.school_number]
            found = existing.get(plan.section_id)
            if found is None:
                new.append(Section(section_id=plan.section_id, school=school, name=plan.name))
            elif found.school_id != school.pk or (plan.name and found.name != plan.name):
                found.school = school
                found.name = plan.name or found.name
                changed.append(found)
        Section.objects.bulk_create(new, batch_size=CHUNK)
        Section.objects.bulk_update(changed, ["school", "name"], batch_size=CHUNK)
        result.counters["sections_added"] += len(new)
        result.counters["sections_updated"] += len(changed)
        pks: dict[str, int] = {}
        for chunk in _chunks(ids):
            pks.update(Section.objects.filter(section_id__in=chunk).values_list("section_id", "pk"))
        Teachers = Section.teachers.through
        Students = Section.students.through
        section_pks = list(pks.values())
        for start in range(0, len(section_pks), CHUNK):
            chunk_pks = section_pks[start : start + CHUNK]
            Teachers.objects.filter(section_id__in=chunk_pks).delete()
            Students.objects.filter(section_id__in=chunk_pks).delete()
        teacher_rows = [
            Teachers(section_id=pks[p.section_id], account_id=t)
            for p in plans
            for t in sorted(p.teacher_ids)
        ]
        student_rows = [
            Students(section_id=pks[p.section_id], student_id=s)
            for p in plans
            for s in sorted(p.student_ids)
        ]
        Teachers.objects.bulk_create(teacher_rows, batch_size=CHUNK)
        Students.objects.bulk_create(student_rows, batch_size=CHUNK)
        result.counters["enrolments"] += len(student_rows)
        result.counters["teachers_assigned"] += len(teacher_rows)
