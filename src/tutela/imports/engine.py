"""The import engine: one cycle for every kind of file, whoever imports it and from where.

    read the file (``tutela.core.tabular``) -> match its headers to the kind's fields
    -> check each row into typed values (errors never write) -> group related rows by the
    kind's key -> de-duplicate -> reject related rows -> apply -> results

A kind (``ImportKind``) declares its fields, how a row is checked, what groups rows, what
makes two rows of a group duplicates or a conflict, and how the valid groups are applied.
The engine does the rest, so every kind gets the same rules:

- **De-duplicating** (kinds whose group is one row, such as a student or an account): a row
  repeating an earlier row of its group with the same values is ``skipped``; with other
  values it is a conflict, rejected with the kind's message.
- **Related rows**: one rejected row rejects its whole group (each other row says which row
  failed), before applying and again after, so a group is never counted rejected while one
  of its rows was applied. The students import is the exception: its rows are independent.
- **Applying**: the kind loads what the file names in a few queries, decides each group in
  file order against that state, and writes in bulk; it gives each group an outcome. A kind
  of big files (one with a ``grouper``) is applied slice by slice, in the same transaction,
  so that memory holds one slice of the file, and its rows' results are spilled to a
  private file as they are settled (``run_kind``).
- **Scope**: the kind names what each group touches (a student, a section, at a school) and
  the engine rejects a group that touches a school outside the actor's ``Scope``.

Every row ends with an outcome (``added``, ``updated``, ``unchanged``, ``deleted``,
``skipped`` or ``rejected``) and its group key.
"""

from __future__ import annotations

from argparse import ArgumentParser
from array import array
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from django.db.models import Model

from tutela.accounts.scopes import Actor, Scope
from tutela.core.columns import ColumnMap, map_columns
from tutela.core.tabular import (
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    Table,
    normalise_header,
    read_table,
)
from tutela.core.upkeep import keys_checked_at_end
from tutela.imports.results import ImportResult, Outcome, RowResult, reject_rows

# (done, total): rows read so far while the file is read (total ``None``: the engine reads the
# file once and does not count it first), then a kind's own steps with their total.
Progress = Callable[[int, int | None], None]
# How often the engine reports the rows it has read.
PROGRESS_EVERY = 5000
# How many rows' groups are checked, planned and written at a time (kinds with a ``grouper``):
# what a kind holds in memory while it applies (the checked rows, what they name) is one
# slice's, not the file's.
SLICE_ROWS = 20_000
V = TypeVar("V")


class Checked(Protocol):
    """What checking a row gives: its group's key and label, its own errors."""

    @property
    def key(self) -> Hashable: ...

    @property
    def label(self) -> str: ...

    @property
    def errors(self) -> list[str]: ...


C = TypeVar("C", bound=Checked)


@dataclass(slots=True)
class CheckedRow(Generic[V]):
    """A checked row of a kind with plain typed values (``None`` when the row has errors)."""

    number: int
    key: Hashable
    label: str
    errors: list[str]
    value: V | None = None


def value_of(group: Group[CheckedRow[V]]) -> V:
    """The typed values of a group that is one record (its first valid row's)."""
    value = group.checked[0].value
    assert value is not None
    return value


@dataclass(frozen=True, slots=True)
class Touch:
    """Something a group would change that belongs to a school: a student, a section.

    ``school_id`` is ``None`` for a school the district does not have yet; ``row`` is the row
    that names it (``None``: the group as a whole, such as a contact's existing children).
    """

    subject: str
    school_id: int | None
    row: int | None = None
    moving: bool = False

    @property
    def problem(self) -> str:
        verb = "would move to" if self.moving else "is at"
        return f"{self.subject} {verb} a school outside your scope"


@dataclass(eq=False, slots=True)
class Group(Generic[C]):
    """Related rows: every row of one key, and the checked values of its valid ones."""

    key: Hashable
    rows: list[RowResult] = field(default_factory=list)
    checked: list[C] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(row.status == "rejected" for row in self.rows)

    def reject(self, reason_by_row: Mapping[int, list[str]]) -> None:
        """Reject the whole group; rows rejected earlier keep their own errors."""
        reasons = {row.row: row.errors for row in self.rows if row.status == "rejected"}
        reasons.update(reason_by_row)
        reject_rows(self.rows, reasons)

    def done(self, outcome: Outcome, message: str = "") -> None:
        """The group's outcome, for each of its rows that has none yet (not the skipped)."""
        for row in self.rows:
            if row.outcome is None:
                row.outcome = outcome
                row.message = message


