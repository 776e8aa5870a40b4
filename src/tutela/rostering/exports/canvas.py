"""Canvas SIS import files: ``users.csv`` (students and the parents who may see them) and
``user_observers.csv`` (one ``active`` row per shared parent-child pair).

The ids are the users' OneRoster sourcedIds, so a district moving between formats keeps each
person's id in Canvas. With ``since``, a pair touched since then that may no longer leave gets
a ``deleted`` row, so Canvas ends the observation.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

from django.utils import timezone

from tutela.people.models import Contact, School
from tutela.rostering.exports.package import open_package
from tutela.rostering.exports.roster import (
    CHUNK,
    Roster,
    build_roster,
    changes_since,
    chunked,
    known_sourced_ids,
)
from tutela.rostering.models import SourcedKind

USERS = ("user_id", "login_id", "first_name", "last_name", "email", "status")
USER_OBSERVERS = ("observer_id", "student_id", "status")


def _users(roster: Roster) -> Iterator[tuple[str, ...]]:
    students = (
        roster.students()
        .order_by("pk")
        .values_list(
            "pk",
            "student_number",
            "first_name",
            "last_name",
            "student_account__account__username",
            "student_account__account__email",
        )
    )
    for pk, number, first, last, username, email in students.iterator(chunk_size=CHUNK):
        yield (roster.student_ids[pk], username or number, first, last, email or "", "active")
    for chunk in chunked(roster.parent_contacts()):
        parents = (
            Contact.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "first_name", "last_name", "account__username", "account__email")
        )
        for pk, first, last, username, email in parents:
            yield (roster.contact_ids[pk], username, first, last, email or "", "active")


def _observers(roster: Roster, ended: list[tuple[str, str]]) -> Iterator[tuple[str, ...]]:
    for contact, student in roster.pairs():
        yield (roster.contact_ids[contact], roster.student_ids[student], "active")
    for observer_id, student_id in ended:
        yield (observer_id, student_id, "deleted")


def _ended(roster: Roster, since: datetime.datetime) -> list[tuple[str, str]]:
    """The pairs touched since ``since`` that may not leave now, between people Canvas knows."""
    changes = changes_since(since, now=timezone.now())
    ended = [(s, c) for s, c in changes.pairs if s not in roster.pairing.children_of(c)]
    students = known_sourced_ids(SourcedKind.STUDENT, (s for s, _ in ended))
    contacts = known_sourced_ids(SourcedKind.CONTACT, (c for _, c in ended))
    return sorted(
        (contacts[contact], students[student])
        for student, contact in ended
        if student in students and contact in contacts and student in roster.student_ids
    )


def export_canvas(
    path: Path,
    *,
    schools: list[School] | None = None,
    since: datetime.datetime | None = None,
    parents: bool = True,
    rosters: bool = True,
) -> dict[str, int]:
    """Write the Canvas package of ``schools`` (every school by default) to ``path``."""
    roster = build_roster(schools=schools, parents=parents, rosters=rosters)
    ended = _ended(roster, since) if since is not None and roster.parents else []
    with open_package(path) as package:
        package.write("users.csv", USERS, _users(roster))
        package.write("user_observers.csv", USER_OBSERVERS, _observers(roster, ended))
        return dict(package.counts)
