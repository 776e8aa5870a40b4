"""Each scope's users in sourcedId order, stored so that a page reads only its own rows.

Who a OneRoster client may see (``selection.py``: every shared link with its detail in force and
its enabled account) takes most of a second to evaluate on a district of 190,000 users, too
slow to do on every page of a client's walk. So the users of a scope (a client's schools, or
the whole district) are written once into a listing, numbered in code-point sourcedId order by
one ``INSERT … SELECT``, and a page reads its positions by index.

A listing is kept as long as the change marker it was built at is current: the marker moves
whenever anyone could have *entered* the scope, and the next page rebuilds the listing first.
Leaving is checked live on every page instead (``in_scope``, asked for the page's people), so a
pair restricted, a grant ended or an account disabled is gone from the very next page even
when the marker missed it.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Iterable, Sequence
from functools import reduce
from typing import Any

from auditlog.models import LogEntry
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value, Window
from django.db.models.functions import Collate, RowNumber
from django.utils import timezone

from tutela.accounts.models import Account
from tutela.jobs.lifecycle import job_models
from tutela.jobs.models import Job
from tutela.people.models import School, Student, StudentContact, StudentContactDetail
from tutela.rostering.exports.roster import build_roster, teacher_ids
from tutela.rostering.models import (
    ListedCollection,
    ListedUser,
    RosteringClient,
    SourcedId,
    SourcedKind,
    UserListing,
)
from tutela.rostering.selection import shared_links
from tutela.sections.models import Section

# The kinds of user each collection lists.
LISTED_KINDS: dict[str, tuple[SourcedKind, ...]] = {
    ListedCollection.USERS: (SourcedKind.STUDENT, SourcedKind.CONTACT, SourcedKind.STAFF),
    ListedCollection.STUDENTS: (SourcedKind.STUDENT,),
    ListedCollection.TEACHERS: (SourcedKind.STAFF,),
}
DISTRICT = "district"
# The collation that orders by code point, as Python's own sort does.
BINARY = {"postgresql": "C", "sqlite": "BINARY"}
UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)


def chosen_schools(schools: Sequence[School] | None) -> list[School]:
    """The schools of a scope: those given, or every school for the whole district."""
    return list(schools) if schools is not None else list(School.objects.order_by("pk"))


def scope_key(schools: Sequence[School] | None) -> str:
    """How a listing names its scope: ``district``, or its schools' primary keys."""
    if schools is None:
        return DISTRICT
    return ",".join(str(pk) for pk in sorted({school.pk for school in schools}))


def in_scope(
    kinds: Iterable[SourcedKind], schools: Sequence[School]
) -> dict[SourcedKind, tuple[QuerySet[Any], str]]:
    """The rows naming the users of each kind ``schools`` hold, and their key column: the
    students of those schools, the parents shared for them (``shared_links``), the teachers
    of their sections. What a listing is built from and what each page checks its people
    against, so that the two cannot disagree."""
    found: dict[SourcedKind, tuple[QuerySet[Any], str]] = {}
    for kind in kinds:
        if kind == SourcedKind.STUDENT:
            found[kind] = (Student.objects.filter(school__in=schools), "pk")
        elif kind == SourcedKind.CONTACT:
            found[kind] = (shared_links(schools=schools), "contact_id")
        elif kind == SourcedKind.STAFF:
            # The section's school as a correlated test, not a join: joined, SQLite pairs every
            # section of the district with every teacher of a page (0.4 s a page).
            theirs = Section.objects.filter(pk=OuterRef("section_id"), school__in=schools)
            taught = Section.teachers.through.objects.filter(Exists(theirs))
            found[kind] = (taught, "account_id")
    return found


def change_marker() -> str:
    """A cheap value that moves whenever anyone could have entered any scope's listing.

    Someone enters a scope when a student is added or moves school, a link is made, granted
    or lifted from restriction, a detail starts allowing data access, a parent's account is
    made or enabled, or a teacher is given a section. Each of these is either

    - a change through a service, the staff screens, the portal or a command, which
      django-auditlog records (every such model is registered, and set-based changes write a
      summary entry): the newest audit entry moves;
    - a bulk insert with no entry of its own (a load, AutoCreate's accounts, an import's new
      rows): the newest student, link, detail, account or section teacher moves;
    - an import or another job writing in bulk with no entry per row: it is recorded (a new
      job) before its rows are written, and its rows commit together with its final status,
      so the newest job, or the number of jobs not yet finished, moves;
    - the calendar: a detail may come into force today.

    Each is an index read (the newest primary key of a table) or a count of the few
    unfinished jobs, all in one query. A sourcedId given out is not a change: only a listing's
    own build (or an export) gives them, to people already counted by the above.
    """
    newest = [
        model._default_manager.order_by("-pk").values("pk")[:1]
        for model in (
            LogEntry,
            Student,
            StudentContact,
            StudentContactDetail,
            Account,
            Section.teachers.through,
            *job_models(),
        )
    ]
    unfinished = [
        model._default_manager.filter(status__in=UNFINISHED).values("pk") for model in job_models()
    ]
    parts: list[str] = []
    params: list[Any] = []
    for query, shape in [(q, "({})") for q in newest] + [
        (q, "(SELECT COUNT(*) FROM ({}) unfinished)") for q in unfinished
    ]:
        sql, more = query.query.sql_with_params()
        parts.append(shape.format(sql))
        params.extend(more)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    values = ["" if value is None else str(value) for value in row]
    return "|".join([datetime.date.today().isoformat(), *values])