@dataclass
class ImportContext:
    """One run of one kind: who imports, with what options, and the results so far."""

    actor: Actor
    result: ImportResult
    options: Mapping[str, Any] = field(default_factory=dict)
    progress: Progress | None = None
    # The person's own column mapping (normalised header -> field, ``None``: ignored), asked
    # before the kind's own header spellings (``imports.mapping``).
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    # Which step a long kind has reached, for the job's live state ("writing: …").
    phase: Callable[[str], None] | None = None
    # How many data rows the file has, once the engine has read it through (a kind's
    # progress total).
    rows: int = 0
    scope: Scope = field(init=False)

    def __post_init__(self) -> None:
        self.scope = Scope.of(self.actor)

    @property
    def district_wide(self) -> bool:
        """Whether every group is in scope, so a kind need not name what it touches."""
        return self.scope.district_wide

    def outside_scope(self, group: Group[Any], touched: Iterable[Touch]) -> bool:
        """Reject ``group`` if it touches a school outside the actor's scope; say if it did.

        The reason goes on the row that names the student or section (the other rows say
        which row failed), or on every row when the group as a whole touches it.
        """
        if self.scope.district_wide:
            return False
        for touch in touched:
            if not self.scope.covers_school(touch.school_id):
                if touch.row is None:
                    group.reject({row.row: [touch.problem] for row in group.rows})
                else:
                    group.reject({touch.row: [touch.problem]})
                return True
        return False


class ImportKind(Generic[C]):
    """One kind of file ``tutela import KIND`` and the web upload understand.

    A kind declares its ``fields`` (the columns, as documented) and which are ``required``,
    checks a row into typed values (``check``: it never writes), and applies the valid groups
    (``apply``: set-based, in file order, giving each group an outcome with ``Group.done``).
    """

    kind: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]] = ()
    # The counters the totals show (``students_added`` …), kept in ``result.counters``.
    counter_names: ClassVar[tuple[str, ...]] = ()
    # A group is one record named by one row: its other rows are duplicates or conflicts.
    one_row_per_group: ClassVar[bool] = False
    # One rejected row rejects the other rows of its group.
    related_rows: ClassVar[bool] = True
    # Whether results keep each row's cells (the report then reads nothing back from the
    # file); a kind of very big files keeps none.
    keeps_cells: ClassVar[bool] = True
    # Whether the summary lists what every row did.
    prints_log: ClassVar[bool] = False
    # Lists of what the run did beyond its rows (``cleared`` links), in ``--json`` and the job.
    lists: ClassVar[tuple[str, ...]] = ()
    # Whether the kind reads a spreadsheet (the imports screen's uploads); else it reads its
    # own files (``read``), on the command line.
    spreadsheet: ClassVar[bool] = True
    # The kinds of file the imports screen takes for the kind (a kind reading its own files
    # is offered there when it names them); none: the command line only.
    upload_suffixes: ClassVar[tuple[str, ...]] = (*TEXT_SUFFIXES, *XLSX_SUFFIXES)
    # The tables a run applied in slices fills, whose foreign keys a big run checks once at
    # its end (``core.upkeep.keys_checked_at_end``), and the tables no such key may lock.
    filled_tables: ClassVar[tuple[type[Model], ...]] = ()
    spared_tables: ClassVar[tuple[type[Model], ...]] = ()

    def read(self, path: Path) -> Table:
        """The rows of ``path``: by default a spreadsheet (``FileProblem`` if it is not one)."""
        return read_table(path)

    def add_arguments(self, parser: ArgumentParser) -> None:
        """The kind's own options on ``tutela import KIND`` (the shared ones are the command's)."""

    def options_from(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The kind's options, checked, from what the command line (or a web form) gave by
        option name; what the job records and ``ImportContext.options`` holds. A wrong
        combination raises ``UsageError`` before anything is read."""
        return {}

    def headers(self) -> Mapping[str, str]:
        """Each header spelling the kind understands (normalised) and the field it fills."""
        return {normalise_header(name): name for name in self.fields}

    def field_headers(self) -> dict[str, str]:
        """Each field and the header the documentation gives it: what a mapping names."""
        return {name: name for name in self.fields}

    def columns(self, table: Table, context: ImportContext) -> tuple[Table, ColumnMap]:
        """Where each field is in ``table``: by default its header row, every column known,
        with the headers the user mapped (``context.mapping``) taking their chosen fields.

        A kind whose options choose the columns (or say the file has no header row) returns
        the table its rows come from and sets ``context.result.headers`` for the report."""
        known, required = self.headers(), self.required
        columns = map_columns(
            table.headers, known, required, file_name=table.path.name, chosen=context.mapping
        )
        return table, columns

    def reader(self, columns: ColumnMap, context: ImportContext) -> Callable[[int, list[str]], C]:
        """What checks each row; by default ``check`` over the row's fields by name."""
        fields = self.fields

        def read(number: int, cells: list[str]) -> C:
            return self.check(number, {name: columns.get(cells, name) for name in fields})

        return read

    def grouper(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], tuple[Hashable, str]] | None:
        """What gives a row its group's key and label without checking it, for a kind whose
        files are applied slice by slice (``run_kind``); ``None``: the file is one slice."""
        return None

    def check(self, number: int, values: dict[str, str]) -> C:
        raise NotImplementedError

    def conflict(self, first: C, later: C) -> str | None:
        """Why ``later`` conflicts with ``first`` (same group), or ``None``: a duplicate."""
        return None

    def apply(self, groups: list[Group[C]], context: ImportContext) -> None:
        raise NotImplementedError


