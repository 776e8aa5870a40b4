"""``tutela import oneroster FILE.zip``: schools, students, parents and their links from a
OneRoster 1.1 or 1.2 CSV package.

Each row of ``orgs.csv`` and ``users.csv`` is one row of the run, named by its file and row
(``users.csv row 7``); rows are independent, so a bad one is rejected alone.

- ``orgs`` of type ``school`` become schools (the ``identifier`` is the school number, else
  the sourcedId); the ``district`` org keeps the district's sourcedId; other orgs are skipped.
- ``users`` with role ``student`` become students (``identifier`` as student number, else the
  sourcedId), at the first school their ``orgSourcedIds`` name, in the grade of ``grades``.
- ``users`` with role ``parent``, ``guardian`` or ``relative`` become contacts: the sourcedId is
  the Unique ID, with the ``email`` and ``phone`` (``sms`` as a texting phone); a ``username``
  gives the contact a portal account, enabled as ``enabledUser`` says, without a password (an
  activation letter or email gives one). Other roles (teachers, administrators) are skipped.
- ``agentSourcedIds`` link parents and students, granting data access: a parent's list names
  students and a student's names parents; either is enough, and a pair named both ways is one
  link. The link's relationship is the role's (``Parent``, ``Guardian``, else ``Other``).
  Links are added, never taken away: a link Tutela restricted stays restricted.

Every object keeps the sourcedId the package gave it (``rostering.identifiers``), so the
district's next export names the same people as the package did, and a learning system keeps
what it attached to them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutela.accounts.models import Account
from tutela.accounts.services import imported_password
from tutela.core.bulk import CHUNK, by_lowered, chunks
from tutela.core.columns import ColumnMap
from tutela.core.emails import email_problem
from tutela.core.phones import phone_digits
from tutela.core.tabular import Table
from tutela.core.values import USERNAME
from tutela.imports.edfi.importer import SchoolValue, apply_schools
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch, value_of
from tutela.imports.oneroster.reading import Package, Place, Record, read_package
from tutela.imports.students import MAX_LENGTH, StudentImporter, StudentRow
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.details import pick_active_detail
from tutela.people.models import (
    CodeType,
    Contact,
    ContactEmail,
    ContactPhone,
    Phone,
    School,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.people.services import unique_id_problem
from tutela.provisioning.services import unusable_password
from tutela.rostering.exports.roster import DISTRICT_KEY
from tutela.rostering.identifiers import usable
from tutela.rostering.models import SourcedId, SourcedKind

HEADERS = ["File", "Row", "sourcedId", "Type or role"]
NAME_MAX = Contact._meta.get_field("last_name").max_length or 100
EMAIL_MAX = ContactEmail._meta.get_field("address").max_length or 254
USERNAME_MAX = Account._meta.get_field("username").max_length or 150
PHONE_MAX = Phone._meta.get_field("number").max_length or 40
PARENT_ROLES = {"parent": "Parent", "guardian": "Guardian", "relative": "Other"}
# OneRoster's other roles (1.1 and 1.2): people Tutela does not keep, so skipped.
OTHER_ROLES = {
    "teacher",
    "aide",
    "administrator",
    "proctor",
    "counselor",
    "principal",
    "districtadministrator",
    "siteadministrator",
    "systemadministrator",
}
TRUE, FALSE = "true", "false"
# A student the package says is not enabled: PowerSchool's "transferred out".
INACTIVE_ENROLL_STATUS = 2


@dataclass(frozen=True)
class DistrictValue:
    sourced_id: str


@dataclass(frozen=True)
class SkippedValue:
    why: str


@dataclass(frozen=True)
class StudentValue:
    sourced_id: str
    row: StudentRow
    agents: tuple[str, ...]


@dataclass(frozen=True)
class ParentValue:
    sourced_id: str
    role: str
    first_name: str
    middle_name: str
    last_name: str
    username: str
    enabled: bool
    email: str
    phones: tuple[tuple[str, str, bool], ...]  # (number, digits, texting)
    agents: tuple[str, ...]


@dataclass(frozen=True)
class OrgSchool:
    """A school org of the package, with its sourcedId."""

    sourced_id: str
    school: SchoolValue


Value = DistrictValue | SkippedValue | OrgSchool | StudentValue | ParentValue
Checked = CheckedRow[Value]


class PackageTable(Table):
    """The rows of ``orgs.csv`` then ``users.csv``, each as its file, row, sourcedId and type."""

    def __init__(self, path: Path, package: Package) -> None:
        self.package = package
        records = package.records
        rows = (
            (
                n,
                [
                    r.place.file,
                    str(r.place.row),
                    r.get("sourcedId"),
                    r.get("type") if r.place.file == "orgs.csv" else r.get("role"),
                ],
            )
            for n, r in enumerate(records, start=1)
        )
        super().__init__(path, list(HEADERS), rows, lambda n: str(records[n - 1].place))


class OneRosterImporter(ImportKind[Checked]):
    """Schools, students, parents, their accounts and links from a OneRoster CSV package."""

    kind = "oneroster"
    fields = tuple(HEADERS)
    counter_names = (
        "schools_added",
        "students_added",
        "students_updated",
        "contacts_added",
        "contacts_updated",
        "accounts_added",
        "links_added",
    )
    one_row_per_group = True
    related_rows = False
    spreadsheet = False
    upload_suffixes = (".zip",)

    def __init__(self) -> None:
        self._package = Package("")

    def read(self, path: Path) -> Table:
        return PackageTable(path, read_package(path))

    def columns(self, table: Table, context: ImportContext) -> tuple[Table, ColumnMap]:
        assert isinstance(table, PackageTable)
        self._package = table.package
        return table, ColumnMap(
            {name: i for i, name in enumerate(HEADERS)}, {n: n for n in HEADERS}
        )

    def reader(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], Checked]:
        package = self._package
        records = package.records
        schools = {
            r.get("sourcedId"): r.get("identifier") or r.get("sourcedId")
            for r in package.orgs
            if r.get("type").lower() == "school" and r.get("sourcedId")
        }
        names = {r.get("sourcedId"): r.get("name") for r in package.orgs}
        roles = {r.get("sourcedId"): r.get("role").lower() for r in package.users}
        known = _recorded(
            {*schools, *roles, *(a for r in package.users for a in r.listed("orgSourcedIds"))}
            | {a for r in package.users for a in r.listed("agentSourcedIds")}
        )
        for sourced_id, (kind, number) in known.items():
            if kind == SourcedKind.SCHOOL and sourced_id not in schools:
                schools[sourced_id] = number
            if sourced_id not in roles and kind in (SourcedKind.STUDENT, SourcedKind.CONTACT):
                roles[sourced_id] = "student" if kind == SourcedKind.STUDENT else "parent"

        org_at = {r.get("sourcedId"): r.place for r in package.orgs}
        # Where each school and student number first appears: a second row under another
        # sourcedId would be the same school or student twice.
        first_at: dict[tuple[str, str], tuple[str, Place]] = {}
        for r in records:
            numbered = _numbered(r)
            if numbered is not None:
                first_at.setdefault(numbered, (r.get("sourcedId"), r.place))

        def read(number: int, cells: list[str]) -> Checked:
            record = records[number - 1]
            checked = _org(number, record) if record.place.file == "orgs.csv" else None
            sourced_id = record.get("sourcedId")
            if checked is None and sourced_id in org_at:  # one id for two would make them one
                problem = f"sourcedId {sourced_id!r} is also the org at {org_at[sourced_id]}"
                return CheckedRow(number, ("user", sourced_id), f"user {sourced_id}", [problem])
            if checked is None:
                checked = _user(number, record, schools, names, roles)
            numbered = _numbered(record)
            if numbered is not None and not checked.errors:
                first, place = first_at[numbered]
                if first != sourced_id:
                    what, value = numbered
                    checked.errors.append(f"{what} {value} is also the one at {place}")
                    checked.value = None
            return checked

        return read

    def conflict(self, first: Checked, later: Checked) -> str | None:
        if first.value == later.value:
            return None
        where = self._package.records[first.number - 1].place
        return f"{later.label} already appears at {where} with other values"

    def apply(self, groups: list[Group[Checked]], context: ImportContext) -> None:
        parts: dict[type, list[Group[Checked]]] = defaultdict(list)
        for group in groups:
            value = value_of(group)
            if isinstance(value, SkippedValue):
                group.done("skipped", value.why)
            else:
                parts[type(value)].append(group)
        ids = SourcedIds()
        district = SourcedId.objects.filter(kind=SourcedKind.DISTRICT, object_id=DISTRICT_KEY)
        for group in _taken(parts[DistrictValue], SourcedKind.DISTRICT, lambda _: DISTRICT_KEY):
            value = value_of(group)
            assert isinstance(value, DistrictValue)
            ids.keep(group, SourcedKind.DISTRICT, DISTRICT_KEY, value.sourced_id)
            if district.exists():
                group.done("unchanged")
            else:
                group.done("added", f"the district's sourcedId {value.sourced_id}")
        _apply_schools(parts[OrgSchool], context, ids)
        students = _apply_students(parts[StudentValue], context, ids)
        people = [value_of(g) for g in [*parts[StudentValue], *parts[ParentValue]]]
        pairs = _agents_of(
            [v for v in people if isinstance(v, StudentValue)],
            [v for v in people if isinstance(v, ParentValue)],
        )
        contacts = _apply_parents(parts[ParentValue], context, ids, students, pairs)
        _apply_links(parts[StudentValue], parts[ParentValue], context, students, contacts, pairs)
        ids.write()


def _numbered(record: Record) -> tuple[str, str] | None:
    """The school or student a row is by its number (``identifier``, else the sourcedId)."""
    kind = (record.get("type") if record.place.file == "orgs.csv" else record.get("role")).lower()
    if kind not in ("school", "student"):
        return None
    return (kind, record.get("identifier") or record.get("sourcedId"))


def _recorded(sourced_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The sourcedIds Tutela already gave out among ``sourced_ids``: each one's kind and, for
    a school, its number (what a package naming an org it does not carry means)."""
    found: dict[str, tuple[str, str]] = {}
    school_pks: dict[str, int] = {}
    for batch in chunks(sorted(set(sourced_ids))):
        for sourced_id, kind, pk in SourcedId.objects.filter(sourced_id__in=batch).values_list(
            "sourced_id", "kind", "object_id"
        ):
            found[sourced_id] = (kind, "")
            if kind == SourcedKind.SCHOOL:
                school_pks[sourced_id] = pk
    numbers = dict(
        School.objects.filter(pk__in=list(school_pks.values())).values_list("pk", "school_number")
    )
    for sourced_id, pk in school_pks.items():
        found[sourced_id] = (SourcedKind.SCHOOL, numbers.get(pk, ""))
    return found