def current_listing(collection: str, *, schools: Sequence[School] | None) -> UserListing:
    """The listing of ``collection`` for the scope of ``schools`` (the whole district when
    None), rebuilt first when the change marker has moved since it was built."""
    marker = change_marker()
    key = scope_key(schools)
    listing = UserListing.objects.filter(scope=key, collection=collection).first()
    if listing is not None and listing.marker == marker:
        return listing
    return _rebuild(collection, key, chosen_schools(schools), marker)


def _give_out_missing(
    scope: dict[SourcedKind, tuple[QuerySet[Any], str]], schools: list[School]
) -> None:
    """Give every user of the scope a sourcedId: when one is missing (a new student, a parent
    just granted) the roster is built once, as an export would."""
    for kind, (rows, column) in scope.items():
        given = SourcedId.objects.filter(kind=kind, object_id=OuterRef(column))
        # Counted, not ``exists()``: a LIMIT 1 sends PostgreSQL through nested loops over the
        # whole scope when nobody is missing, the usual case (1.8 s against 0.5 s).
        if rows.filter(~Exists(given)).order_by().count():
            teacher_ids(build_roster(schools=schools))
            return


def _rebuild(collection: str, key: str, schools: list[School], marker: str) -> UserListing:
    """Write the listing anew, replacing the scope's previous one in one transaction.

    The marker was read before anything here, so the listing holds at least everyone the
    marker accounts for, and whatever changes meanwhile moves the marker again: the next page
    rebuilds once more. The
    sourcedIds are given out first, outside the transaction: the whole roster's build must not
    hold the database's write lock (SQLite has one for everyone)."""
    scope = in_scope(LISTED_KINDS[collection], schools)
    _give_out_missing(scope, schools)
    wanted = [
        Q(kind=kind, object_id__in=rows.values(column)) for kind, (rows, column) in scope.items()
    ]
    with transaction.atomic():
        listing, _ = UserListing.objects.select_for_update().get_or_create(
            scope=key,
            collection=collection,
            defaults={"built_at": timezone.now(), "marker": ""},
        )
        if listing.marker == marker:  # another request has just built it
            return listing
        ListedUser.objects.filter(listing=listing).delete()
        listing.total = _insert(listing, SourcedId.objects.filter(reduce(operator.or_, wanted)))
        listing.marker, listing.built_at = marker, timezone.now()
        listing.save()
    return listing


def _insert(listing: UserListing, ids: QuerySet[SourcedId]) -> int:
    """``INSERT … SELECT`` the users named by ``ids``, numbered from 0 in code-point order of
    their sourcedIds; how many were written."""
    order = Collate("sourced_id", BINARY[connection.vendor])
    copied: dict[str, Any] = {
        "listing": Value(listing.pk),
        "position": Window(RowNumber(), order_by=order) - 1,
        **{name: F(name) for name in ("kind", "object_id", "sourced_id", "given_at")},
    }
    # Annotations named apart from the sourcedId's own fields, selected in this order.
    named = {f"listed_{name}": value for name, value in copied.items()}
    sql, params = ids.order_by().annotate(**named).values_list(*named).query.sql_with_params()
    quote = connection.ops.quote_name
    column = {field.name: field.column for field in ListedUser._meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in copied)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(ListedUser._meta.db_table)} ({columns}) {sql}", params)
        return int(cursor.rowcount)


def forget_unused_listings() -> int:
    """Delete the listings of scopes no client has any more (a client removed, whose schools
    no other client shares); how many went. A scope another client still has keeps its own."""
    used = {
        scope_key(list(client.schools.all()) or None)
        for client in RosteringClient.objects.prefetch_related("schools")
    }
    _, deleted = UserListing.objects.exclude(scope__in=used).delete()
    return deleted.get(UserListing._meta.label, 0)
