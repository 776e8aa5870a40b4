"""What the OneRoster API tells a learning system, as the binding's JSON records.

Who is a user, and which agents a parent has, is ``tutela.rostering.selection``'s rule (the
LMS files ask the same): every student of the client's schools, and a parent only with an
enabled account and a granted, unrestricted link, naming only those children. The sourcedIds
are ``tutela.rostering.identifiers``'s, fixed the first time they are given out.

Each collection is built in a fixed number of queries, whatever the page asks for.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from tutela.accounts.models import Account
from tutela.api.query import Record
from tutela.people.models import Contact, School, Student
from tutela.rostering.identifiers import sourced_ids
from tutela.rostering.models import SourcedKind
from tutela.rostering.selection import ceds_grade, oneroster_role, shared_pairs

BASE_PATH = "/ims/oneroster/rostering/v1p2"
DISTRICT_OBJECT_ID = 1

ORG_FIELDS = frozenset(
    {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parent", "children"}
)
USER_FIELDS = frozenset(
    {
        "sourcedId", "status", "dateLastModified", "userMasterIdentifier", "username",
        "userIds", "enabledUser", "givenName", "familyName", "middleName", "roles",
        "primaryOrg", "identifier", "email", "agents", "grades",
    }
)  # fmt: skip


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _ref(base: str, collection: str, sourced_id: str, kind: str) -> Record:
    return {"href": f"{base}{BASE_PATH}/{collection}/{sourced_id}", "sourcedId": sourced_id,
            "type": kind}  # fmt: skip


@dataclass
class Roster:
    """The people and orgs one client may read, built once per request."""

    base: str
    schools: list[School] | None
    modified: str = field(default_factory=lambda: _stamp(timezone.now()))

    def __post_init__(self) -> None:
        self._school_ids: dict[int, str] | None = None

    # Orgs ----------------------------------------------------------------------------------
    def _visible_schools(self) -> QuerySet[School]:
        schools = School.objects.order_by("pk")
        if self.schools is not None:
            schools = schools.filter(pk__in=[school.pk for school in self.schools])
        return schools

    def school_ids(self, schools: Iterable[School]) -> dict[int, str]:
        if self._school_ids is None:
            self._school_ids = sourced_ids(
                SourcedKind.SCHOOL, {school.pk: school.school_number for school in schools}
            )
        return self._school_ids

    def district_id(self) -> str:
        return sourced_ids(SourcedKind.DISTRICT, {DISTRICT_OBJECT_ID: "district"})[
            DISTRICT_OBJECT_ID
        ]

    def schools_records(self) -> list[Record]:
        schools = list(self._visible_schools())
        ids = self.school_ids(schools)
        district = _ref(self.base, "orgs", self.district_id(), "org")
        return [
            {
                "sourcedId": ids[school.pk],
                "status": "active",
                "dateLastModified": self.modified,
                "name": school.name or school.school_number,
                "type": "school",
                "identifier": school.school_number,
                "parent": district,
            }
            for school in schools
        ]

    def orgs_records(self) -> list[Record]:
        schools = self.schools_records()
        district = {
            "sourcedId": self.district_id(),
            "status": "active",
            "dateLastModified": self.modified,
            "name": settings.TUTELA_DISTRICT_NAME,
            "type": "district",
            "children": [_ref(self.base, "orgs", school["sourcedId"], "org") for school in schools],
        }
        return [district, *schools]

    # Users ---------------------------------------------------------------------------------
    def students_records(self) -> list[Record]:
        schools = list(self._visible_schools())
        school_ids = self.school_ids(schools)
        students = list(
            Student.objects.filter(school__in=schools)
            .order_by("pk")
            .values_list(
                "pk",
                "student_number",
                "first_name",
                "middle_name",
                "last_name",
                "grade_level",
                "enroll_status",
                "school_id",
            )
        )
        ids = sourced_ids(SourcedKind.STUDENT, {row[0]: row[1] for row in students})
        records = []
        for pk, number, first, middle, last, grade, enroll_status, school_id in students:
            org = _ref(self.base, "orgs", school_ids[school_id], "org")
            record: Record = {
                "sourcedId": ids[pk],
                "status": "active" if enroll_status == 0 else "tobedeleted",
                "dateLastModified": self.modified,
                "userIds": [{"type": "studentNumber", "identifier": number}],
                "enabledUser": "true" if enroll_status == 0 else "false",
                "givenName": first,
                "familyName": last,
                "roles": [{"roleType": "primary", "role": "student", "org": org}],
                "primaryOrg": org,
                "identifier": number,
                "agents": [],
                "grades": [ceds_grade(grade)] if grade.strip() else [],
            }
            if middle:
                record["middleName"] = middle
            records.append(record)
        return records

    def parents_records(self, students: list[Record]) -> list[Record]:
        """The parents a learning system may know, each naming only its granted children."""
        pairs = shared_pairs(schools=self._visible_schools())
        if not pairs:
            return []
        student_rows = dict(
            Student.objects.filter(pk__in={pair.student_id for pair in pairs}).values_list(
                "pk", "school_id"
            )
        )
        student_ids = sourced_ids(
            SourcedKind.STUDENT,
            dict(Student.objects.filter(pk__in=student_rows).values_list("pk", "student_number")),
        )
        school_ids = self.school_ids(list(self._visible_schools()))
        children: dict[int, list[int]] = defaultdict(list)
        relationships: dict[int, list[str]] = defaultdict(list)
        for pair in pairs:
            children[pair.contact_id].append(pair.student_id)
            relationships[pair.contact_id].append(pair.relationship)
        contacts = {
            row[0]: row
            for row in Contact.objects.filter(pk__in=children).values_list(
                "pk", "unique_id", "first_name", "middle_name", "last_name"
            )
        }
        emails = dict(
            Account.objects.filter(contact_id__in=children).values_list("contact_id", "email")
        )
        ids = sourced_ids(SourcedKind.CONTACT, {pk: row[1] for pk, row in contacts.items()})
        records = []
        for contact_id, kids in children.items():
            pk, unique_id, first, middle, last = contacts[contact_id]
            role = oneroster_role(relationships[contact_id])
            orgs = list(dict.fromkeys(school_ids[student_rows[kid]] for kid in kids))
            roles = [
                {
                    "roleType": "primary" if index == 0 else "secondary",
                    "role": role,
                    "org": _ref(self.base, "orgs", org, "org"),
                }
                for index, org in enumerate(orgs)
            ]
            record: Record = {
                "sourcedId": ids[pk],
                "status": "active",
                "dateLastModified": self.modified,
                "userIds": [{"type": "contactId", "identifier": unique_id or str(pk)}],
                "enabledUser": "true",
                "givenName": first,
                "familyName": last,
                "roles": roles,
                "primaryOrg": roles[0]["org"],
                "identifier": unique_id or str(pk),
                "agents": [_ref(self.base, "users", student_ids[kid], "user") for kid in kids],
                "grades": [],
            }
            if middle:
                record["middleName"] = middle
            if emails.get(pk):
                record["email"] = emails[pk]
            records.append(record)
        return records

    def users_records(self) -> list[Record]:
        students = self.students_records()
        return [*students, *self.parents_records(students)]
