"""Giving out sourcedIds: an object keeps the first one it was given, for good."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence

from django.db import transaction

from tutela.core.bulk import chunks
from tutela.rostering.models import SourcedId, SourcedKind

# The characters 1EdTech's CSV binding allows in a sourcedId.
SOURCED_ID_CHARACTERS = re.compile(r"[0-9A-Za-z._/@-]+")


def usable(candidate: str) -> bool:
    """Whether ``candidate`` can be a sourcedId as it stands: only the binding's characters."""
    return (
        bool(candidate)
        and len(candidate) <= 255
        and SOURCED_ID_CHARACTERS.fullmatch(candidate) is not None
    )


def _given(kind: SourcedKind, object_ids: Sequence[int]) -> dict[int, str]:
    given: dict[int, str] = {}
    for chunk in chunks(object_ids):
        given.update(
            SourcedId.objects.filter(kind=kind, object_id__in=chunk).values_list(
                "object_id", "sourced_id"
            )
        )
    return given


def _taken(candidates: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in chunks(candidates):
        taken.update(
            SourcedId.objects.filter(sourced_id__in=chunk).values_list("sourced_id", flat=True)
        )
    return taken


def sourced_ids(kind: SourcedKind, preferred: Mapping[int, str]) -> dict[int, str]:
    """The sourcedId of every object in ``preferred`` (primary key → the id it would like),
    giving one to each object that has none yet.

    A new object gets the id it would like (a contact's Unique ID, a student's number, the id
    a OneRoster package gave it) when that uses only the binding's characters and no other
    object holds it, else a new UUID. Set-based: a few queries for a whole district. Two
    exports giving out ids at once settle on the first one written.
    """
    object_ids = sorted(preferred)
    given = _given(kind, object_ids)
    missing = [pk for pk in object_ids if pk not in given]
    if not missing:
        return given
    wanted = [preferred[pk] for pk in missing if usable(preferred[pk])]
    unavailable = _taken(wanted)
    new: dict[int, str] = {}
    for pk in missing:
        candidate = preferred[pk]
        if not usable(candidate) or candidate in unavailable:
            candidate = str(uuid.uuid4())
        unavailable.add(candidate)
        new[pk] = candidate
    # Written a chunk at a time: a first export of a district gives out millions of ids, too
    # many to hold as model instances at once.
    with transaction.atomic():
        for chunk in chunks(new.items()):
            SourcedId.objects.bulk_create(
                [SourcedId(kind=kind, object_id=pk, sourced_id=value) for pk, value in chunk],
                ignore_conflicts=True,
            )
    given.update(_given(kind, missing))
    # An id another export wrote meanwhile for another object: this one gets a new UUID.
    lost = {pk: "" for pk in missing if pk not in given}
    if lost:
        given.update(sourced_ids(kind, lost))
    return given
