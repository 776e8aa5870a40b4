"""A OneRoster 1.1 CSV package (1EdTech's CSV binding, v1.1 final), bulk or delta.

The columns of each file are the binding's, in its order and its case. A bulk package carries
the district and its schools, the users (students, the parents who may see them, the teachers
of the class sections), the school year, and a course, a class and the enrollments for every
class section; ``status`` and ``dateLastModified`` are blank. A delta package carries the users
changed since a moment, each ``active`` with its agents of today, or a parent ``tobedeleted``
when nothing of it may leave any more.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import QuerySet
from django.utils import timezone

from tutela.people.models import Contact, School, StudentContactDetail
from tutela.rostering.exports.package import Package, open_package
from tutela.rostering.exports.roster import (
    CHUNK,
    Roster,
    build_roster,
    changes_of_sections,
    changes_since,
    chunked,
    district_name,
    known_sourced_ids,
    listed,
    section_teachers,
    teacher_ids,
    teacher_sections,
    timestamp,
)
from tutela.rostering.identifiers import sourced_ids
from tutela.rostering.models import SourcedKind
from tutela.rostering.selection import ceds_grade, oneroster_role

# Every file of the binding, in the manifest's order.
FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
)
MANIFEST = ("propertyName", "value")
ORGS = ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId")
USERS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
)
ACADEMIC_SESSIONS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "type",
    "startDate",
    "endDate",
    "parentSourcedId",
    "schoolYear",
)
COURSES = (
    "sourcedId",
    "status",
    "dateLastModified",
    "schoolYearSourcedId",
    "title",
    "courseCode",
    "grades",
    "orgSourcedId",
    "subjects",
    "subjectCodes",
)
CLASSES = (
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods",
)
ENROLLMENTS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
)
ACTIVE, TO_BE_DELETED = "active", "tobedeleted"
# The school year a class section belongs to starts on 1 August (OneRoster's schoolYear is
# the calendar year in which it ends).
SCHOOL_YEAR_START_MONTH = 8


@dataclass(frozen=True)
class Result:
    """What a package holds: its kind (``bulk`` or ``delta``) and the rows of each file."""

    kind: str
    counts: dict[str, int]


Stamps = dict[int, datetime.datetime]


def _state(stamp: datetime.datetime | None) -> tuple[str, str]:
    """A row's ``status`` and ``dateLastModified``: blank in a bulk file, ``active`` and when
    it changed in a delta."""
    return (ACTIVE, timestamp(stamp)) if stamp is not None else ("", "")


def school_year(day: datetime.date) -> int:
    """The calendar year in which ``day``'s school year starts."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def _manifest(package: Package, present: dict[str, str]) -> None:
    rows = [("manifest.version", "1.0"), ("oneroster.version", "1.1")]
    rows += [(f"file.{name}", present.get(name, "absent")) for name in FILES]
    rows += [("source.systemName", "Tutela")]
    package.write("manifest.csv", MANIFEST, rows)


def _orgs(roster: Roster, changed: Stamps | None = None) -> Iterator[tuple[str, ...]]:
    if changed is None:
        yield (roster.district_id, "", "", district_name(), "district", "", "")
    for school in roster.schools:
        if changed is not None and school.pk not in changed:
            continue
        yield (
            roster.school_ids[school.pk],
            *_state(changed.get(school.pk) if changed is not None else None),
            school.name or school.school_number,
            "school",
            school.school_number,
            roster.district_id,
        )


def _student_rows(
    roster: Roster, students: QuerySet, stamps: dict[int, datetime.datetime] | None = None
) -> Iterator[tuple[str, ...]]:
    rows = students.order_by("pk").values_list(
        "pk",
        "student_number",
        "first_name",
        "middle_name",
        "last_name",
        "school_id",
        "grade_level",
        "enroll_status",
        "student_account__account__username",
        "student_account__account__email",
    )
    for (
        pk,
        number,
        first,
        middle,
        last,
        school,
        grade,
        enroll_status,
        username,
        email,
    ) in rows.iterator(chunk_size=CHUNK):
        stamp = stamps.get(pk) if stamps is not None else None
        yield (
            roster.student_ids[pk],
            ACTIVE if stamp else "",
            timestamp(stamp) if stamp else "",
            "true" if enroll_status == 0 else "false",
            roster.school_ids[school],
            "student",
            username or number,
            "",
            first,
            last,
            middle,
            number,
            email or "",
            "",
            "",
            roster.agent_ids(pk),
            ceds_grade(grade),
            "",
        )


def contact_people(
    contacts: list[int],
) -> QuerySet[Contact, tuple[int, str, str, str, str | None, str | None]]:
    """Each contact's id, names and account sign-in: what a parent's ``users.csv`` row names."""
    return (
        Contact.objects.filter(pk__in=contacts)
        .order_by("pk")
        .values_list(
            "pk", "first_name", "middle_name", "last_name", "account__username", "account__email"
        )
    )


