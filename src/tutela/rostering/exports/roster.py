"""Who leaves Tutela in a package, under which sourcedIds, and what changed since a moment.

Everything here is read in a few set-based queries and streamed: a district of 1,000,000
students and 1.85 million shared pairs is held as arrays of integers (who is whose agent,
``pairing.py``), each parent's role as one word, and every sourcedId, never as model
instances.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from tutela.accounts.models import Account
from tutela.core.bulk import chunks
from tutela.people.models import (
    Contact,
    LinkRestriction,
    School,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.rostering.exports.pairing import Pairing, keys
from tutela.rostering.identifiers import sourced_ids
from tutela.rostering.models import SourcedId, SourcedKind
from tutela.rostering.selection import RELATIVE, shared_pairs, stronger_role
from tutela.sections.models import Section

CHUNK = 2_000
# The row outcomes of an import that changed what its row names.
TOUCHED = frozenset({"added", "updated"})
# The one district a Tutela installation serves, as its OneRoster org.
DISTRICT_KEY = 1


def chunked(items: list[int], size: int = 5_000) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def timestamp(moment: datetime.datetime) -> str:
    """OneRoster's ``dateLastModified``: ``YYYY-MM-DDTHH:MM:SS.sssZ`` in UTC."""
    utc = moment.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def listed(values: Iterable[str]) -> str:
    """A OneRoster list field: the values comma-separated in one field."""
    return ",".join(values)


@dataclass
class Roster:
    """The people of one package: the schools, the shared pairs and every sourcedId."""

    day: datetime.date
    schools: list[School]
    parents: bool
    # "Allow Parents in Rosters": the parent-child pairs are told, so parents see their
    # children's classes; off, the parents' accounts go without them.
    rosters: bool = True
    district_id: str = ""
    school_ids: dict[int, str] = field(default_factory=dict)
    student_ids: dict[int, str] = field(default_factory=dict)
    contact_ids: dict[int, str] = field(default_factory=dict)
    pairing: Pairing = field(default_factory=lambda: Pairing(keys(), keys()))
    # A parent's OneRoster role, when stronger than ``relative``.
    roles: dict[int, str] = field(default_factory=dict)
    student_schools: dict[int, int] = field(default_factory=dict)

    def students(self) -> QuerySet[Student]:
        return Student.objects.filter(school__in=self.schools)

    def agent_ids(self, student: int) -> str:
        if not self.rosters:
            return ""
        return listed(self.contact_ids[contact] for contact in self.pairing.agents_of(student))

    def child_ids(self, contact: int) -> str:
        if not self.rosters:
            return ""
        return listed(self.student_ids[student] for student in self.pairing.children_of(contact))

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Every shared (contact, student) pair the package tells, by contact."""
        if self.rosters:
            yield from self.pairing

    def parent_contacts(self) -> list[int]:
        """The contacts that leave as parents, in order."""
        return self.pairing.contacts()

    def contact_schools(self, contact: int) -> list[int]:
        schools = {self.student_schools[student] for student in self.pairing.children_of(contact)}
        return sorted(schools, key=lambda pk: self.school_ids[pk])

    def role(self, contact: int) -> str:
        return self.roles.get(contact, RELATIVE)


def build_roster(
    *,
    schools: list[School] | None = None,
    parents: bool = True,
    rosters: bool = True,
    day: datetime.date | None = None,
) -> Roster:
    """The roster of ``schools`` (every school by default), parents included unless not, and
    the pairs between parents and children told unless ``rosters`` is off."""
    today = day or datetime.date.today()
    chosen = list(schools) if schools is not None else list(School.objects.order_by("pk"))
    roster = Roster(day=today, schools=chosen, parents=parents, rosters=rosters)
    roster.district_id = sourced_ids(SourcedKind.DISTRICT, {DISTRICT_KEY: "district"})[DISTRICT_KEY]
    roster.school_ids = sourced_ids(
        SourcedKind.SCHOOL, {school.pk: school.school_number for school in chosen}
    )
    numbers: dict[int, str] = {}
    for pk, number, school in (
        roster.students()
        .values_list("pk", "student_number", "school_id")
        .iterator(chunk_size=CHUNK)
    ):
        numbers[pk] = number
        roster.student_schools[pk] = school
    roster.student_ids = sourced_ids(SourcedKind.STUDENT, numbers)
    del numbers
    if parents:
        contacts, students = keys(), keys()
        for student, contact, relationship in shared_pairs(schools=chosen, day=today):
            contacts.append(contact)
            students.append(student)
            role = stronger_role(roster.roles.get(contact, RELATIVE), relationship)
            if role != RELATIVE:
                roster.roles[contact] = role
        roster.pairing = Pairing(contacts, students)
        roster.contact_ids = contact_sourced_ids(roster.parent_contacts())
    return roster


def contact_sourced_ids(contacts: list[int]) -> dict[int, str]:
    """The sourcedIds of ``contacts``: a new one prefers the contact's Unique ID."""
    preferred: dict[int, str] = {}
    for chunk in chunked(sorted(contacts)):
        preferred.update(
            Contact.objects.filter(pk__in=chunk).values_list("pk", "unique_id").iterator()
        )
    return sourced_ids(SourcedKind.CONTACT, preferred)


