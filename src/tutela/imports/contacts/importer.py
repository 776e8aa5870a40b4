"""``ContactImporter``: the contacts kind of the import engine (``tutela import contacts``)."""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from itertools import chain

from django.db import connection
from django.utils import timezone

from tutela.accounts.models import Account
from tutela.core.bulk import chunks
from tutela.core.columns import ColumnMap
from tutela.imports.contacts.columns import COLUMNS, FIELDS, KNOWN
from tutela.imports.contacts.planning import Planner
from tutela.imports.contacts.state import EARLIER, World, by_index, load_world
from tutela.imports.contacts.validation import ParsedRow, RowValidator
from tutela.imports.contacts.writing import Writer
from tutela.imports.engine import PROGRESS_EVERY, Group, ImportContext, ImportKind, Touch
from tutela.people.codesets import CodeBook
from tutela.people.models import (
    Address,
    Code,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Phone,
    Student,
    StudentContact,
    StudentContactDetail,
)

SQLITE_CACHE_KIB = 64 * 1024


@contextmanager
def _roomy_sqlite_cache() -> Iterator[None]:
    """Give SQLite a page cache big enough to hold the whole import's writes.

    With the default 2 MiB cache SQLite spills dirty pages in the middle of the transaction,
    syncing its journal each time; inserts then slow down several-fold as the import grows.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class ContactImporter(ImportKind[ParsedRow]):
    """Contacts with their emails, phones, addresses, students and access account.

    Related rows (the same ``ID``, or without one the same ``Identifier``) form a group that is
    imported whole or not at all; groups are decided in the order of their first row. The file
    is applied slice by slice (the engine's ``SLICE_ROWS``): every decision is made in memory
    against state loaded for its slice, after the earlier slices wrote, so a rejected group
    writes nothing and the writes themselves are a handful of bulk statements per slice. Every
    row of a group gets the group's outcome: its contact was added, updated, deleted or left
    unchanged.
    """

    kind = "contacts"
    fields = FIELDS
    counter_names = ("contacts_added", "contacts_updated", "contacts_deleted")
    # The rows' cells are not kept (a big file's cells would double the memory used): the
    # report reads rejected rows back from the file (the runner names it the source).
    keeps_cells = False
    # A first import's keys checked once at its end, but none of or to the contacts and
    # accounts tables: every signed-in page reads them (the account with its contact).
    filled_tables = (
        Address,
        Phone,
        ContactAddress,
        ContactEmail,
        ContactPhone,
        StudentContact,
        StudentContactDetail,
    )
    spared_tables = (Contact, Account)

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._codes: list[Code] = []
        self._validator: RowValidator | None = None
        self._clock = 0.0
        # Rows planned so far, over every slice of the file.
        self._done = 0
        # The positions among a student's contacts that groups of earlier slices put a contact
        # at, by student: each position and the row that did, one after the other (rule 11's
        # collisions are the file's). An array, not a dictionary, for each student: a file that
        # sets every student's positions keeps them all to its end (a million students' took
        # 400 MB as dictionaries, 230 MB so).
        self._claims: dict[int, array[int]] = {}

    def headers(self) -> Mapping[str, str]:
        return KNOWN

    def field_headers(self) -> dict[str, str]:
        return {column.key: column.header for column in COLUMNS}

    def grouper(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], tuple[Hashable, str]]:
        self.timings = {}
        self._clock = time.perf_counter()
        self._done = 0
        self._claims = {}
        self._codes = list(Code.objects.select_related("parent"))
        self._validator = RowValidator(columns, CodeBook(self._codes))
        return self._validator.group_of

    def reader(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], ParsedRow]:
        assert self._validator is not None, "the engine asks for the grouper first"
        parse = self._validator.parse

        def read(number: int, cells: list[str]) -> ParsedRow:
            row = parse(number, cells)
            if row.key[0] == "row":  # rule 1: a row with neither is rejected on its own
                row.errors.insert(0, "ID or Identifier is required")
            return row

        return read

    def apply(self, groups: list[Group[ParsedRow]], context: ImportContext) -> None:
        with _roomy_sqlite_cache():
            self._apply(groups, context)

    def _apply(self, groups: list[Group[ParsedRow]], context: ImportContext) -> None:
        """One slice of the file: load what it names (earlier slices' writes included), plan
        its groups, write them."""
        timings = self.timings
        _add(timings, "read and validate", time.perf_counter() - self._clock)
        assert self._validator is not None
        counters = context.result.counters
        total = context.rows

        clock = time.perf_counter()
        with by_index():
            world = load_world([row for group in groups for row in group.checked])
            schools = {} if context.district_wide else _schools_of(world)
        for student_id, view in world.views.items():
            claims = self._claims.get(student_id, ())
            for at in range(0, len(claims), 2):
                view.claimed[claims[at]] = (EARLIER, claims[at + 1])
        _add(timings, "resolve (load what the file names)", time.perf_counter() - clock)

        clock = time.perf_counter()
        code_text = {c.pk: c.qualified_code for c in self._codes}
        planner = Planner(world, code_text, timezone.localdate(), self._validator.spelling)
        done = self._done
        for group in groups:
            rows, group.checked = group.checked, []  # planned: free them
            done += len(rows)
            if context.progress and done // PROGRESS_EVERY != (done - len(rows)) // PROGRESS_EVERY:
                context.progress(done, total)
            if not context.district_wide and context.outside_scope(
                group, _touched(world, schools, rows)
            ):
                continue
            errors, outcome = planner.plan(rows[0].key, rows)
            if errors:
                group.reject(errors)
                continue
            assert outcome is not None
            if outcome != "unchanged":
                counters[f"contacts_{outcome}"] += 1
            group.done(outcome)
        self._done = done
        for student_id, view in world.views.items():
            if view.claimed:
                # Positions and rows are below ``LARGEST_ID`` (2**62): 64-bit integers.
                pairs = ((p, row) for p, (_, row) in view.claimed.items())
                self._claims[student_id] = array("q", chain.from_iterable(pairs))
        _add(timings, "plan (decide each group)", time.perf_counter() - clock)
        Writer(world, timings, phase=context.phase).write()
        self._clock = time.perf_counter()


def _add(timings: dict[str, float], name: str, seconds: float) -> None:
    timings[name] = timings.get(name, 0.0) + seconds


def _schools_of(world: World) -> dict[int, int]:
    """Every student the file or its contacts name, and the student's school."""
    found: dict[int, int] = {}
    for batch in chunks(sorted(world.student_numbers)):
        found.update(Student.objects.filter(pk__in=batch).values_list("pk", "school_id"))
    return found


def _touched(world: World, schools: dict[int, int], rows: list[ParsedRow]) -> list[Touch]:
    """The students a group names, and an existing contact's children (all of them: changing
    a person changes what they see at every school they have a child at)."""
    touched = []
    kind, value = rows[0].key
    if kind == "id" and (contact := world.contacts.get(int(value))) is not None:
        if not contact.links:
            touched.append(Touch(f"contact #{contact.id}", None))
        for student_id in contact.links:
            number = world.student_numbers[student_id]
            touched.append(Touch(f"contact #{contact.id}'s student {number}", schools[student_id]))
    for row in rows:
        named = row.student.student_number if row.student is not None else None
        if isinstance(named, str) and named in world.students:
            touched.append(Touch(f"student {named}", schools[world.students[named]], row.number))
    return touched
