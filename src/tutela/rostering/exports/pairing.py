"""Who is whose agent in a package: the shared parent-child pairs, held both ways as arrays.

A district of 1,000,000 students shares 1.85 million pairs. A dict of lists each way (contact
to students, student to contacts) costs about 200 bytes a pair in Python objects; these four
arrays of machine integers cost 32, and a parent's children or a student's agents are found
by bisection. The export must fit in 1 GiB whatever the district's size.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import groupby

# Signed 64-bit, as the databases' primary keys.
KEY = "q"


def keys() -> array[int]:
    """An empty array of primary keys, to fill one pair at a time."""
    return array(KEY)


class Pairing:
    """The shared (contact, student) pairs of a package, by contact and by student."""

    def __init__(self, contacts: array[int], students: array[int]) -> None:
        """``contacts[i]`` is shared with ``students[i]``, in contact then student order (the
        order ``shared_pairs`` reads them in)."""
        self._contacts, self._students = contacts, students
        # A stable sort by student keeps each student's contacts in contact order.
        order = sorted(range(len(students)), key=students.__getitem__)
        self._by_student = array(KEY, (students[i] for i in order))
        self._agents = array(KEY, (contacts[i] for i in order))

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """Every (contact, student) pair, by contact then student."""
        return zip(self._contacts, self._students, strict=True)

    def __len__(self) -> int:
        return len(self._contacts)

    def __contains__(self, contact: object) -> bool:
        """Whether ``contact`` is shared with any student."""
        if not isinstance(contact, int):
            return False
        at = bisect_left(self._contacts, contact)
        return at < len(self._contacts) and self._contacts[at] == contact

    def contacts(self) -> list[int]:
        """Every contact shared with a student, in order, once."""
        return [contact for contact, _ in groupby(self._contacts)]

    def children_of(self, contact: int) -> array[int]:
        """The students ``contact`` is shared with, in order."""
        return self._students[
            bisect_left(self._contacts, contact) : bisect_right(self._contacts, contact)
        ]

    def agents_of(self, student: int) -> array[int]:
        """The contacts shared with ``student``, in order."""
        return self._agents[
            bisect_left(self._by_student, student) : bisect_right(self._by_student, student)
        ]