def run_kind(kind: ImportKind[Any], table: Table, context: ImportContext) -> ImportResult:
    """The import cycle over ``table``; writes only inside the caller's transaction.

    A kind with a ``grouper`` reads the file twice so that memory holds one slice of the
    file, never the whole of it (``_in_slices``). Other kinds check every row as they read it
    and apply the file as one slice.
    """
    mapped, columns = kind.columns(table, context)
    grouper = kind.grouper(columns, context)
    read = kind.reader(columns, context)
    if grouper is None:
        _in_one_slice(kind, mapped, read, context)
    else:
        _in_slices(kind, mapped, grouper, read, context)
    total = context.result.row_count
    if context.progress:
        context.progress(total, total)
    return context.result


def _in_one_slice(
    kind: ImportKind[Any],
    table: Table,
    read: Callable[[int, list[str]], Checked],
    context: ImportContext,
) -> None:
    """Check every row as it is read, into its group, then apply the groups together."""
    checker = _Checker(kind)
    groups: dict[Hashable, Group[Any]] = {}
    for number, cells in _reported(table, context.progress):
        checked = read(number, cells)
        group = groups.get(checked.key)
        if group is None:
            group = groups[checked.key] = Group(checked.key)
        checker.take(_row_of(kind, table, number, cells, checked, group, context), group, checked)
    context.rows = context.result.row_count
    _apply_slice(kind, list(groups.values()), context)


def _in_slices(
    kind: ImportKind[Any],
    table: Table,
    grouper: Callable[[int, list[str]], tuple[Hashable, str]],
    read: Callable[[int, list[str]], Checked],
    context: ImportContext,
) -> None:
    """The file in slices of about ``SLICE_ROWS`` rows' groups, in the order of their first
    rows.

    The first pass gives each row its group (``_Index``: numbers, not cells); the second
    checks the rows and applies a slice once its groups' last rows are read, so a later slice
    sees every write of the earlier ones, in the same transaction: the run decides exactly as
    if the whole file were one slice. A row's result is spilled once its group and every
    earlier row's are applied; only the groups still to apply, and their rows, stay in memory.
    """
    index = _Index.of(table, grouper, context.progress)
    context.rows = len(index.numbers)
    result = context.result
    checker = _Checker(kind)
    waiting: dict[int, Group[Any]] = {}  # by group number, until applied
    again, _ = kind.columns(kind.read(table.path), context)
    applied = settled = 0
    with keys_checked_at_end(kind.filled_tables, context.rows, spared=kind.spared_tables):
        for position, (number, cells) in enumerate(again.rows):
            changed = position >= len(index.numbers) or index.numbers[position] != number
            assert not changed, "the file changed while it was imported"
            checked = read(number, cells)
            group = waiting.get(index.groups[position])
            if group is None:
                group = waiting[index.groups[position]] = Group(checked.key)
            row = _row_of(kind, again, number, cells, checked, group, context)
            checker.take(row, group, checked)
            while index.slices and index.slices[0][0] <= position:
                end = index.slices.popleft()[1]
                _apply_slice(kind, [waiting.pop(n) for n in range(applied, end)], context)
                applied = end
                while settled <= position and index.groups[settled] < applied:
                    settled += 1
                result.spill(settled)
    assert result.row_count == len(index.numbers), "the file changed while it was imported"