# -- checking a row ----------------------------------------------------------------------


def _org(number: int, record: Record) -> Checked:
    sourced_id, kind = record.get("sourcedId"), record.get("type").lower()
    label = f"org {sourced_id}" if sourced_id else f"org at {record.place}"
    errors = _sourced_id_errors(sourced_id)
    if kind == "school":
        school_number = record.get("identifier") or sourced_id
        limit = School._meta.get_field("school_number").max_length or 20
        if len(school_number) > limit:
            errors.append(f"identifier {school_number[:40]!r} is longer than {limit} characters")
        value: Value = OrgSchool(sourced_id, SchoolValue(school_number, record.get("name")[:200]))
    elif kind == "district":
        value = DistrictValue(sourced_id)
    elif kind:
        value = SkippedValue(f"an org of type {kind}: Tutela keeps the district and its schools")
    else:
        errors.append("type is required")
    if errors:
        return CheckedRow(number, ("org", sourced_id or number), label, errors)
    return CheckedRow(number, ("org", sourced_id), label, [], value)


def _sourced_id_errors(sourced_id: str) -> list[str]:
    if not sourced_id:
        return ["sourcedId is required"]
    if not usable(sourced_id):
        return [f"sourcedId {sourced_id[:80]!r} holds characters a sourcedId may not"]
    return []


