"""What a OneRoster client may read, as the REST binding's JSON objects.

The same roster as the OneRoster files (``exports/roster.py``): the schools the client is
limited to (every school when none), their students, the parents the district shares for
them (``selection.py``) with only those children as agents, the teachers of their class
sections, a course and a class for each section, the school year and its one term. Each
collection is read in a fixed number of set-based queries, whatever page is asked for.

``dateLastModified`` is when Tutela first gave the object its sourcedId: the moment a learning
system could first have known it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import OuterRef, Subquery

from tutela.accounts.models import Account
from tutela.people.models import School, Student
from tutela.rostering.exports.oneroster import contact_people, school_year
from tutela.rostering.exports.roster import (
    CHUNK,
    DISTRICT_KEY,
    Roster,
    build_roster,
    chunked,
    district_name,
    teacher_ids,
    teacher_sections,
    timestamp,
)
from tutela.rostering.identifiers import sourced_ids
from tutela.rostering.listings import LISTED_KINDS, chosen_schools, current_listing, in_scope
from tutela.rostering.models import SourcedId, SourcedKind
from tutela.rostering.selection import (
    SharedPair,
    ceds_grade,
    oneroster_role,
    shared_links,
    shared_pairs,
)
from tutela.sections.models import Section

from .query import Record

ACTIVE = "active"
STUDENT_COLUMNS = (
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
TEACHER_COLUMNS = ("pk", "username", "first_name", "last_name", "email", "is_active")
# The term a school year's classes are held in: its sourcedId's key beside the year's own.
TERM_KEY_OFFSET = 1_000_000


def _names(*names: str) -> frozenset[str]:
    return frozenset(("sourcedId", "status", "dateLastModified", "metadata", *names))


# Every property each type of the binding has (its schema's ``properties``): what ``sort``,
# ``filter`` and ``fields`` may name.
ORG_FIELDS = _names("name", "type", "identifier", "parent", "children")
USER_FIELDS = _names(
    "userMasterIdentifier",
    "username",
    "userIds",
    "enabledUser",
    "givenName",
    "familyName",
    "middleName",
    "preferredFirstName",
    "preferredMiddleName",
    "preferredLastName",
    "pronouns",
    "roles",
    "userProfiles",
    "primaryOrg",
    "identifier",
    "email",
    "sms",
    "phone",
    "agents",
    "grades",
    "password",
    "resources",
)
CLASS_FIELDS = _names(
    "title",
    "classCode",
    "classType",
    "location",
    "grades",
    "subjects",
    "course",
    "school",
    "terms",
    "subjectCodes",
    "periods",
    "resources",
)
COURSE_FIELDS = _names(
    "title", "schoolYear", "courseCode", "grades", "subjects", "org", "subjectCodes", "resources"
)
ENROLLMENT_FIELDS = _names("user", "class", "school", "role", "primary", "beginDate", "endDate")
SESSION_FIELDS = _names("title", "startDate", "endDate", "type", "parent", "children", "schoolYear")


def _given(kind: SourcedKind) -> dict[int, str]:
    """When each object of ``kind`` got its sourcedId, as OneRoster's timestamp."""
    return {
        pk: timestamp(moment)
        for pk, moment in SourcedId.objects.filter(kind=kind)
        .values_list("object_id", "given_at")
        .iterator(chunk_size=CHUNK)
    }


def _optional(record: Record, **values: str) -> Record:
    """``record`` with the optional string properties that have a value (the binding has no
    empty string for "none": the property is left out)."""
    record.update({name: value for name, value in values.items() if value})
    return record


def _sourced_id(kind: SourcedKind, column: str) -> Subquery:
    """The sourcedId of the object of ``kind`` a row's ``column`` names (None if not given)."""
    given = SourcedId.objects.filter(kind=kind, object_id=OuterRef(column))
    return Subquery(given.values("sourced_id")[:1])


@dataclass(frozen=True)
class Ids:
    """The sourcedIds a user's record names: its school's, its own, its agents'."""

    schools: dict[int, str]
    students: dict[int, str]
    contacts: dict[int, str]