def _parent_rows(
    roster: Roster, contacts: list[int], stamps: dict[int, datetime.datetime] | None = None
) -> Iterator[tuple[str, ...]]:
    for chunk in chunked(sorted(contacts)):
        for pk, first, middle, last, username, email in contact_people(chunk):
            stamp = stamps.get(pk) if stamps is not None else None
            yield (
                roster.contact_ids[pk],
                ACTIVE if stamp else "",
                timestamp(stamp) if stamp else "",
                "true",
                listed(roster.school_ids[school] for school in roster.contact_schools(pk)),
                roster.role(pk),
                username or "",
                "",
                first,
                last,
                middle,
                "",
                email or "",
                "",
                "",
                roster.child_ids(pk),
                "",
                "",
            )


def _teacher_rows(
    roster: Roster,
    teachers: dict[int, str],
    schools: dict[int, set[int]],
    stamps: Stamps | None = None,
) -> Iterator[tuple[str, ...]]:
    from tutela.accounts.models import Account

    chosen = teachers if stamps is None else [pk for pk in teachers if pk in stamps]
    for chunk in chunked(sorted(chosen)):
        rows = (
            Account.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "username", "first_name", "last_name", "email", "is_active")
        )
        for pk, username, first, last, email, active in rows:
            ordered = sorted(schools[pk], key=lambda school: roster.school_ids[school])
            yield (
                teachers[pk],
                *_state(stamps.get(pk) if stamps is not None else None),
                "true" if active else "false",
                listed(roster.school_ids[school] for school in ordered),
                "teacher",
                username,
                "",
                first,
                last,
                "",
                "",
                email,
                "",
                "",
                "",
                "",
                "",
            )


def _users(roster: Roster, teachers: dict[int, str], schools: dict[int, set[int]]) -> Iterator:
    yield from _student_rows(roster, roster.students())
    if roster.parents:
        yield from _parent_rows(roster, roster.parent_contacts())
    yield from _teacher_rows(roster, teachers, schools)


def _classes(
    package: Package,
    roster: Roster,
    teachers: dict[int, str],
    changed: Stamps | None = None,
    removed: dict[int, tuple[str, str, datetime.datetime]] | None = None,
) -> None:
    """The school year, courses, classes and enrollments of the roster's sections: all of
    them in a bulk package; in a delta only the ``changed`` sections (``active``, with their
    enrollments of today) and the ``removed`` ones (class and course ``tobedeleted``)."""
    year = school_year(roster.day)
    session = sourced_ids(SourcedKind.SESSION, {year: f"{year}-{year + 1}"})[year]
    if changed is None:
        package.write(
            "academicSessions.csv",
            ACADEMIC_SESSIONS,
            [
                (
                    session,
                    "",
                    "",
                    f"{year}-{year + 1}",
                    "schoolYear",
                    f"{year}-08-01",
                    f"{year + 1}-07-31",
                    "",
                    str(year + 1),
                )
            ],
        )
    sections = teacher_sections(roster).order_by("pk")
    if changed is not None:
        sections = sections.filter(pk__in=list(changed))
    rows = list(sections.values_list("pk", "section_id", "name", "school_id"))
    classes = sourced_ids(SourcedKind.SECTION, {pk: number for pk, number, _, _ in rows})
    courses = sourced_ids(SourcedKind.COURSE, {pk: f"course-{number}" for pk, number, _, _ in rows})
    stamps: Stamps = changed or {}
    gone = removed or {}

    def course_rows() -> Iterator[tuple[str, ...]]:
        for pk, number, name, school in rows:
            yield (
                courses[pk],
                *_state(stamps.get(pk)),
                session,
                name or number,
                number,
                "",
                roster.school_ids[school],
                "",
                "",
            )
        for _, course_id, moment in gone.values():
            if course_id:
                yield (course_id, TO_BE_DELETED, timestamp(moment), *[""] * 7)

    def class_rows() -> Iterator[tuple[str, ...]]:
        for pk, number, name, school in rows:
            yield (
                classes[pk],
                *_state(stamps.get(pk)),
                name or number,
                "",
                courses[pk],
                number,
                "scheduled",
                "",
                roster.school_ids[school],
                session,
                "",
                "",
                "",
            )
        for class_id, _, moment in gone.values():
            yield (class_id, TO_BE_DELETED, timestamp(moment), *[""] * 11)

    package.write("courses.csv", COURSES, course_rows())
    package.write("classes.csv", CLASSES, class_rows())
    schools = {pk: school for pk, _, _, school in rows}

    def enrollments() -> Iterator[tuple[str, ...]]:
        from tutela.sections.models import Section

        taught = Section.teachers.through.objects.filter(section__school__in=roster.schools)
        enrolled = Section.students.through.objects.filter(
            section__school__in=roster.schools, student__school__in=roster.schools
        )
        if changed is not None:
            taught = taught.filter(section_id__in=list(changed))
            enrolled = enrolled.filter(section_id__in=list(changed))
        for section, teacher in (
            taught.order_by("section_id", "account_id")
            .values_list("section_id", "account_id")
            .iterator(chunk_size=CHUNK)
        ):
            user = teachers[teacher]
            yield (
                f"{classes[section]}-{user}",
                *_state(stamps.get(section)),
                classes[section],
                roster.school_ids[schools[section]],
                user,
                "teacher",
                "true",
                "",
                "",
            )
        for section, student in (
            enrolled.order_by("section_id", "student_id")
            .values_list("section_id", "student_id")
            .iterator(chunk_size=CHUNK)
        ):
            user = roster.student_ids[student]
            yield (
                f"{classes[section]}-{user}",
                *_state(stamps.get(section)),
                classes[section],
                roster.school_ids[schools[section]],
                user,
                "student",
                "false",
                "",
                "",
            )

    package.write("enrollments.csv", ENROLLMENTS, enrollments())


