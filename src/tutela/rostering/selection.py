"""What leaves Tutela for a learning system: the one rule every hand-off asks.

A learning system may know a parent only for the children the district granted. A parent-child
pair leaves when the link grants the parent access (``links_granting_access``, the portal's own
rule: not restricted by a court order or custody note, and a detail in force allowing data
access), and the parent has an enabled portal account to sign in with. The OneRoster, Canvas
and Schoology files, the sync targets and the OneRoster API all ask here, so no two of them can
disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from functools import reduce
from typing import NamedTuple

from django.db.models import OuterRef, QuerySet, Subquery

from tutela.people.models import Code, School, StudentContact
from tutela.people.selectors import granting_details, links_granting_access

# OneRoster's roles for a parent, by the relationship codes of the pairs it is shared through.
PARENT_RELATIONSHIPS = frozenset({"mother", "father", "parent"})
GUARDIAN_RELATIONSHIPS = frozenset({"guardian"})
RELATIVE, GUARDIAN, PARENT = "relative", "guardian", "parent"
# A parent shared through several pairs takes the strongest role any of them gives.
ROLE_STRENGTH = {RELATIVE: 0, GUARDIAN: 1, PARENT: 2}
# Rows fetched at a time: a district's pairs are streamed, never held in one list.
PAIRS_CHUNK = 5_000


class SharedPair(NamedTuple):
    """One parent-child pair a learning system may be told of, with the relationship code of
    the detail in force ("" when it names none). A tuple: a district reads millions."""

    student_id: int
    contact_id: int
    relationship: str


def shared_links(
    *,
    schools: Iterable[School] | QuerySet[School] | None = None,
    day: datetime.date | None = None,
    students: Iterable[int] | None = None,
    contacts: Iterable[int] | None = None,
) -> QuerySet[StudentContact]:
    """The links whose pair may leave Tutela on ``day`` (today by default), of the students
    of ``schools`` when given (a sync target or an API client limited to some schools), and
    only those of ``students`` or ``contacts`` when given (one page of an API's users)."""
    among = None
    if students is not None or contacts is not None:
        among = StudentContact.objects.all()
        if students is not None:
            among = among.filter(student_id__in=list(students))
        if contacts is not None:
            among = among.filter(contact_id__in=list(contacts))
    links = links_granting_access(day, among=among).filter(contact__account__is_active=True)
    if schools is not None:
        links = links.filter(student__school__in=schools)
    return links


def shared_pairs(
    *,
    schools: Iterable[School] | QuerySet[School] | None = None,
    day: datetime.date | None = None,
    contacts: Iterable[int] | None = None,
) -> Iterator[SharedPair]:
    """Every shared pair with its relationship, by contact then student, streamed from one
    query (a district of 1,000,000 students shares 1.85 million pairs), or only the pairs of
    ``contacts`` when given (one page of an API's users)."""
    today = day or datetime.date.today()
    # The relationship's key, then its code by primary key: a join to the codes inside the
    # subquery costs PostgreSQL a hash of the whole code table for every pair.
    relationship = (
        granting_details(today)
        .filter(link=OuterRef("pk"))
        .order_by("-start_date", "-id")
        .values("relationship_type_id")[:1]
    )
    code = Code.objects.filter(pk=OuterRef("relationship_id")).order_by().values("code")
    rows = (
        shared_links(schools=schools, day=today, contacts=contacts)
        .annotate(relationship_id=Subquery(relationship))
        .annotate(relationship=Subquery(code))
        .order_by("contact_id", "student_id")
        .values_list("student_id", "contact_id", "relationship")
    )
    for student, contact, code in rows.iterator(chunk_size=PAIRS_CHUNK):
        yield SharedPair(student, contact, code or "")


def stronger_role(role: str, relationship: str) -> str:
    """The OneRoster role of a parent that has ``role`` from some of its shared pairs and is
    shared through one more of ``relationship``: a parent held one pair at a time keeps one
    role, not the set of its relationships."""
    code = relationship.casefold()
    if code in PARENT_RELATIONSHIPS:
        given = PARENT
    elif code in GUARDIAN_RELATIONSHIPS:
        given = GUARDIAN
    else:
        given = RELATIVE
    return given if ROLE_STRENGTH[given] > ROLE_STRENGTH[role] else role


def oneroster_role(relationships: Iterable[str]) -> str:
    """A parent's OneRoster role from the relationships of its shared pairs: ``parent`` when
    any is a mother, father or parent, else ``guardian`` when any is a guardian, else
    ``relative``."""
    return reduce(stronger_role, relationships, RELATIVE)


def ceds_grade(grade_level: str) -> str:
    """A student's grade as the CEDS code OneRoster's ``grades`` wants (``KG``, ``01``…``13``,
    ``PK``), from the SIS's grade level (PowerSchool writes 0 for kindergarten and negative
    numbers for pre-kindergarten); ``Other`` for anything else, "" for none."""
    value = grade_level.strip().upper()
    if not value:
        return ""
    if value in {"K", "KG", "0", "00"}:
        return "KG"
    if value in {"PK", "P", "-1", "-2"}:
        return "PK"
    if value.isdigit() and 1 <= int(value) <= 13:
        return f"{int(value):02d}"
    if value in {"IT", "PR", "TK", "PS", "UG"}:
        return value
    return "Other"