def _reported(table: Table, progress: Progress | None) -> Iterator[tuple[int, list[str]]]:
    """The table's rows, reporting how many were read every ``PROGRESS_EVERY`` rows."""
    for done, row in enumerate(table.rows, start=1):
        yield row
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, None)


def _row_of(
    kind: ImportKind[Any],
    table: Table,
    number: int,
    cells: list[str],
    checked: Checked,
    group: Group[Any],
    context: ImportContext,
) -> RowResult:
    """A new row's result, added to the results and to its group."""
    row = RowResult(
        row=number, group=checked.label, cells=cells if kind.keeps_cells else [], key=checked.key
    )
    if table.where is not None:
        row.where = table.where(number)
    context.result.add(row)
    group.rows.append(row)
    return row


@dataclass
class _Index:
    """The first pass over a file applied in slices: each row's number and group, the groups
    numbered in the order of their first rows, in compact arrays (a million-student file has
    2.7 million rows and a million groups), and where the slices end."""

    numbers: array[int]
    groups: array[int]
    # Each slice: the position of the last row it waits for (never before an earlier
    # slice's), and the number of the first group after it.
    slices: deque[tuple[int, int]]

    @classmethod
    def of(
        cls,
        table: Table,
        grouper: Callable[[int, list[str]], tuple[Hashable, str]],
        progress: Progress | None,
    ) -> _Index:
        numbers, groups = array("I"), array("I")
        # The keys are only needed while the file is indexed: dropped with this function.
        numbered: dict[Hashable, int] = {}
        sizes, lasts = array("I"), array("I")
        for position, (number, cells) in enumerate(_reported(table, progress)):
            group = numbered.setdefault(grouper(number, cells)[0], len(numbered))
            if group == len(sizes):
                sizes.append(0)
                lasts.append(0)
            sizes[group] += 1
            lasts[group] = position
            numbers.append(number)
            groups.append(group)
        return cls(numbers, groups, _sliced(sizes, lasts))


def _sliced(sizes: array[int], lasts: array[int]) -> deque[tuple[int, int]]:
    """The groups (their rows, the position of their last rows) cut into slices of about
    ``SLICE_ROWS`` rows, in order."""
    slices: deque[tuple[int, int]] = deque()
    size = last = 0
    for group, (rows, end) in enumerate(zip(sizes, lasts, strict=True)):
        size += rows
        last = max(last, end)
        if size >= SLICE_ROWS:
            slices.append((last, group + 1))
            size = 0
    if size:
        slices.append((last, len(sizes)))
    return slices


class _Checker:
    """A checked row: its values join its group, or it is skipped (a duplicate) or rejected
    (its own errors, a conflict)."""

    def __init__(self, kind: ImportKind[Any]) -> None:
        self.kind = kind
        self.single = kind.one_row_per_group

    def take(self, row: RowResult, group: Group[Any], checked: Checked) -> None:
        if checked.errors:
            row.status, row.outcome, row.errors = "rejected", "rejected", list(checked.errors)
        elif self.single and group.checked:
            problem = self.kind.conflict(group.checked[0], checked)
            if problem is None:
                first = next(r for r in group.rows if r.status == "imported")
                row.outcome, row.message = "skipped", f"same as row {first.row}: ignored"
            else:
                row.status, row.outcome, row.errors = "rejected", "rejected", [problem]
        else:
            group.checked.append(checked)


def _apply_slice(kind: ImportKind[Any], groups: list[Group[Any]], context: ImportContext) -> None:
    """Apply the valid groups of one slice, then free their checked rows and count their
    rows in the totals (every row of them, the ones an independent group drops included)."""
    rows = [row for group in groups for row in group.rows]
    if kind.related_rows:
        for group in groups:
            if group.rejected:
                group.reject({})
    else:
        # An independent row rejected beside a valid one of its key is a group of its own:
        # the record was imported, and the totals must not count it as rejected.
        for group in groups:
            if group.checked:
                for row in group.rows:
                    if row.status == "rejected":
                        row.key = (row.key, row.row)
                group.rows = [row for row in group.rows if row.status != "rejected"]
    kind.apply([group for group in groups if group.checked and not group.rejected], context)
    for group in groups:
        if kind.related_rows and group.rejected:
            group.reject({})
        group.checked = []
    context.result.tally.settle(rows)
