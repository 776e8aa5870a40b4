"""What an import did with each row: one object that renders as JSON, a summary and a report.

The report file holds the rejected rows exactly as they were, with an ``Errors`` column added,
so a district can fix them in Excel and import that file again.
"""

from __future__ import annotations

import codecs
import datetime
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from tutela.core.columns import REPORT_ERRORS
from tutela.core.spill import RowSpill
from tutela.core.spreadsheets import csv_writer
from tutela.core.tabular import TEXT_SUFFIXES, XLSX_SUFFIXES, normalise_header
from tutela.core.wording import counted

Status = Literal["imported", "rejected"]
# What a row did, one word for every kind of import (django-import-export's import types).
Outcome = Literal["added", "updated", "unchanged", "deleted", "skipped", "rejected"]
OUTCOMES: tuple[Outcome, ...] = ("added", "updated", "unchanged", "deleted", "skipped", "rejected")
# How many rows of a log an import prints (the account imports print one).
LOG_LIMIT = 200
T = TypeVar("T")


@dataclass(slots=True)
class RowResult:
    """One data row: its spreadsheet number, its group, its fate and its own errors."""

    row: int
    group: str
    cells: list[str]
    status: Status = "imported"
    errors: list[str] = field(default_factory=list)
    # What tells groups apart when labels may repeat (two rows with neither ID nor Identifier
    # are two groups); the label itself when not set.
    key: object = None
    outcome: Outcome | None = None
    # What the row did, in words, for kinds that say it (``added account mlopez``).
    message: str = ""
    # Where the row is when the file is not a spreadsheet (``Contact.xml line 50674``).
    where: str = ""
    # A bad value the row left out while the rest of it imported.
    warnings: list[str] = field(default_factory=list)

    @property
    def place(self) -> str:
        """How messages name the row: where it is, else its number."""
        return self.where or f"row {self.row}"

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "row": self.row,
            "group": self.group,
            "status": self.status,
            "errors": self.errors,
            "outcome": self.outcome,
        }
        if self.message:
            found["message"] = self.message
        if self.where:
            found["element"] = self.where
        if self.warnings:
            found["warnings"] = self.warnings
        return found

    def spilled(self) -> list[Any]:
        """The row as one line of a ``RowSpill`` (its key is counted already: ``Tally``)."""
        return [
            self.row,
            self.group,
            self.status,
            self.errors,
            self.outcome,
            self.message,
            self.where,
            self.warnings,
            self.cells,
        ]

    @classmethod
    def unspilled(cls, values: list[Any]) -> RowResult:
        """The row a ``RowSpill`` line holds."""
        row, group, status, errors, outcome, message, where, warnings, cells = values
        return cls(
            row=row,
            group=group,
            cells=cells,
            status=status,
            errors=errors,
            outcome=outcome,
            message=message,
            where=where,
            warnings=warnings,
        )

    @property
    def logged(self) -> str:
        """The log's words for this row: what it did, or that it was skipped and why."""
        if self.status == "rejected":
            return "skipped: " + "; ".join(self.errors)
        return self.message


def reject_rows(rows: Sequence[RowResult], reason_by_row: Mapping[int, list[str]]) -> None:
    """Reject every row of a group; rows with no error of their own say which row failed."""
    failing = sorted(reason_by_row)
    for row in rows:
        row.status = "rejected"
        row.outcome = "rejected"
        row.message = ""
        own = reason_by_row.get(row.row, [])
        if own:
            row.errors = own
        elif len(failing) == 1:
            row.errors = [f"not imported because related row {failing[0]} has an error"]
        else:
            names = ", ".join(str(n) for n in failing)
            row.errors = [f"not imported because related rows {names} have errors"]


@dataclass(slots=True)
class Tally:
    """What the totals count, kept as each slice's groups are settled: the rows themselves
    may be on disk by the time the totals are asked for."""

    groups: int = 0
    rejected_groups: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def settle(self, rows: Iterable[RowResult]) -> None:
        """Count the settled rows of whole groups (no group is ever settled in two parts)."""
        seen: set[object] = set()
        rejected: set[object] = set()
        for row in rows:
            assert row.outcome is not None, "a row without an outcome"
            self.outcomes[row.outcome] += 1
            key = row.group if row.key is None else row.key
            seen.add(key)
            if row.status == "rejected":
                rejected.add(key)
        self.groups += len(seen)
        self.rejected_groups += len(rejected)