def known_sourced_ids(kind: SourcedKind, object_ids: Iterable[int]) -> dict[int, str]:
    """The sourcedIds already given to ``object_ids`` (none is given out here)."""
    known: dict[int, str] = {}
    for chunk in chunked(sorted(set(object_ids))):
        known.update(
            SourcedId.objects.filter(kind=kind, object_id__in=chunk).values_list(
                "object_id", "sourced_id"
            )
        )
    return known


def teacher_sections(roster: Roster) -> QuerySet[Section]:
    return Section.objects.filter(school__in=roster.schools)


def teacher_ids(roster: Roster) -> tuple[dict[int, str], dict[int, set[int]]]:
    """The sourcedIds of the teachers of the roster's sections, and each one's schools."""
    schools: defaultdict[int, set[int]] = defaultdict(set)
    usernames: dict[int, str] = {}
    rows = teacher_sections(roster).values_list("school_id", "teachers__pk", "teachers__username")
    for school, teacher, username in rows.iterator(chunk_size=CHUNK):
        if teacher is not None:
            schools[teacher].add(school)
            usernames[teacher] = username
    return sourced_ids(SourcedKind.STAFF, usernames), dict(schools)


# -- what changed -------------------------------------------------------------------------


@dataclass
class Changes:
    """The students and contacts whose rows changed since a moment, with when each did."""

    students: dict[int, datetime.datetime] = field(default_factory=dict)
    contacts: dict[int, datetime.datetime] = field(default_factory=dict)
    # Parent-child pairs whose link was touched: a learning system may need to drop them.
    pairs: dict[tuple[int, int], datetime.datetime] = field(default_factory=dict)


def _later(found: dict[Any, datetime.datetime], key: Any, moment: datetime.datetime) -> None:
    if key not in found or found[key] < moment:
        found[key] = moment


def _changed(entry_changes: Any, name: str) -> int | None:
    """The old value of a foreign key in a removed object's audit entry."""
    changes = entry_changes
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            return None
    if not isinstance(changes, dict) or name not in changes:
        return None
    values = changes[name]
    old = values[0] if isinstance(values, list) and values else values
    try:
        return int(old)
    except (TypeError, ValueError):
        return None


def changes_since(since: datetime.datetime, *, now: datetime.datetime) -> Changes:
    """Who changed since ``since``, from the audit trail (every change is audited) and from
    the calendar (a grant that began or ended since then changed no row)."""
    found = Changes()
    types = ContentType.objects.get_for_models(
        Student, Contact, Account, StudentContact, StudentContactDetail, LinkRestriction
    )
    kinds = {content_type.pk: model for model, content_type in types.items()}
    links: dict[int, datetime.datetime] = {}
    details: dict[int, datetime.datetime] = {}
    restrictions: dict[int, datetime.datetime] = {}
    accounts: dict[int, datetime.datetime] = {}
    entries = LogEntry.objects.filter(
        timestamp__gte=since, content_type_id__in=list(kinds)
    ).values_list("content_type_id", "object_pk", "action", "changes", "timestamp")
    for content_type, object_pk, action, changes, moment in entries.iterator(chunk_size=CHUNK):
        model = kinds[content_type]
        try:
            pk = int(object_pk)
        except ValueError:
            continue
        removed = action == LogEntry.Action.DELETE
        if model is Student:
            _later(found.students, pk, moment)
        elif model is Contact:
            _later(found.contacts, pk, moment)
        elif model is Account:
            _later(accounts, pk, moment)
            contact = _changed(changes, "contact") if removed else None
            if contact is not None:
                _later(found.contacts, contact, moment)
        elif model is StudentContact:
            _later(links, pk, moment)
            if removed:
                student, contact = _changed(changes, "student"), _changed(changes, "contact")
                if student is not None and contact is not None:
                    _later(found.pairs, (student, contact), moment)
        elif model is StudentContactDetail:
            _later(details, pk, moment)
            link = _changed(changes, "link") if removed else None
            if link is not None:
                _later(links, link, moment)
        elif model is LinkRestriction:
            _later(restrictions, pk, moment)
    today = now.date()
    calendar = StudentContactDetail.objects.filter(
        Q(start_date__gt=since.date(), start_date__lte=today)
        | Q(end_date__gte=since.date(), end_date__lt=today)
    ).values_list("pk", "start_date", "end_date")
    for pk, start, end in calendar.iterator(chunk_size=CHUNK):
        if start is not None and start > since.date():
            day = start
        elif end is not None:
            day = end + datetime.timedelta(days=1)
        else:
            continue
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        _later(details, pk, max(moment, since))
    for chunk in chunked(list(details)):
        for pk, link in StudentContactDetail.objects.filter(pk__in=chunk).values_list(
            "pk", "link_id"
        ):
            _later(links, link, details[pk])
    for chunk in chunked(list(restrictions)):
        for pk, link in LinkRestriction.objects.filter(pk__in=chunk).values_list("pk", "link_id"):
            _later(links, link, restrictions[pk])
    for chunk in chunked(list(accounts)):
        for pk, contact in Account.objects.filter(pk__in=chunk, contact__isnull=False).values_list(
            "pk", "contact_id"
        ):
            _later(found.contacts, contact, accounts[pk])
    for chunk in chunked(list(links)):
        for pk, student, contact in StudentContact.objects.filter(pk__in=chunk).values_list(
            "pk", "student_id", "contact_id"
        ):
            _later(found.pairs, (student, contact), links[pk])
    for (student, contact), moment in found.pairs.items():
        _later(found.students, student, moment)
        _later(found.contacts, contact, moment)
    # A contact that changed (an account disabled, say) changes the agents of its children.
    for chunk in chunked(list(found.contacts)):
        for student, contact in StudentContact.objects.filter(contact_id__in=chunk).values_list(
            "student_id", "contact_id"
        ):
            _later(found.pairs, (student, contact), found.contacts[contact])
            _later(found.students, student, found.contacts[contact])
    return found