def export_bulk(
    path: Path, *, schools: list[School] | None = None, parents: bool = True, rosters: bool = True
) -> Result:
    """Write a bulk package of ``schools`` (every school by default) to ``path``."""
    roster = build_roster(schools=schools, parents=parents, rosters=rosters)
    teachers, teacher_schools = teacher_ids(roster)
    with open_package(path) as package:
        present = dict.fromkeys(
            ("academicSessions", "classes", "courses", "enrollments", "orgs", "users"), "bulk"
        )
        _manifest(package, present)
        package.write("orgs.csv", ORGS, _orgs(roster))
        package.write("users.csv", USERS, _users(roster, teachers, teacher_schools))
        _classes(package, roster, teachers)
        return Result("bulk", dict(package.counts))


def _removed_parent_rows(
    roster: Roster, contacts: dict[int, str], stamps: dict[int, datetime.datetime]
) -> Iterator[tuple[str, ...]]:
    """The parents a learning system knew that may not leave any more: ``tobedeleted``."""
    relationships: dict[int, set[str]] = {}
    for chunk in chunked(sorted(contacts)):
        rows = StudentContactDetail.objects.filter(link__contact_id__in=chunk).values_list(
            "link__contact_id", "relationship_type__code"
        )
        for contact, code in rows:
            if code:
                relationships.setdefault(contact, set()).add(code)
        for pk, first, middle, last, username, email in contact_people(chunk):
            yield (
                contacts[pk],
                TO_BE_DELETED,
                timestamp(stamps[pk]),
                "false",
                "",
                oneroster_role(relationships.get(pk, ())),
                username or "",
                "",
                first,
                last,
                middle,
                "",
                email or "",
                "",
                "",
                "",
                "",
                "",
            )


def export_delta(
    path: Path,
    *,
    since: datetime.datetime,
    schools: list[School] | None = None,
    parents: bool = True,
    rosters: bool = True,
) -> Result:
    """Write a delta package of the users changed since ``since`` to ``path``."""
    now = timezone.now()
    roster = build_roster(schools=schools, parents=parents, rosters=rosters)
    changes = changes_since(since, now=now)
    students = [pk for pk in changes.students if pk in roster.student_ids]
    student_stamps = {pk: changes.students[pk] for pk in students}

    sections = changes_of_sections(since, roster)
    teachers, teacher_schools = teacher_ids(roster)
    # The teachers of a changed class are re-sent, so a new teacher is known where enrolled.
    teacher_stamps: Stamps = {}
    for section, teacher in section_teachers(list(sections.changed)):
        if teacher in teachers:
            moment = sections.changed[section]
            if teacher_stamps.get(teacher, moment) <= moment:
                teacher_stamps[teacher] = moment

    def users() -> Iterator[tuple[str, ...]]:
        for chunk in chunked(sorted(students)):
            yield from _student_rows(roster, roster.students().filter(pk__in=chunk), student_stamps)
        yield from _teacher_rows(roster, teachers, teacher_schools, teacher_stamps)
        if not roster.parents:
            return
        exported = [pk for pk in changes.contacts if pk in roster.pairing]
        yield from _parent_rows(roster, exported, changes.contacts)
        gone = known_sourced_ids(
            SourcedKind.CONTACT, (pk for pk in changes.contacts if pk not in roster.pairing)
        )
        yield from _removed_parent_rows(roster, gone, changes.contacts)

    with open_package(path) as package:
        present = dict.fromkeys(("classes", "courses", "enrollments", "orgs", "users"), "delta")
        _manifest(package, present)
        package.write("orgs.csv", ORGS, _orgs(roster, sections.schools))
        package.write("users.csv", USERS, users())
        _classes(package, roster, teachers, sections.changed, sections.removed)
        return Result("delta", dict(package.counts))