def _user(
    number: int,
    record: Record,
    schools: dict[str, str],
    names: dict[str, str],
    roles: dict[str, str],
) -> Checked:
    sourced_id, role = record.get("sourcedId"), record.get("role").lower()
    label = f"user {sourced_id}" if sourced_id else f"user at {record.place}"
    errors = _sourced_id_errors(sourced_id)
    if not role:
        errors.append("role is required")
    elif role != "student" and role not in PARENT_ROLES and role not in OTHER_ROLES:
        errors.append(f"role {record.get('role')[:40]!r} is not a OneRoster role")
    if record.get("status").lower() == "tobedeleted" and not errors:
        why = "status tobedeleted: Tutela keeps the person (remove them in Tutela)"
        return CheckedRow(number, ("user", sourced_id), label, [], SkippedValue(why))
    if role in OTHER_ROLES and not errors:
        why = f"role {role}: Tutela imports students, parents, guardians and relatives"
        return CheckedRow(number, ("user", sourced_id), label, [], SkippedValue(why))
    enabled_text = record.get("enabledUser").lower()
    if enabled_text not in (TRUE, FALSE):
        errors.append(f"enabledUser {record.get('enabledUser')[:40]!r} is not true or false")
    agents = tuple(dict.fromkeys(record.listed("agentSourcedIds")))
    wanted = "parent" if role == "student" else "student"
    for agent in agents:
        agent_role = roles.get(agent)
        if agent_role is None:
            errors.append(
                f"agentSourcedIds names {agent[:80]!r}, a user neither the package nor Tutela has"
            )
        elif agent_role != "student" if wanted == "student" else agent_role not in PARENT_ROLES:
            errors.append(f"agentSourcedIds names {agent!r}, a {agent_role}, not a {wanted}")
    first, middle, last = (
        record.get("givenName"),
        record.get("middleName"),
        record.get("familyName"),
    )
    if not last:
        errors.append("familyName is required")
    for column, text in (("givenName", first), ("middleName", middle), ("familyName", last)):
        if len(text) > NAME_MAX:
            errors.append(f"{column} is longer than {NAME_MAX} characters")
    key = ("user", sourced_id or number)
    if role == "student":
        return _student(number, record, key, label, errors, schools, names, agents)
    return _parent(number, record, key, label, errors, agents)


