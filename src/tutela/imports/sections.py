"""The sections import: class sections with their teachers and enrolled students.

One row per enrolled student; the rows of one ``Section_ID`` form a group applied all-or-nothing.
The file is the section's whole roster: a section in the file ends up with exactly the students
and teachers its rows name (sections not in the file are left alone). A row may name a teacher
without a student (a section with no students yet) or leave the teacher blank.

Set-based: schools, students, accounts and sections are loaded in a few queries for the whole
file, and memberships are replaced with bulk writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from tutela.core.bulk import CHUNK, by_lowered, chunks
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch
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
# Each stored text column's room in the database, so a long value rejects its row (naming the
# column) instead of failing the whole file on PostgreSQL or being stored whole on SQLite.
MAX_LENGTH = {
    "Section_ID": Section._meta.get_field("section_id").max_length,
    "Course_Name": Section._meta.get_field("name").max_length,
}

Checked = CheckedRow[dict[str, str]]


@dataclass
class SectionPlan:
    """What the rows of one section ask for."""

    section_id: str
    group: Group[Checked]
    errors: dict[int, list[str]] = field(default_factory=dict)
    school_number: str = ""
    name: str = ""
    teacher_ids: set[int] = field(default_factory=set)
    student_ids: set[int] = field(default_factory=set)


@dataclass
class Lookups:
    """What the file's rows name, loaded in a few queries."""

    schools: dict[str, School]
    students: dict[str, tuple[int, int]]  # student number -> (pk, school id)
    by_username: dict[str, int]
    by_email: dict[str, int]


