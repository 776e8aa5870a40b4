"""What an import did with each row: one object that renders as JSON, a summary and a report.

The report file holds the rejected rows exactly as they were, with an ``Errors`` column added,
so a district can fix them in Excel and import that file again.
"""

from __future__ import annotations

import codecs
import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tutela.core.columns import REPORT_ERRORS
from tutela.core.spreadsheets import csv_writer
from tutela.core.tabular import TEXT_SUFFIXES, XLSX_SUFFIXES, normalise_header
from tutela.core.wording import counted

Status = Literal["imported", "rejected"]
# What a row did, one word for every kind of import (django-import-export's import types).
Outcome = Literal["added", "updated", "unchanged", "deleted", "skipped", "rejected"]
OUTCOMES: tuple[Outcome, ...] = ("added", "updated", "unchanged", "deleted", "skipped", "rejected")
# How many rows of a log an import prints (the account imports print one).
LOG_LIMIT = 200


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


@dataclass
class ImportResult:
    """Every row's result plus the counters the importer kept (``contacts_added`` …)."""

    kind: str
    headers: list[str]
    rows: list[RowResult] = field(default_factory=list)
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

    @property
    def groups(self) -> dict[str, list[RowResult]]:
        grouped: dict[str, list[RowResult]] = {}
        for row in self.rows:
            grouped.setdefault(row.group, []).append(row)
        return grouped

    def _group_counts(self) -> tuple[int, int]:
        """How many groups, and how many of them rejected, in one pass over the rows."""
        seen: set[object] = set()
        rejected: set[object] = set()
        for row in self.rows:
            key = row.group if row.key is None else row.key
            seen.add(key)
            if row.status == "rejected":
                rejected.add(key)
        return len(seen), len(rejected)

    @property
    def rejected_groups(self) -> int:
        return self._group_counts()[1]

    @property
    def ok(self) -> bool:
        return all(row.status == "imported" for row in self.rows)

    def outcomes(self) -> dict[str, int]:
        """How many rows had each outcome, every outcome named (zeros included)."""
        counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            if row.outcome is not None:
                counts[row.outcome] += 1
        return counts

    def totals(self) -> dict[str, Any]:
        groups, rejected = self._group_counts()
        totals: dict[str, Any] = {
            "rows": len(self.rows),
            "groups": groups,
            "imported_groups": groups - rejected,
            "rejected_groups": rejected,
        }
        for name in self.counter_names:
            totals[name] = self.counters[name]
        totals["dry_run"] = self.dry_run
        totals["outcomes"] = self.outcomes()
        totals.update(self.lists)
        return totals

    def as_json(self) -> dict[str, Any]:
        return {
            **self.totals(),
            "job": self.job,
            "rows_report": [row.as_json() for row in self.rows],
        }

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

    def _summary_lines(self, limit: int) -> list[str]:
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
        problems = [row for row in self.rows if row.status == "rejected" and row.errors]
        for row in problems[:limit]:
            lines.append(f"  {row.place}: {'; '.join(row.errors)}")
        if len(problems) > limit:
            lines.append(f"  … and {len(problems) - limit} more rejected rows (use --report FILE)")
        warned = [row for row in self.rows if row.warnings]
        for row in warned[:limit]:
            lines.append(f"  {row.place}: warning: {'; '.join(row.warnings)}")
        if len(warned) > limit:
            lines.append(f"  … and {len(warned) - limit} more rows with warnings (use --json)")
        return lines

    def _log_lines(self, limit: int) -> list[str]:
        """The totals and counters, then a log of what each row did: added, updated,
        unchanged, or skipped with the reason (eSchoolPLUS's "LOG showing you what was added,
        updated, and skipped"), in file order."""
        # The rejected rows are in the log below, as skipped.
        lines = self._summary_lines(limit=0)[: 1 + bool(self.counter_names)]
        logged = [row for row in self.rows if row.logged]
        if logged:
            lines.append("Log:")
            shown = logged[:LOG_LIMIT]
            # A skipped row further down still shows (up to ``limit`` of them): its reason is
            # what the district has to act on.
            shown += [row for row in logged[LOG_LIMIT:] if row.status == "rejected"][:limit]
            for row in shown:
                lines.append(f"  {row.place}: {row.logged}")
            if len(logged) > len(shown):
                lines.append(
                    f"  … and {len(logged) - len(shown)} more rows (use --json, or --report FILE "
                    "for the skipped rows)"
                )
        return lines

    def rejected_cells(self) -> dict[int, list[str]]:
        """Every rejected row's cells as the file has them, by row number."""
        kept = {row.row: row.cells for row in self.rows if row.status == "rejected" and row.cells}
        return {**self._rejected_cells(), **kept}

    def _rejected_cells(self) -> dict[int, list[str]]:
        if self.source is None:
            return {}
        from tutela.core.tabular import read_table

        wanted = {row.row for row in self.rows if row.status == "rejected" and not row.cells}
        if not wanted:
            return {}
        return {number: cells for number, cells in read_table(self.source).rows if number in wanted}

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

    def _rejected_xlsx_values(self) -> dict[int, list[object]]:
        """The rejected rows' cells as the source workbook holds them: numbers stay numbers."""
        if self.source is None or self.source.suffix.lower() not in XLSX_SUFFIXES:
            return {}
        from python_calamine import CalamineWorkbook

        wanted = {row.row for row in self.rows if row.status == "rejected"}
        width = len(self.headers)
        found: dict[int, list[object]] = {}
        sheet = CalamineWorkbook.from_path(str(self.source)).get_sheet_by_index(0)
        for number, values in enumerate(sheet.iter_rows(), start=1):
            if number in wanted:
                cells: list[object] = list(values[:width])
                found[number] = cells + [""] * (width - len(cells))
        return found

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
        read_back: dict[int, list[Any]] = {}
        if xlsx_report:
            read_back = self._rejected_xlsx_values()
        if not read_back:
            read_back = self._rejected_cells()
        rejected = [
            with_errors(read_back.get(row.row, row.cells), row.errors)
            for row in self.rows
            if row.status == "rejected"
        ]
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

            for cells in [header, *rejected]:
                sheet.append([as_cell(value) for value in cells])
            workbook.save(path)
            return
        with path.open("w", newline="", encoding=self._report_encoding()) as handle:
            writer = csv_writer(
                handle, delimiter="\t" if path.suffix.lower() in {".txt", ".tsv"} else ","
            )
            writer.writerow(header)
            writer.writerows(rejected)