def _student(
    number: int,
    record: Record,
    key: tuple[str, Any],
    label: str,
    errors: list[str],
    schools: dict[str, str],
    names: dict[str, str],
    agents: tuple[str, ...],
) -> Checked:
    student_number = record.get("identifier") or record.get("sourcedId")
    limit = MAX_LENGTH["Student_Number"] or 32
    if len(student_number) > limit:
        errors.append(f"identifier {student_number[:40]!r} is longer than {limit} characters")
    orgs = record.listed("orgSourcedIds")
    school = next((schools[org] for org in orgs if org in schools), "")
    if not school:
        errors.append(
            f"orgSourcedIds {record.get('orgSourcedIds')[:80]!r} names no school of the package "
            "nor of Tutela"
            if orgs
            else "orgSourcedIds is required (the student's school)"
        )
    grades = record.listed("grades")
    grade = grades[0] if grades else ""
    grade_limit = MAX_LENGTH["Grade_Level"] or 10
    if len(grade) > grade_limit:
        errors.append(f"grades {grade[:40]!r} is longer than {grade_limit} characters")
    if not record.get("givenName"):
        errors.append("givenName is required")
    if errors:
        return CheckedRow(number, key, label, errors)
    org = next(org for org in orgs if org in schools)
    value = StudentValue(
        sourced_id=record.get("sourcedId"),
        row=StudentRow(
            student_number=student_number,
            first_name=record.get("givenName"),
            middle_name=record.get("middleName"),
            last_name=record.get("familyName"),
            school_number=school,
            school_name=names.get(org, ""),
            grade_level=grade,
            enroll_status=0
            if record.get("enabledUser").lower() == TRUE
            else INACTIVE_ENROLL_STATUS,
        ),
        agents=agents,
    )
    return CheckedRow(number, key, f"student {student_number}", [], value)


def _parent(
    number: int,
    record: Record,
    key: tuple[str, Any],
    label: str,
    errors: list[str],
    agents: tuple[str, ...],
) -> Checked:
    sourced_id = record.get("sourcedId")
    if sourced_id:
        problem = unique_id_problem(sourced_id)
        if problem:
            errors.append(f"sourcedId (the contact's Unique ID) {problem}")
    username, email = record.get("username"), record.get("email")
    if username:
        if len(username) > USERNAME_MAX:
            errors.append(f"username is longer than {USERNAME_MAX} characters")
        elif not USERNAME.fullmatch(username):
            errors.append(f"username {username!r} may hold only letters, digits and @ . + - _")
    if email:
        problem = email_problem(email) if len(email) <= EMAIL_MAX else "it is too long"
        if problem:
            errors.append(f"email {email[:80]!r} is not a valid email address: {problem}")
    phones: list[tuple[str, str, bool]] = []
    for column, texting in (("phone", False), ("sms", True)):
        text = record.get(column)
        if not text:
            continue
        digits = phone_digits(text)
        if not digits or len(text) > PHONE_MAX:
            errors.append(f"{column} {text[:40]!r} is not a phone number")
        elif digits in {d for _, d, _ in phones}:
            phones = [(n, d, s or texting) for n, d, s in phones]
        else:
            phones.append((text, digits, texting))
    if errors:
        return CheckedRow(number, key, label, errors)
    value = ParentValue(
        sourced_id=sourced_id,
        role=record.get("role").lower(),
        first_name=record.get("givenName"),
        middle_name=record.get("middleName"),
        last_name=record.get("familyName"),
        username=username,
        enabled=record.get("enabledUser").lower() == TRUE,
        email=email,
        phones=tuple(phones),
        agents=agents,
    )
    return CheckedRow(number, key, f"contact {sourced_id}", [], value)


# -- applying ----------------------------------------------------------------------------