class SectionImporter(ImportKind[Checked]):
    """Each section (all rows with its ``Section_ID``) is one group.

    Its rows are checked against what the district holds (schools, students, teachers' active
    accounts) when the file is applied, so a row's every problem is named on it.
    """

    kind = "sections"
    fields = COLUMNS
    required = REQUIRED
    counter_names = ("sections_added", "sections_updated", "enrolments", "teachers_assigned")

    def check(self, number: int, values: dict[str, str]) -> Checked:
        label = values["Section_ID"] or f"row {number}"
        return CheckedRow(number, label, label, [], values)

    def apply(self, groups: list[Group[Checked]], context: ImportContext) -> None:
        found = _lookups(row.value for group in groups for row in group.checked if row.value)
        good: list[SectionPlan] = []
        for group in groups:
            plan = SectionPlan(section_id=str(group.key), group=group)
            for row in group.checked:
                assert row.value is not None
                errors = self._check(row.value, plan, found)
                if errors:
                    plan.errors[row.number] = errors
            if plan.errors:
                group.reject(plan.errors)
            else:
                good.append(plan)
        if not context.district_wide:
            good = self._in_scope(good, found, context)
        self._apply(good, found.schools, context)

    @staticmethod
    def _check(values: dict[str, str], plan: SectionPlan, found: Lookups) -> list[str]:
        errors: list[str] = []
        if not values["Section_ID"]:
            errors.append("Section_ID is required")
        for column, limit in MAX_LENGTH.items():
            if limit is not None and len(values[column]) > limit:
                errors.append(f"{column} is longer than {limit} characters")
        school_number = values["SchoolID"]
        if not school_number:
            errors.append("SchoolID is required")
        elif school_number not in found.schools:
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
        column, accounts, unknown = (
            ("Teacher_Username", found.by_username, "is not an active account")
            if values["Teacher_Username"]
            else ("Teacher_Email", found.by_email, "is not an active account's email")
        )
        if given := values[column]:
            teacher = accounts.get(given.lower())
            if teacher is None:
                errors.append(f"{column} {given!r} {unknown}")
            else:
                plan.teacher_ids.add(teacher)
        number = values["Student_Number"]
        if number:
            student = found.students.get(number)
            if student is None:
                errors.append(f"Student_Number {number!r} is not a student of the district")
            else:
                plan.student_ids.add(student[0])
        return errors

    @staticmethod
    def _in_scope(
        plans: list[SectionPlan], found: Lookups, context: ImportContext
    ) -> list[SectionPlan]:
        """The sections a school-scoped actor may import: at its schools (where the section is
        and where the file puts it), with students of its schools only."""
        where = {
            section_id: school_id
            for batch in chunks(plan.section_id for plan in plans)
            for section_id, school_id in Section.objects.filter(section_id__in=batch).values_list(
                "section_id", "school_id"
            )
        }
        kept = []
        for plan in plans:
            subject = f"section {plan.section_id}"
            touched = [Touch(subject, found.schools[plan.school_number].pk)]
            if plan.section_id in where:
                touched.insert(0, Touch(subject, where[plan.section_id]))
            for row in plan.group.checked:
                assert row.value is not None
                number = row.value["Student_Number"]
                if number:
                    touched.append(
                        Touch(f"student {number}", found.students[number][1], row.number)
                    )
            if not context.outside_scope(plan.group, touched):
                kept.append(plan)
        return kept

    def _apply(
        self, plans: list[SectionPlan], schools: dict[str, School], context: ImportContext
    ) -> None:
        if not plans:
            return
        counters = context.result.counters
        ids = [p.section_id for p in plans]
        existing: dict[str, Section] = {}
        for batch in chunks(ids):
            existing.update((s.section_id, s) for s in Section.objects.filter(section_id__in=batch))
        Teachers = Section.teachers.through
        Students = Section.students.through
        # Who each section has now, to tell an updated section from an unchanged one.
        had: dict[int, tuple[set[int], set[int]]] = {
            s.pk: (set(), set()) for s in existing.values()
        }
        for known in chunks(sorted(had)):
            for section_id, account_id in Teachers.objects.filter(section_id__in=known).values_list(
                "section_id", "account_id"
            ):
                had[section_id][0].add(account_id)
            for section_id, student_id in Students.objects.filter(section_id__in=known).values_list(
                "section_id", "student_id"
            ):
                had[section_id][1].add(student_id)
        new: list[Section] = []
        changed: list[Section] = []
        for plan in plans:
            school = schools[plan.school_number]
            found = existing.get(plan.section_id)
            if found is None:
                new.append(Section(section_id=plan.section_id, school=school, name=plan.name))
                plan.group.done("added")
                continue
            if found.school_id != school.pk or (plan.name and found.name != plan.name):
                found.school = school
                found.name = plan.name or found.name
                changed.append(found)
                plan.group.done("updated")
            elif had[found.pk] != (plan.teacher_ids, plan.student_ids):
                plan.group.done("updated")
            else:
                plan.group.done("unchanged")
        Section.objects.bulk_create(new, batch_size=CHUNK)
        Section.objects.bulk_update(changed, ["school", "name"], batch_size=CHUNK)
        counters["sections_added"] += len(new)
        counters["sections_updated"] += len(changed)
        pks: dict[str, int] = {}
        for batch in chunks(ids):
            pks.update(Section.objects.filter(section_id__in=batch).values_list("section_id", "pk"))
        for section_pks in chunks(pks.values()):
            Teachers.objects.filter(section_id__in=section_pks).delete()
            Students.objects.filter(section_id__in=section_pks).delete()
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
        counters["enrolments"] += len(student_rows)
        counters["teachers_assigned"] += len(teacher_rows)


def _lookups(rows: Iterable[dict[str, str]]) -> Lookups:
    """The schools, students and teachers' accounts the rows name, a few thousand at a time
    (one query naming every teacher of a big district is too large for SQLite)."""
    rows = list(rows)
    school_numbers = sorted({v["SchoolID"] for v in rows if v["SchoolID"]})
    student_numbers = sorted({v["Student_Number"] for v in rows if v["Student_Number"]})
    usernames = sorted({v["Teacher_Username"].lower() for v in rows if v["Teacher_Username"]})
    emails = sorted({v["Teacher_Email"].lower() for v in rows if v["Teacher_Email"]})
    schools: dict[str, School] = {}
    for batch in chunks(school_numbers):
        schools.update((s.school_number, s) for s in School.objects.filter(school_number__in=batch))
    students: dict[str, tuple[int, int]] = {}
    for batch in chunks(student_numbers):
        for number, pk, school_id in Student.objects.filter(student_number__in=batch).values_list(
            "student_number", "pk", "school_id"
        ):
            students[number] = (pk, school_id)
    active = get_user_model().objects.filter(is_active=True).order_by("pk")
    by_username = {name: a.pk for name, a in by_lowered(active, "username", usernames).items()}
    by_email = {email: a.pk for email, a in by_lowered(active, "email", emails).items()}
    return Lookups(schools, students, by_username, by_email)
