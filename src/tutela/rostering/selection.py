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
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from tutela.people.models import Code, School, StudentContact
from tutela.people.selectors import granting_details, links_granting_access

# OneRoster's roles for a parent, by the relationship codes of the pairs it is shared through.
PARENT_RELATIONSHIPS = frozenset({"mother", "father", "parent"})
GUARDIAN_RELATIONSHIPS = frozenset({"guardian"})


@dataclass(frozen=True)
class SharedPair:
    """One parent-child pair a learning system may be told of, with the relationship code of
    the detail in force ("" when it names none)."""

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
) -> list[SharedPair]:
    """Every shared pair with its relationship, in one query (a district's 190,000 pairs),
    or only the pairs of ``contacts`` when given (one page of an API's users)."""
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
    return [SharedPair(student, contact, code or "") for student, contact, code in rows]


def oneroster_role(relationships: Iterable[str]) -> str:
    """A parent's OneRoster role from the relationships of its shared pairs: ``parent`` when
    any is a mother, father or parent, else ``guardian`` when any is a guardian, else
    ``relative``."""
    codes = {code.casefold() for code in relationships}
    if codes & PARENT_RELATIONSHIPS:
        return "parent"
    if codes & GUARDIAN_RELATIONSHIPS:
        return "guardian"
    return "relative"


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