class SourcedIds:
    """The sourcedIds the package gives, kept for the objects that have none yet.

    An object keeps the first sourcedId it was given for good; a package naming it by
    another one leaves a warning on its row. A sourcedId that names another object refuses
    the row (two people under one id would be one person to a learning system).
    """

    def __init__(self) -> None:
        self.wanted: list[tuple[Group[Checked], SourcedKind, int, str]] = []

    def keep(self, group: Group[Checked], kind: SourcedKind, pk: int, sourced_id: str) -> None:
        self.wanted.append((group, kind, pk, sourced_id))

    @staticmethod
    def holders(sourced_ids: Iterable[str]) -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        for batch in chunks(sorted(set(sourced_ids))):
            found.update(
                (s, (k, pk))
                for s, k, pk in SourcedId.objects.filter(sourced_id__in=batch).values_list(
                    "sourced_id", "kind", "object_id"
                )
            )
        return found

    def write(self) -> None:
        given: dict[tuple[str, int], str] = {}
        for kind in {kind for _, kind, _, _ in self.wanted}:
            pks = sorted({pk for _, k, pk, _ in self.wanted if k == kind})
            for batch in chunks(pks):
                given.update(
                    ((kind, pk), s)
                    for pk, s in SourcedId.objects.filter(
                        kind=kind, object_id__in=batch
                    ).values_list("object_id", "sourced_id")
                )
        new: list[SourcedId] = []
        for group, kind, pk, sourced_id in self.wanted:
            held = given.get((kind, pk))
            if held is None:
                given[(kind, pk)] = sourced_id
                new.append(SourcedId(kind=kind, object_id=pk, sourced_id=sourced_id))
            elif held != sourced_id:
                group.rows[0].warnings.append(
                    f"keeps its sourcedId {held!r} (learning systems know it by it), not "
                    f"{sourced_id!r}"
                )
        SourcedId.objects.bulk_create(new, batch_size=CHUNK)


def _taken(
    groups: list[Group[Checked]], kind: SourcedKind, owner: Callable[[Value], int | None]
) -> list[Group[Checked]]:
    """The groups whose sourcedId is free or already their own object's; the others are
    rejected, naming what holds it."""
    values = [(group, value_of(group)) for group in groups]
    holders = SourcedIds.holders(getattr(v, "sourced_id", "") for _, v in values)
    kept = []
    for group, value in values:
        sourced_id = getattr(value, "sourced_id", "")
        holder = holders.get(sourced_id)
        if holder is not None and holder != (kind, owner(value)):
            group.reject(
                {group.rows[0].row: [f"sourcedId {sourced_id!r} already names another {holder[0]}"]}
            )
            continue
        kept.append(group)
    return kept


def _apply_schools(groups: list[Group[Checked]], context: ImportContext, ids: SourcedIds) -> None:
    def number_of(group: Group[Checked]) -> str:
        value = value_of(group)
        assert isinstance(value, OrgSchool)
        return value.school.school_number

    def numbered() -> dict[str, int]:
        found = School.objects.filter(school_number__in=[number_of(g) for g in groups])
        return dict(found.values_list("school_number", "pk"))

    before = numbered()

    def owner(value: Value) -> int | None:
        assert isinstance(value, OrgSchool)
        return before.get(value.school.school_number)

    groups = _taken(groups, SourcedKind.SCHOOL, owner)
    schools: list[Group[CheckedRow[Any]]] = []
    for group in groups:
        value = value_of(group)
        assert isinstance(value, OrgSchool)
        schools.append(Group(group.key, group.rows, [_as(group, value.school)]))
    apply_schools(schools, context)
    after = numbered()
    for group in groups:
        value = value_of(group)
        assert isinstance(value, OrgSchool)
        if not group.rejected and value.school.school_number in after:
            ids.keep(group, SourcedKind.SCHOOL, after[value.school.school_number], value.sourced_id)


def _as(group: Group[Checked], value: Any) -> CheckedRow[Any]:
    first = group.checked[0]
    return CheckedRow(first.number, first.key, first.label, first.errors, value)


def _apply_students(
    groups: list[Group[Checked]], context: ImportContext, ids: SourcedIds
) -> dict[str, Student]:
    """The students of the package, by sourcedId (those written and those Tutela had)."""

    def row_of(group: Group[Checked]) -> StudentRow:
        value = value_of(group)
        assert isinstance(value, StudentValue)
        return value.row

    numbers = [row_of(g).student_number for g in groups]
    existing: dict[str, int] = {}
    for batch in chunks(sorted(set(numbers))):
        existing.update(
            Student.objects.filter(student_number__in=batch).values_list("student_number", "pk")
        )

    def owner(value: Value) -> int | None:
        assert isinstance(value, StudentValue)
        return existing.get(value.row.student_number)

    groups = _taken(groups, SourcedKind.STUDENT, owner)
    rows = [Group(g.key, g.rows, [_as(g, row_of(g))]) for g in groups]
    StudentImporter().apply(rows, context)
    by_number: dict[str, Student] = {}
    for batch in chunks(sorted(set(numbers))):
        by_number.update(
            (s.student_number, s) for s in Student.objects.filter(student_number__in=batch)
        )
    found: dict[str, Student] = {}
    for group in groups:
        value = value_of(group)
        assert isinstance(value, StudentValue)
        student = by_number.get(value.row.student_number)
        if not group.rejected and student is not None:
            ids.keep(group, SourcedKind.STUDENT, student.pk, value.sourced_id)
            found[value.sourced_id] = student
    return found


