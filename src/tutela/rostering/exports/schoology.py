"""Schoology's two parent files: the parent accounts (``parents.csv``) and the parent-child
associations (``parent_associations.csv``), the columns Schoology's import matches by default.

A parent's Unique ID is its sourcedId and a child's is the student's, the ids the OneRoster and
Canvas files give the same people. A Schoology user belongs to one school (building): a parent
is placed in the school of its first child by school number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tutela.people.models import Contact, School
from tutela.rostering.exports.package import open_package
from tutela.rostering.exports.roster import Roster, build_roster, chunked

PARENTS = ("First Name", "Last Name", "Unique ID", "Username", "E-mail", "Role", "School")
ASSOCIATIONS = ("Parent Unique ID", "Child Unique ID")


def _parents(roster: Roster) -> Iterator[tuple[str, ...]]:
    numbers = {school.pk: school.school_number for school in roster.schools}
    for chunk in chunked(roster.parent_contacts()):
        parents = (
            Contact.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "first_name", "last_name", "account__username", "account__email")
        )
        for pk, first, last, username, email in parents:
            schools = sorted(numbers[school] for school in roster.contact_schools(pk))
            yield (first, last, roster.contact_ids[pk], username, email or "", "Parent", schools[0])


def _associations(roster: Roster) -> Iterator[tuple[str, ...]]:
    for contact, student in roster.pairs():
        yield (roster.contact_ids[contact], roster.student_ids[student])


def export_schoology(
    path: Path, *, schools: list[School] | None = None, parents: bool = True, rosters: bool = True
) -> dict[str, int]:
    """Write the Schoology package of ``schools`` (every school by default) to ``path``."""
    roster = build_roster(schools=schools, parents=parents, rosters=rosters)
    with open_package(path) as package:
        package.write("parents.csv", PARENTS, _parents(roster))
        package.write("parent_associations.csv", ASSOCIATIONS, _associations(roster))
        return dict(package.counts)
