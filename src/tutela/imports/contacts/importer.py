"""``ContactImporter``: the engine behind ``tutela import contacts`` and the web upload."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone

from tutela.core.columns import map_columns
from tutela.core.tabular import Table
from tutela.imports.contacts.columns import KNOWN
from tutela.imports.contacts.planning import Planner
from tutela.imports.contacts.state import load_world
from tutela.imports.contacts.validation import ParsedRow, RowValidator
from tutela.imports.contacts.writing import Writer
from tutela.imports.results import ImportResult, RowResult
from tutela.imports.runner import Progress
from tutela.people.codesets import CodeBook
from tutela.people.models import Code

PROGRESS_EVERY = 5000


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


class ContactImporter:
    """Contacts with their emails, phones, addresses, students and access account.

    Related rows (the same ``ID``, or without one the same ``Identifier``) form a group that is
    imported whole or not at all; groups are decided in the order of their first row. Every
    decision is made in memory against state loaded up front, so a rejected group writes
    nothing and the writes themselves are a handful of bulk statements.
    """

    kind = "contacts"
    counter_names = ("contacts_added", "contacts_updated", "contacts_deleted")

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def run(self, table: Table, *, actor: Any, progress: Progress | None) -> ImportResult:
        with _roomy_sqlite_cache():
            return self._run(table, progress)

    def _run(self, table: Table, progress: Progress | None) -> ImportResult:
        timings = self.timings = {}
        clock = time.perf_counter()
        columns = map_columns(table.headers, KNOWN, file_name=table.path.name)
        codes = list(Code.objects.select_related("parent"))
        validator = RowValidator(columns, CodeBook(codes))
        # The rows' cells are not kept (a big file's cells would double the memory used): the
        # report reads rejected rows back from the file (the runner names it the source).
        result = ImportResult(self.kind, table.headers, counter_names=self.counter_names)
        parsed: list[ParsedRow] = []
        groups: dict[tuple[str, str], list[int]] = {}
        for number, cells in table.rows:
            row = validator.parse(number, cells)
            groups.setdefault(row.key, []).append(len(parsed))
            parsed.append(row)
            result.rows.append(RowResult(row=number, group=row.label, cells=[], key=row.key))
        timings["read and validate"] = time.perf_counter() - clock
        total = len(parsed)

        clock = time.perf_counter()
        world = load_world(parsed)
        timings["resolve (load what the file names)"] = time.perf_counter() - clock

        clock = time.perf_counter()
        code_text = {c.pk: c.qualified_code for c in codes}
        planner = Planner(world, code_text, timezone.localdate(), validator.spelling)
        done = 0
        for key, indexes in groups.items():
            rows = [parsed[i] for i in indexes]
            for index in indexes:
                parsed[index] = None  # type: ignore[call-overload]  # planned: free it
            errors, outcome = planner.plan(key, rows)
            if errors:
                result.reject_group([result.rows[i] for i in indexes], errors)
            elif outcome in ("added", "updated", "deleted"):
                result.counters[f"contacts_{outcome}"] += 1
            done += len(indexes)
            if progress and done // PROGRESS_EVERY != (done - len(indexes)) // PROGRESS_EVERY:
                progress(done, total)
        timings["plan (decide each group)"] = time.perf_counter() - clock
        del parsed, groups

        Writer(world, timings).write()
        if progress:
            progress(total, total)
        return result