@dataclass
class ImportResult:
    """Every row's result plus the counters the importer kept (``contacts_added`` …).

    The rows are kept in file order: in memory while their groups may still change, then, for
    a file applied in slices, spilled to a private file (``RowSpill``) as soon as every row
    before them is settled, so memory holds about one slice of results, not the file's.
    ``rows`` reads them back as a stream; ``close`` deletes the spill.
    """

    kind: str
    headers: list[str]
    counters: Counter[str] = field(default_factory=Counter)
    counter_names: tuple[str, ...] = ()
    dry_run: bool = False
    # Set by importers that do not keep every row's cells in memory: the report reads the
    # rejected rows back from the file instead.
    source: Path | None = None
    # Whether the summary lists what every row did (the eSchoolPLUS-style account imports).
    log: bool = False
    # The ``ImportJob`` that records this run, once saved.
    job: int | None = None
    # What the kind lists beyond its rows, by name (the association import's ``cleared``).
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    _held: deque[RowResult] = field(default_factory=deque)
    _spill: RowSpill | None = None
    _spilled: int = 0

    def __enter__(self) -> ImportResult:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, row: RowResult) -> None:
        """The next row of the file."""
        self._held.append(row)

    def spill(self, rows: int) -> None:
        """Write the held rows out until the first ``rows`` of the file are on disk: the engine
        says how many are settled (their groups applied, every earlier row too)."""
        if rows <= self._spilled:
            return
        if self._spill is None:
            from django.conf import settings

            self._spill = RowSpill(Path(settings.TUTELA_HOME) / "import-rows")
        spill, held = self._spill, self._held
        for _ in range(rows - self._spilled):
            spill.write(held.popleft().spilled())
        self._spilled = rows

    def close(self) -> None:
        """Delete the spilled rows (the totals stay); a run's result is closed once read."""
        if self._spill is not None:
            self._spill.close()

    @property
    def spill_path(self) -> Path | None:
        """Where the spilled rows are, while they are."""
        return None if self._spill is None else self._spill.path

    @property
    def held(self) -> int:
        """How many rows' results are in memory."""
        return len(self._held)

    @property
    def row_count(self) -> int:
        return self._spilled + len(self._held)

    @property
    def rows(self) -> Iterator[RowResult]:
        """Every row's result in file order, the spilled ones read back as they come."""
        if self._spill is not None:
            for values in self._spill:
                yield RowResult.unspilled(values)
        yield from self._held

    @property
    def ok(self) -> bool:
        return self.tally.rejected_groups == 0

    def totals(self) -> dict[str, Any]:
        tally = self.tally
        totals: dict[str, Any] = {
            "rows": self.row_count,
            "groups": tally.groups,
            "imported_groups": tally.groups - tally.rejected_groups,
            "rejected_groups": tally.rejected_groups,
        }
        for name in self.counter_names:
            totals[name] = self.counters[name]
        totals["dry_run"] = self.dry_run
        totals["outcomes"] = {outcome: tally.outcomes[outcome] for outcome in OUTCOMES}
        totals.update(self.lists)
        return totals

    def json_chunks(self) -> Iterator[str]:
        """The results as one JSON document (the totals, the job, ``rows_report``: every
        row's), in pieces: a million rows' document is never one string."""
        head = json.dumps({**self.totals(), "job": self.job})
        yield head[:-1] + ', "rows_report": ['
        for number, row in enumerate(self.rows):
            yield (", " if number else "") + json.dumps(row.as_json())
        yield "]}"

    def summary_lines(self, limit: int = 20) -> list[str]:
        lines = self._log_lines(limit) if self.log else self._summary_lines(limit)
        return lines + self._listed_lines()

    def _listed_lines(self) -> list[str]:
        """What the kind lists beyond its rows (``Cleared:`` and one line each), so a dry run
        on the command line shows it as ``--json`` does."""
        lines: list[str] = []
        for name, entries in self.lists.items():
            if not entries:
                continue
            lines.append(f"{name.capitalize()}:")
            for entry in entries[:LOG_LIMIT]:
                words = ", ".join(
                    f"{key.replace('_', ' ')} {value}" for key, value in entry.items()
                )
                lines.append(f"  {words}")
            if len(entries) > LOG_LIMIT:
                lines.append(f"  … and {len(entries) - LOG_LIMIT} more (use --json)")
        return lines

    def _totals_lines(self) -> list[str]:
        totals = self.totals()
        prefix = "Dry run (nothing saved): " if self.dry_run else ""
        lines = [
            f"{prefix}{counted(totals['rows'], 'row')} in {counted(totals['groups'], 'group')}: "
            f"{totals['imported_groups']} imported, {totals['rejected_groups']} rejected."
        ]
        counts = ", ".join(
            f"{name.replace('_', ' ')} {self.counters[name]}" for name in self.counter_names
        )
        if counts:
            lines.append(counts.capitalize() + ".")
        return lines

    def _summary_lines(self, limit: int) -> list[str]:
        """The totals and counters, then the first ``limit`` rejected rows and rows with
        warnings, read in one pass over the rows."""
        problems, warned = _First(limit), _First(limit)
        for row in self.rows:
            if row.status == "rejected" and row.errors:
                problems.offer(f"  {row.place}: {'; '.join(row.errors)}")
            if row.warnings:
                warned.offer(f"  {row.place}: warning: {'; '.join(row.warnings)}")
        lines = self._totals_lines() + problems.kept
        if problems.left:
            lines.append(f"  … and {problems.left} more rejected rows (use --report FILE)")
        lines += warned.kept
        if warned.left:
            lines.append(f"  … and {warned.left} more rows with warnings (use --json)")
        return lines

    def _log_lines(self, limit: int) -> list[str]:
        """The totals and counters, then a log of what each row did: added, updated,
        unchanged, or skipped with the reason (eSchoolPLUS's "LOG showing you what was added,
        updated, and skipped"), in file order."""
        # The rejected rows are in the log below, as skipped.
        lines = self._totals_lines()
        # A skipped row further down still shows (up to ``limit`` of them): its reason is
        # what the district has to act on.
        shown: list[str] = []
        later, logged = _First(limit), 0
        for row in self.rows:
            if not row.logged:
                continue
            logged += 1
            line = f"  {row.place}: {row.logged}"
            if len(shown) < LOG_LIMIT:
                shown.append(line)
            elif row.status == "rejected":
                later.offer(line)
        if logged:
            lines += ["Log:", *shown, *later.kept]
            if logged > len(shown) + len(later.kept):
                lines.append(
                    f"  … and {logged - len(shown) - len(later.kept)} more rows (use --json, "
                    "or --report FILE for the skipped rows)"
                )
        return lines

    def _rejected(self) -> Iterator[RowResult]:
        """The rejected rows; without reading the rows back when the totals say none are."""
        if not self.tally.rejected_groups:
            return iter(())
        return (row for row in self.rows if row.status == "rejected")

    def rejected_cells(self) -> Iterator[tuple[int, list[str]]]:
        """Every rejected row's number and cells as the file has them, in file order: the
        cells kept, else read back from the source (a row found in neither is left out)."""
        read_back = _Ahead(self._source_rows)
        for row in self._rejected():
            cells = row.cells or read_back.cells(row.row)
            if cells:
                yield row.row, cells

    def _source_rows(self) -> Iterator[tuple[int, list[str]]]:
        if self.source is None:
            return iter(())
        from tutela.core.tabular import read_table

        return iter(read_table(self.source).rows)

    def _report_encoding(self) -> str:
        """UTF-8, with a byte-order mark when the imported file had one.

        Excel saves "CSV UTF-8" with the mark and needs it to read accents back; scripts and
        other tools read the file as it came. The report looks like the file it came from.
        """
        if (
            self.source is not None
            and self.source.suffix.lower() in TEXT_SUFFIXES
            and self.source.is_file()
        ):
            with self.source.open("rb") as handle:
                if handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
                    return "utf-8-sig"
        return "utf-8"

    def _xlsx_values(self) -> Iterator[tuple[int, list[object]]]:
        """The source workbook's rows as it holds their cells (numbers stay numbers), by row
        number; none when the source is not a workbook."""
        if self.source is None or self.source.suffix.lower() not in XLSX_SUFFIXES:
            return
        from python_calamine import CalamineWorkbook

        width = len(self.headers)
        sheet = CalamineWorkbook.from_path(str(self.source)).get_sheet_by_index(0)
        for number, values in enumerate(sheet.iter_rows(), start=1):
            cells: list[object] = list(values[:width])
            yield number, cells + [""] * (width - len(cells))

    def _errors_column(self) -> int | None:
        """Where the imported file has its own ``Errors`` column (it is an earlier report)."""
        wanted = normalise_header(REPORT_ERRORS)
        return next(
            (i for i, name in enumerate(self.headers) if normalise_header(name) == wanted), None
        )

    def write_report(self, path: Path) -> None:
        """The rejected rows, unchanged, with an ``Errors`` column, as CSV or XLSX.

        The report of a report keeps one ``Errors`` column, holding this run's messages: the
        earlier run's would describe problems the district may have fixed since.
        """
        place = self._errors_column()
        header = [*self.headers, REPORT_ERRORS] if place is None else list(self.headers)

        def with_errors(cells: list[Any], errors: list[str]) -> list[Any]:
            if place is None:
                return [*cells, "; ".join(errors)]
            return [*cells[:place], "; ".join(errors), *cells[place + 1 :]]

        xlsx_report = path.suffix.lower() in XLSX_SUFFIXES
        as_held = _Ahead(self._xlsx_values if xlsx_report else lambda: iter(()))
        read_back = _Ahead(self._source_rows)
        # Each rejected row as the file had it, the rows and the source walked side by side.
        rejected = (
            with_errors(
                as_held.cells(row.row) or row.cells or read_back.cells(row.row) or [], row.errors
            )
            for row in self._rejected()
        )
        if xlsx_report:
            from openpyxl import Workbook
            from openpyxl.cell import Cell, WriteOnlyCell

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Rejected rows")

            def as_cell(value: object) -> Cell:
                # A number, yes/no or date cell of an .xlsx source comes back as that cell
                # (unchanged); everything else is written as text: a value such as
                # "=HYPERLINK(...)" in a district's file must come back as the text it was,
                # never as a live formula.
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if isinstance(value, bool | int | float):
                    return WriteOnlyCell(sheet, value=value)
                if isinstance(value, datetime.date):
                    # The stub allows only a datetime; openpyxl writes a date as well.
                    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                    cell.number_format = "m/d/yyyy"
                    return cell
                cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
                cell.data_type = "s"
                return cell

            for cells in chain([header], rejected):
                sheet.append([as_cell(value) for value in cells])
            workbook.save(path)
            return
        with path.open("w", newline="", encoding=self._report_encoding()) as handle:
            writer = csv_writer(
                handle, delimiter="\t" if path.suffix.lower() in {".txt", ".tsv"} else ","
            )
            writer.writerow(header)
            writer.writerows(rejected)


class _First:
    """The first ``limit`` lines offered, and how many more were."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept: list[str] = []
        self.left = 0

    def offer(self, line: str) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(line)
        else:
            self.left += 1


class _Ahead(Generic[T]):
    """Cells of a file's rows, looked up in row order by walking the rows once, forward:
    the rejected rows come in file order, so the file is never held in memory. The rows are
    only read if a row is looked up."""

    def __init__(self, rows: Callable[[], Iterator[tuple[int, list[T]]]]) -> None:
        self._open = rows
        self._rows: Iterator[tuple[int, list[T]]] | None = None
        self._next: tuple[int, list[T]] | None = None

    def cells(self, number: int) -> list[T] | None:
        if self._rows is None:
            self._rows = self._open()
            self._next = next(self._rows, None)
        while self._next is not None and self._next[0] < number:
            self._next = next(self._rows, None)
        if self._next is not None and self._next[0] == number:
            return self._next[1]
        return None