@dataclass
class Rostering:
    """The collections one client may read, built once per request and only as needed."""

    base_url: str
    schools: list[School] | None = None

    def ref(self, collection: str, sourced_id: str, kind: str) -> Record:
        return {
            "href": f"{self.base_url}{collection}/{sourced_id}",
            "sourcedId": sourced_id,
            "type": kind,
        }

    def org_ref(self, sourced_id: str) -> Record:
        return self.ref("orgs", sourced_id, "org")

    def user_ref(self, sourced_id: str) -> Record:
        return self.ref("users", sourced_id, "user")

    @cached_property
    def roster(self) -> Roster:
        return build_roster(schools=self.schools)

    @cached_property
    def _teachers(self) -> tuple[dict[int, str], dict[int, set[int]]]:
        return teacher_ids(self.roster)

    # -- orgs ---------------------------------------------------------------------------

    @cached_property
    def orgs(self) -> list[Record]:
        roster = self.roster
        given = _given(SourcedKind.SCHOOL)
        given_district = _given(SourcedKind.DISTRICT)[DISTRICT_KEY]
        schools: list[Record] = [
            {
                "sourcedId": roster.school_ids[school.pk],
                "status": ACTIVE,
                "dateLastModified": given[school.pk],
                "name": school.name or school.school_number,
                "type": "school",
                "identifier": school.school_number,
                "parent": self.org_ref(roster.district_id),
            }
            for school in roster.schools
        ]
        return [
            {
                "sourcedId": roster.district_id,
                "status": ACTIVE,
                "dateLastModified": given_district,
                "name": district_name(),
                "type": "district",
                "identifier": roster.district_id,
                "children": [self.org_ref(school["sourcedId"]) for school in schools],
            },
            *schools,
        ]

    @cached_property
    def schools_list(self) -> list[Record]:
        return [org for org in self.orgs if org["type"] == "school"]

    # -- users --------------------------------------------------------------------------
    # One builder per kind of user, fed by the whole roster (a filtered or sorted collection)
    # or by one page's worth of rows (the walk in sourcedId order: ``user_page``).

    def _student(self, row: tuple[Any, ...], ids: Ids, agents: list[str], stamp: str) -> Record:
        pk, number, first, middle, last, school, grade, enrolled, username, email = row
        school_ref = self.org_ref(ids.schools[school])
        record: Record = {
            "sourcedId": ids.students[pk],
            "status": ACTIVE,
            "dateLastModified": stamp,
            "username": username or number,
            "userIds": [{"type": "studentNumber", "identifier": number}],
            "enabledUser": "true" if enrolled == 0 else "false",
            "givenName": first,
            "familyName": last,
            "roles": [{"roleType": "primary", "role": "student", "org": school_ref}],
            "primaryOrg": school_ref,
            "identifier": number,
            "agents": [self.user_ref(agent) for agent in agents],
        }
        _optional(record, middleName=middle, email=email or "")
        code = ceds_grade(grade)
        if code:
            record["grades"] = [code]
        return record

    def _parent(
        self,
        row: tuple[Any, ...],
        sourced_id: str,
        role: str,
        orgs: list[str],
        children: list[str],
        stamp: str,
    ) -> Record:
        _, first, middle, last, username, email = row
        refs = [self.org_ref(org) for org in orgs]
        record: Record = {
            "sourcedId": sourced_id,
            "status": ACTIVE,
            "dateLastModified": stamp,
            "enabledUser": "true",
            "givenName": first,
            "familyName": last,
            "roles": [{"roleType": "primary", "role": role, "org": ref} for ref in refs],
            "primaryOrg": refs[0],
            "agents": [self.user_ref(child) for child in children],
        }
        _optional(record, username=username or "", middleName=middle, email=email or "")
        return record

    def _teacher(
        self, row: tuple[Any, ...], sourced_id: str, orgs: list[str], stamp: str
    ) -> Record:
        _, username, first, last, email, active = row
        refs = [self.org_ref(org) for org in sorted(orgs)]
        record: Record = {
            "sourcedId": sourced_id,
            "status": ACTIVE,
            "dateLastModified": stamp,
            "username": username,
            "enabledUser": "true" if active else "false",
            "givenName": first or username,
            "familyName": last or username,
            "roles": [{"roleType": "primary", "role": "teacher", "org": ref} for ref in refs],
            "primaryOrg": refs[0],
        }
        _optional(record, email=email)
        return record

    @cached_property
    def _ids(self) -> Ids:
        roster = self.roster
        return Ids(roster.school_ids, roster.student_ids, roster.contact_ids)

    @cached_property
    def students(self) -> list[Record]:
        roster, ids = self.roster, self._ids
        given = _given(SourcedKind.STUDENT)
        rows = roster.students().order_by("pk").values_list(*STUDENT_COLUMNS)
        return [
            self._student(
                row,
                ids,
                [roster.contact_ids[c] for c in roster.pairing.agents_of(row[0])],
                given[row[0]],
            )
            for row in rows.iterator(chunk_size=CHUNK)
        ]

    @cached_property
    def parents(self) -> list[Record]:
        roster = self.roster
        given = _given(SourcedKind.CONTACT)
        return [
            self._parent(
                row,
                roster.contact_ids[row[0]],
                roster.role(row[0]),
                [roster.school_ids[s] for s in roster.contact_schools(row[0])],
                [roster.student_ids[student] for student in roster.pairing.children_of(row[0])],
                given[row[0]],
            )
            for chunk in chunked(roster.parent_contacts())
            for row in contact_people(chunk)
        ]

    @cached_property
    def teachers(self) -> list[Record]:
        roster = self.roster
        teachers, schools = self._teachers
        given = _given(SourcedKind.STAFF)
        return [
            self._teacher(
                row,
                teachers[row[0]],
                [roster.school_ids[s] for s in schools[row[0]]],
                given[row[0]],
            )
            for chunk in chunked(sorted(teachers))
            for row in Account.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list(*TEACHER_COLUMNS)
        ]

    @cached_property
    def users(self) -> list[Record]:
        return [*self.students, *self.parents, *self.teachers]

    # -- one page of users, in sourcedId order, without the whole roster -------------------

    @cached_property
    def _chosen(self) -> list[School]:
        return chosen_schools(self.schools)

    def user_page(self, collection: str, *, offset: int, limit: int) -> tuple[list[Record], int]:
        """The users of ``collection`` from ``offset`` in sourcedId order, and how many there
        are, read from the scope's listing (``listings.py``): a fixed number of queries,
        whatever the page. Someone who has left the scope since the listing was built is left
        out, so a page may hold fewer than ``limit``."""
        listing = current_listing(collection, schools=self.schools)
        rows = list(
            listing.entries.filter(position__gte=offset, position__lt=offset + limit)
            .order_by("position")
            .values_list("kind", "object_id", "sourced_id", "given_at")
        )
        return self._listed(LISTED_KINDS[collection], rows), listing.total

    def user(self, collection: str, sourced_id: str) -> Record | None:
        """The user of ``collection`` with ``sourced_id``, if the client may see it now."""
        kinds = LISTED_KINDS[collection]
        named = SourcedId.objects.filter(sourced_id=sourced_id, kind__in=kinds)
        row = named.values_list("kind", "object_id", "sourced_id", "given_at").first()
        if row is None:
            # Someone new to the scope gets their sourcedId when the listing is rebuilt.
            current_listing(collection, schools=self.schools)
            row = named.values_list("kind", "object_id", "sourced_id", "given_at").first()
        found = self._listed(kinds, [row]) if row is not None else []
        return found[0] if found else None

    def _listed(
        self, kinds: Sequence[SourcedKind], rows: list[tuple[str, int, str, Any]]
    ) -> list[Record]:
        """The records of the users ``rows`` name (kind, primary key, sourcedId, when given),
        in their order, leaving out whoever is no longer in the client's scope."""
        mine = {(kind, pk): (sid, timestamp(at)) for kind, pk, sid, at in rows}
        of_kind = {kind: [pk for k, pk, _, _ in rows if k == kind] for kind in kinds}
        scope = in_scope(kinds, self._chosen)
        schools = sourced_ids(SourcedKind.SCHOOL, {s.pk: s.school_number for s in self._chosen})
        built: dict[tuple[str, int], Record] = {}
        students = of_kind.get(SourcedKind.STUDENT, [])
        if students:
            agents: dict[int, list[str]] = defaultdict(list)
            contacts: dict[int, str] = {}
            pairs = (
                shared_links(schools=self._chosen, students=students)
                .annotate(agent=_sourced_id(SourcedKind.CONTACT, "contact_id"))
                .order_by("contact_id")
                .values_list("student_id", "contact_id", "agent")
            )
            for student, contact, agent in pairs:
                if agent:  # a parent is named once given a sourcedId (by a listing's build)
                    agents[student].append(agent)
                    contacts[contact] = agent
            ids_now = Ids(
                schools, {pk: mine[(SourcedKind.STUDENT, pk)][0] for pk in students}, contacts
            )
            enrolled, _ = scope[SourcedKind.STUDENT]
            for row in enrolled.filter(pk__in=students).values_list(*STUDENT_COLUMNS):
                key = (SourcedKind.STUDENT, row[0])
                built[key] = self._student(row, ids_now, agents[row[0]], mine[key][1])
        parents = of_kind.get(SourcedKind.CONTACT, [])
        if parents:
            pairs_of: dict[int, list[SharedPair]] = defaultdict(list)
            for pair in shared_pairs(schools=self._chosen, contacts=parents):
                pairs_of[pair.contact_id].append(pair)
            kids = {
                pk: (school, given)
                for pk, school, given in Student.objects.filter(
                    pk__in=[pair.student_id for pairs in pairs_of.values() for pair in pairs]
                )
                .annotate(given=_sourced_id(SourcedKind.STUDENT, "pk"))
                .values_list("pk", "school_id", "given")
                if given
            }
            # A parent with no shared pair left (or none named yet) is not in the scope now.
            shared = {
                contact: [pair for pair in pairs if pair.student_id in kids]
                for contact, pairs in pairs_of.items()
            }
            for row in contact_people([contact for contact, pairs in shared.items() if pairs]):
                key = (SourcedKind.CONTACT, row[0])
                their_pairs = shared[row[0]]
                built[key] = self._parent(
                    row,
                    mine[key][0],
                    oneroster_role(pair.relationship for pair in their_pairs),
                    sorted({schools[kids[pair.student_id][0]] for pair in their_pairs}),
                    [kids[pair.student_id][1] for pair in their_pairs],
                    mine[key][1],
                )
        staff = of_kind.get(SourcedKind.STAFF, [])
        if staff:
            taught: dict[int, set[int]] = defaultdict(set)
            sections, _ = scope[SourcedKind.STAFF]
            for teacher, school in sections.filter(account_id__in=staff).values_list(
                "account_id", "section__school_id"
            ):
                taught[teacher].add(school)
            for row in Account.objects.filter(pk__in=list(taught)).values_list(*TEACHER_COLUMNS):
                key = (SourcedKind.STAFF, row[0])
                built[key] = self._teacher(
                    row, mine[key][0], [schools[s] for s in taught[row[0]]], mine[key][1]
                )
        return [built[(kind, pk)] for kind, pk, _, _ in rows if (kind, pk) in built]

    # -- academic sessions ----------------------------------------------------------------

    @cached_property
    def _year(self) -> int:
        return school_year(self.roster.day)

    @cached_property
    def _session_ids(self) -> tuple[str, str]:
        year = self._year
        ids = sourced_ids(
            SourcedKind.SESSION,
            {year: f"{year}-{year + 1}", TERM_KEY_OFFSET + year: f"{year}-{year + 1}-term"},
        )
        return ids[year], ids[TERM_KEY_OFFSET + year]

    @cached_property
    def academic_sessions(self) -> list[Record]:
        year = self._year
        school_year_id, term_id = self._session_ids
        given = _given(SourcedKind.SESSION)
        common = {
            "status": ACTIVE,
            "startDate": f"{year}-08-01",
            "endDate": f"{year + 1}-07-31",
            "schoolYear": str(year + 1),
        }
        return [
            {
                "sourcedId": school_year_id,
                "dateLastModified": given[year],
                "title": f"{year}-{year + 1}",
                "type": "schoolYear",
                "children": [self.ref("academicSessions", term_id, "academicSession")],
                **common,
            },
            {
                "sourcedId": term_id,
                "dateLastModified": given[TERM_KEY_OFFSET + year],
                "title": f"{year}-{year + 1} (full year)",
                "type": "term",
                "parent": self.ref("academicSessions", school_year_id, "academicSession"),
                **common,
            },
        ]

    @cached_property
    def terms(self) -> list[Record]:
        return [session for session in self.academic_sessions if session["type"] == "term"]

    # -- courses, classes, enrollments ------------------------------------------------------

    @cached_property
    def _sections(self) -> list[tuple[int, str, str, int]]:
        return list(
            teacher_sections(self.roster)
            .order_by("pk")
            .values_list("pk", "section_id", "name", "school_id")
        )

    @cached_property
    def _class_ids(self) -> dict[int, str]:
        return sourced_ids(SourcedKind.SECTION, {pk: num for pk, num, _, _ in self._sections})

    @cached_property
    def _course_ids(self) -> dict[int, str]:
        return sourced_ids(
            SourcedKind.COURSE, {pk: f"course-{num}" for pk, num, _, _ in self._sections}
        )

    @cached_property
    def courses(self) -> list[Record]:
        school_year_id, _ = self._session_ids
        course_ids = self._course_ids
        given = _given(SourcedKind.COURSE)
        return [
            {
                "sourcedId": course_ids[pk],
                "status": ACTIVE,
                "dateLastModified": given[pk],
                "title": name or number,
                "courseCode": number,
                "schoolYear": self.ref("academicSessions", school_year_id, "academicSession"),
                "org": self.org_ref(self.roster.school_ids[school]),
            }
            for pk, number, name, school in self._sections
        ]

    @cached_property
    def classes(self) -> list[Record]:
        _, term_id = self._session_ids
        class_ids, course_ids = self._class_ids, self._course_ids
        given = _given(SourcedKind.SECTION)
        return [
            {
                "sourcedId": class_ids[pk],
                "status": ACTIVE,
                "dateLastModified": given[pk],
                "title": name or number,
                "classCode": number,
                "classType": "scheduled",
                "course": self.ref("courses", course_ids[pk], "course"),
                "school": self.org_ref(self.roster.school_ids[school]),
                "terms": [self.ref("academicSessions", term_id, "academicSession")],
            }
            for pk, number, name, school in self._sections
        ]

    @cached_property
    def enrollments(self) -> list[Record]:
        roster = self.roster
        teachers, _ = self._teachers
        schools = {pk: school for pk, _, _, school in self._sections}
        stamps = {record["sourcedId"]: record["dateLastModified"] for record in self.classes}
        records: list[Record] = []

        def enroll(section: int, user: str, role: str, primary: str) -> None:
            class_id = self._class_ids[section]
            records.append(
                {
                    "sourcedId": f"{class_id}-{user}",
                    "status": ACTIVE,
                    "dateLastModified": stamps[class_id],
                    "user": self.user_ref(user),
                    "class": self.ref("classes", class_id, "class"),
                    "school": self.org_ref(roster.school_ids[schools[section]]),
                    "role": role,
                    "primary": primary,
                }
            )

        taught = Section.teachers.through.objects.filter(section__school__in=roster.schools)
        for section, teacher in taught.values_list("section_id", "account_id").iterator(
            chunk_size=CHUNK
        ):
            enroll(section, teachers[teacher], "teacher", "true")
        enrolled = Section.students.through.objects.filter(
            section__school__in=roster.schools, student__school__in=roster.schools
        )
        for section, student in enrolled.values_list("section_id", "student_id").iterator(
            chunk_size=CHUNK
        ):
            enroll(section, roster.student_ids[student], "student", "false")
        return records


# Each collection: its JSON key, the key of one object, its fields, and how it is read.
@dataclass(frozen=True)
class Collection:
    name: str
    singular: str
    fields: frozenset[str]
    read: Callable[[Rostering], list[Record]]


COLLECTIONS = {
    "academicSessions": Collection(
        "academicSessions", "academicSession", SESSION_FIELDS, lambda r: r.academic_sessions
    ),
    "classes": Collection("classes", "class", CLASS_FIELDS, lambda r: r.classes),
    "courses": Collection("courses", "course", COURSE_FIELDS, lambda r: r.courses),
    "enrollments": Collection(
        "enrollments", "enrollment", ENROLLMENT_FIELDS, lambda r: r.enrollments
    ),
    "orgs": Collection("orgs", "org", ORG_FIELDS, lambda r: r.orgs),
    "schools": Collection("orgs", "org", ORG_FIELDS, lambda r: r.schools_list),
    "students": Collection("users", "user", USER_FIELDS, lambda r: r.students),
    "teachers": Collection("users", "user", USER_FIELDS, lambda r: r.teachers),
    "terms": Collection("academicSessions", "academicSession", SESSION_FIELDS, lambda r: r.terms),
    "users": Collection("users", "user", USER_FIELDS, lambda r: r.users),
}