def _agents_of(
    students: Iterable[StudentValue], parents: Iterable[ParentValue]
) -> set[tuple[str, str]]:
    """Every (student, parent) pair of sourcedIds the package names, either way round."""
    pairs = {(s.sourced_id, agent) for s in students for agent in s.agents}
    pairs |= {(agent, p.sourced_id) for p in parents for agent in p.agents}
    return pairs


def _known_objects(kind: SourcedKind, sourced_ids: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in chunks(sorted(set(sourced_ids))):
        found.update(
            SourcedId.objects.filter(kind=kind, sourced_id__in=batch).values_list(
                "sourced_id", "object_id"
            )
        )
    return found


def _apply_parents(
    groups: list[Group[Checked]],
    context: ImportContext,
    ids: SourcedIds,
    students: dict[str, Student],
    pairs: set[tuple[str, str]],
) -> dict[str, int]:
    """The contacts of the package by sourcedId, with their accounts; returns their ids."""
    planned = [(g, value_of(g)) for g in groups]
    existing: dict[str, Contact] = {}
    uids = sorted({v.sourced_id for _, v in planned if isinstance(v, ParentValue)})
    for batch in chunks(uids):
        existing.update((c.unique_id, c) for c in Contact.objects.filter(unique_id__in=batch))

    def owner(value: Value) -> int | None:
        assert isinstance(value, ParentValue)
        contact = existing.get(value.sourced_id)
        return contact.pk if contact else None

    groups = _taken(groups, SourcedKind.CONTACT, owner)
    values: list[tuple[Group[Checked], ParentValue]] = []
    for group in groups:
        value = value_of(group)
        assert isinstance(value, ParentValue)
        values.append((group, value))
    pks = sorted(c.pk for c in existing.values())
    accounts: dict[int, Account] = {}
    emails: dict[int, list[ContactEmail]] = defaultdict(list)
    phones: dict[int, set[str]] = defaultdict(set)
    schools_of: dict[int, set[int]] = defaultdict(set)
    for some in chunks(pks):
        for held_account in Account.objects.filter(contact_id__in=some):
            assert held_account.contact_id is not None
            accounts[held_account.contact_id] = held_account
        for email in ContactEmail.objects.filter(contact_id__in=some).order_by("order", "pk"):
            emails[email.contact_id].append(email)
        for contact_id, digits in ContactPhone.objects.filter(contact_id__in=some).values_list(
            "contact_id", "phone__digits"
        ):
            phones[contact_id].add(digits)
        for contact_id, school_id in StudentContact.objects.filter(contact_id__in=some).values_list(
            "contact_id", "student__school_id"
        ):
            schools_of[contact_id].add(school_id)
    logins = by_lowered(Account.objects.all(), "username", [v.username.lower() for _, v in values])
    signed = by_lowered(Account.objects.all(), "email", [v.email.lower() for _, v in values])
    # A lowered account email -> the place of the row whose account takes it: one email signs
    # in one account, and a family's shared address can be only one of theirs.
    emailed: dict[str, str] = {}
    book = CodeBook.load()
    roles: dict[str, int | None] = {}
    for spelled, code in PARENT_ROLES.items():
        try:
            roles[spelled] = book.match(CodeType.RELATIONSHIP_TYPE, code).pk
        except CodeProblem:
            roles[spelled] = None
    children: dict[str, set[int]] = defaultdict(set)
    for student, parent in pairs:
        if student in students:
            children[parent].add(students[student].school_id)
    password = imported_password()
    claimed: dict[str, str] = {}  # lowered username -> the place of the row taking it
    new_contacts: list[Contact] = []
    changed_contacts: list[Contact] = []
    new_emails: list[ContactEmail] = []
    new_phones: list[tuple[Contact, str, str, bool, int]] = []
    new_accounts: list[Account] = []
    changed_accounts: list[Account] = []
    for group, value in values:
        row = group.rows[0].row
        contact = existing.get(value.sourced_id)
        touched = [
            Touch(f"contact {value.sourced_id}'s student", s) for s in children[value.sourced_id]
        ]
        if contact is not None:
            touched += [Touch(f"contact {value.sourced_id}", s) for s in schools_of[contact.pk]]
        if not touched:
            touched = [Touch(f"contact {value.sourced_id} (with no student)", None)]
        if context.outside_scope(group, touched):
            continue
        account = accounts.get(contact.pk) if contact is not None else None
        login = value.username.lower()
        if login:
            holder = logins.get(login)
            if login in claimed:
                group.reject({row: [f"username {value.username} is also used at {claimed[login]}"]})
                continue
            if holder is not None and (account is None or holder.pk != account.pk):
                group.reject(
                    {row: [f"username {value.username} already belongs to another account"]}
                )
                continue
            claimed[login] = group.rows[0].place
        role = roles[value.role]
        names = {
            "first_name": value.first_name,
            "middle_name": value.middle_name,
            "last_name": value.last_name,
        }
        differences: list[str] = []
        if contact is None:
            contact = Contact(
                unique_id=value.sourced_id, is_active=True, default_relationship_id=role, **names
            )
            new_contacts.append(contact)
            existing[value.sourced_id] = contact
        else:
            if any(getattr(contact, k) != v for k, v in names.items()):
                for key, text in names.items():
                    setattr(contact, key, text)
                changed_contacts.append(contact)
                differences.append("names")
        held = emails[contact.pk] if contact.pk else []
        if value.email and not any(e.address.lower() == value.email.lower() for e in held):
            new_emails.append(
                ContactEmail(
                    contact=contact,
                    address=value.email,
                    is_primary=not any(e.is_primary for e in held),
                    order=max((e.order for e in held), default=0) + 1,
                )
            )
            differences.append("email")
        have = phones[contact.pk] if contact.pk else set()
        for order, (number, digits, texting) in enumerate(value.phones, start=len(have) + 1):
            if digits not in have:
                new_phones.append((contact, number, digits, texting, order))
                differences.append("phone")
        if value.username:
            sign_in_email = value.email
            lowered = value.email.lower()
            holder = signed.get(lowered)
            if lowered and (
                lowered in emailed
                or (holder is not None and (account is None or holder.pk != account.pk))
            ):
                sign_in_email = ""
                group.rows[0].warnings.append(
                    f"email {value.email} is another account's "
                    f"({emailed.get(lowered) or 'in Tutela'}): the account is given no email"
                )
            elif lowered:
                emailed[lowered] = group.rows[0].place
            if account is None:
                account = Account(
                    username=value.username,
                    email=sign_in_email,
                    contact=contact,
                    first_name=value.first_name[:150],
                    last_name=value.last_name[:150],
                    password=unusable_password(),
                    is_active=value.enabled,
                    is_imported=True,
                )
                if password is not None:
                    account.password, account.must_change_password = password
                new_accounts.append(account)
                differences.append(f"account {value.username}")
            else:
                wanted = {"username": value.username, "is_active": value.enabled}
                if sign_in_email:
                    wanted["email"] = sign_in_email
                changes = [k for k, v in wanted.items() if getattr(account, k) != v]
                if changes:
                    for key in changes:
                        setattr(account, key, wanted[key])
                    changed_accounts.append(account)
                    differences.append("account " + ", ".join(changes).replace("_", " "))
        if contact in new_contacts:
            group.done("added", f"added contact {value.sourced_id}")
        elif differences:
            group.done("updated", f"updated contact {value.sourced_id}: {', '.join(differences)}")
        else:
            group.done("unchanged")
    Contact.objects.bulk_create(new_contacts, batch_size=CHUNK)
    Contact.objects.bulk_update(
        changed_contacts, ["first_name", "middle_name", "last_name"], batch_size=CHUNK
    )
    ContactEmail.objects.bulk_create(new_emails, batch_size=CHUNK)
    _write_phones(new_phones)
    for account in new_accounts:
        assert account.contact is not None
        account.contact_id = account.contact.pk
    Account.objects.bulk_create(new_accounts, batch_size=CHUNK)
    Account.objects.bulk_update(
        changed_accounts, ["username", "email", "is_active"], batch_size=CHUNK
    )
    counters = context.result.counters
    counters["contacts_added"] += len(new_contacts)
    counters["contacts_updated"] += sum(1 for g, _ in values if g.rows[0].outcome == "updated")
    counters["accounts_added"] += len(new_accounts)
    found: dict[str, int] = {}
    for group, value in values:
        if not group.rejected:
            contact = existing[value.sourced_id]
            ids.keep(group, SourcedKind.CONTACT, contact.pk, value.sourced_id)
            found[value.sourced_id] = contact.pk
    return found


def _write_phones(new: list[tuple[Contact, str, str, bool, int]]) -> None:
    """The phones of contacts, each number one ``Phone`` shared by whoever has it."""
    digits = sorted({d for _, _, d, _, _ in new})
    known: dict[str, Phone] = {}
    for batch in chunks(digits):
        known.update((p.digits, p) for p in Phone.objects.filter(digits__in=batch, extension=""))
    first = {d: (n, s) for _, n, d, s, _ in reversed(new)}
    Phone.objects.bulk_create(
        [Phone(number=first[d][0], digits=d, is_sms=first[d][1]) for d in digits if d not in known],
        batch_size=CHUNK,
    )
    for batch in chunks([d for d in digits if d not in known]):
        known.update((p.digits, p) for p in Phone.objects.filter(digits__in=batch, extension=""))
    ContactPhone.objects.bulk_create(
        [
            ContactPhone(
                contact=contact,
                phone=known[d],
                priority_order=order,
                is_preferred=order == 1,
            )
            for contact, _, d, _, order in new
        ],
        batch_size=CHUNK,
    )


def _apply_links(
    student_groups: list[Group[Checked]],
    parent_groups: list[Group[Checked]],
    context: ImportContext,
    students: dict[str, Student],
    contacts: dict[str, int],
    pairs: set[tuple[str, str]],
) -> None:
    """The links the package's agents name, each granting data access; a pair is the
    parent's row's to tell when the package has that row, else the student's."""
    by_sourced = {
        getattr(value_of(group), "sourced_id", ""): group
        for group in [*student_groups, *parent_groups]
    }
    extra = _known_objects(SourcedKind.STUDENT, {s for s, _ in pairs} - set(students))
    recorded = Student.objects.in_bulk(list(extra.values()))
    students = students | {s: recorded[pk] for s, pk in extra.items() if pk in recorded}
    contacts = contacts | _known_objects(SourcedKind.CONTACT, {c for _, c in pairs} - set(contacts))
    # A new link's relationship is its parent's role (the contact's default relationship).
    defaults = dict(
        Contact.objects.filter(pk__in=sorted(set(contacts.values()))).values_list(
            "pk", "default_relationship_id"
        )
    )
    student_pks = sorted({s.pk for s in students.values()})
    links: dict[tuple[int, int], StudentContact] = {}
    top: dict[int, int] = defaultdict(int)
    for some in chunks(student_pks):
        for known in StudentContact.objects.filter(student_id__in=some).prefetch_related("details"):
            links[(known.student_id, known.contact_id)] = known
            top[known.student_id] = max(top[known.student_id], known.contact_priority_order)
    today = datetime.date.today()
    new_links: list[StudentContact] = []
    new_details: list[StudentContactDetail] = []
    granted: list[StudentContactDetail] = []
    memberships: set[tuple[int, int]] = set()
    for student_id, contact_id in sorted(pairs):
        student, contact = students.get(student_id), contacts.get(contact_id)
        if student is None or contact is None:
            continue  # its student's or parent's row was rejected, and says why
        group = by_sourced.get(contact_id) or by_sourced.get(student_id)
        if group is None or group.rejected:
            continue
        if context.outside_scope(
            group, [Touch(f"student {student.student_number}", student.school_id)]
        ):
            continue
        memberships.add((contact, student.school_id))
        link = links.get((student.pk, contact))
        said = f"link to {student_id if group is by_sourced.get(contact_id) else contact_id}"
        if link is None:
            top[student.pk] += 1
            link = StudentContact(
                student=student, contact_id=contact, contact_priority_order=top[student.pk]
            )
            links[(student.pk, contact)] = link
            new_links.append(link)
            new_details.append(
                StudentContactDetail(
                    link=link,
                    relationship_type_id=defaults.get(contact),
                    allow_data_access=True,
                )
            )
            _changed(group, f"{said} added")
            continue
        if link.restricted:
            group.rows[0].warnings.append(f"{said}: restricted in Tutela, left as it is")
            continue
        detail = pick_active_detail(list(link.details.all()), today)
        if detail is None:
            new_details.append(
                StudentContactDetail(
                    link=link, relationship_type_id=defaults.get(contact), allow_data_access=True
                )
            )
            _changed(group, f"{said} granted")
        elif not detail.allow_data_access:
            detail.allow_data_access = True
            granted.append(detail)
            _changed(group, f"{said} granted")
    StudentContact.objects.bulk_create(new_links, batch_size=CHUNK)
    for detail in new_details:
        detail.link_id = detail.link.pk
    StudentContactDetail.objects.bulk_create(new_details, batch_size=CHUNK)
    StudentContactDetail.objects.bulk_update(granted, ["allow_data_access"], batch_size=CHUNK)
    Contact.schools.through.objects.bulk_create(
        [Contact.schools.through(contact_id=c, school_id=s) for c, s in sorted(memberships)],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    context.result.counters["links_added"] += len(new_links)


def _changed(group: Group[Checked], what: str) -> None:
    """A link the row's person gained: a row that had nothing to change is now updated."""
    row = group.rows[0]
    if row.outcome == "unchanged":
        row.outcome = "updated"
    row.message = f"{row.message}; {what}" if row.message else what