@dataclass
class SectionChanges:
    """What a delta's class files carry: the sections changed since a moment (with when),
    the removed ones a learning system was told of (class and course sourcedIds, when), and
    the schools changed."""

    changed: dict[int, datetime.datetime] = field(default_factory=dict)
    removed: dict[int, tuple[str, str, datetime.datetime]] = field(default_factory=dict)
    schools: dict[int, datetime.datetime] = field(default_factory=dict)


def changes_of_sections(since: datetime.datetime, roster: Roster) -> SectionChanges:
    """The roster's sections and schools changed since ``since``: from the audit trail (a
    section changed one by one, its teachers or students included) and from the sections
    imports run since then, which write in bulk but name each section they added or updated
    in their row results."""
    from tutela.imports.models import ImportJob

    found = SectionChanges()
    types = ContentType.objects.get_for_models(Section, School)
    removed: dict[int, datetime.datetime] = {}
    entries = LogEntry.objects.filter(
        timestamp__gte=since, content_type__in=list(types.values())
    ).values_list("content_type_id", "object_pk", "action", "timestamp")
    for content_type, object_pk, action, moment in entries.iterator(chunk_size=CHUNK):
        try:
            pk = int(object_pk)
        except ValueError:
            continue
        if content_type == types[School].pk:
            _later(found.schools, pk, moment)
        elif action == LogEntry.Action.DELETE:
            _later(removed, pk, moment)
        else:
            _later(found.changed, pk, moment)
    jobs = ImportJob.objects.filter(
        kind="sections", dry_run=False, status=ImportJob.Status.DONE, finished_at__gte=since
    )
    for job in jobs.order_by("pk"):
        assert job.finished_at is not None
        numbers = sorted(
            {str(row["group"]) for row in job.row_results if row.get("outcome") in TOUCHED}
        )
        for chunk in chunks(numbers):
            for pk in Section.objects.filter(section_id__in=chunk).values_list("pk", flat=True):
                _later(found.changed, pk, job.finished_at)
    current = set(
        teacher_sections(roster).filter(pk__in=list(found.changed)).values_list("pk", flat=True)
    )
    found.changed = {pk: moment for pk, moment in found.changed.items() if pk in current}
    classes = known_sourced_ids(SourcedKind.SECTION, removed)
    courses = known_sourced_ids(SourcedKind.COURSE, removed)
    found.removed = {
        pk: (classes[pk], courses.get(pk, ""), moment)
        for pk, moment in removed.items()
        if pk in classes and pk not in current
    }
    in_roster = {school.pk for school in roster.schools}
    found.schools = {pk: moment for pk, moment in found.schools.items() if pk in in_roster}
    return found


def section_teachers(sections: list[int]) -> Iterator[tuple[int, int]]:
    """Each (section, teacher account) pair of ``sections``."""
    through = Section.teachers.through
    for chunk in chunked(sorted(sections)):
        yield from through.objects.filter(section_id__in=chunk).values_list(
            "section_id", "account_id"
        )


def district_name() -> str:
    return str(settings.TUTELA_DISTRICT_NAME)
