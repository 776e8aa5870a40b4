"""``tutela import KIND FILE``: import a district file of the given kind."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError, check_output
from tutela.imports.mapping import parse_map_options
from tutela.imports.registry import importers
from tutela.imports.runner import run_import
from tutela.imports.uploads import saved_mapping

EXIT_REJECTED = 1


def _same_file(one: Path, other: Path) -> bool:
    """Whether two names lead to one file (a report must never overwrite the district's file)."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


class Command(TutelaCommand):
    help = "Import a file (CSV, tab-delimited .txt/.tsv, or .xlsx) of the given kind."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, importer in importers().items():
            sub = kinds.add_parser(kind, help=f"import {kind}")
            importer.add_arguments(sub)
            sub.add_argument("file", metavar="FILE", type=Path)
            sub.add_argument(
                "--dry-run", action="store_true", help="check and report, save nothing"
            )
            sub.add_argument("--json", action="store_true", help="print the results as JSON")
            sub.add_argument(
                "--report",
                metavar="FILE",
                type=Path,
                help="write the rejected rows with an Errors column (.csv, .txt/.tsv or .xlsx)",
            )
            sub.add_argument(
                "--map",
                metavar='"File Header=Field"',
                action="append",
                default=[],
                help="read the file's column as this field (repeatable; Field empty: ignore "
                "the column)",
            )
            sub.add_argument(
                "--mapping",
                metavar="NAME",
                help="use the column mapping saved under NAME on the imports screen (--map "
                "options change it for this run)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        importer = importers()[options["kind"]]
        report: Path | None = options["report"]
        if report is not None and report.suffix.lower() not in {".csv", ".xlsx", ".txt", ".tsv"}:
            raise UsageError(f"--report {report}: use a .csv, .txt, .tsv or .xlsx file name")
        if report is not None:
            check_output("--report", report)
            if report.exists() and _same_file(report, options["file"]):
                raise UsageError(
                    f"--report {report}: is the file being imported; give the report another name"
                )
        mapping = saved_mapping(importer.kind, options["mapping"]) if options["mapping"] else {}
        mapping.update(parse_map_options(options["map"]))
        own = importer.options_from(options)
        with run_import(
            importer,
            options["file"],
            actor=command_line_user(),
            dry_run=options["dry_run"],
            options={**own, "report": str(report) if report else None},
            progress=self._progress_bar() if not options["json"] else None,
            mapping=mapping,
            on_wait=self._waiting,
        ) as result:
            if report is not None:
                result.write_report(report)
            if options["json"]:
                for piece in result.json_chunks():
                    self.stdout.write(piece, ending="")
                self.stdout.write("")
            else:
                for line in result.summary_lines():
                    self.stdout.write(line)
        if not result.ok:
            sys.exit(EXIT_REJECTED)

    def _waiting(self, message: str) -> None:
        """One bulk job runs at a time: say which one this import waits for."""
        self.stderr.write(f"This import is {message}.")
        self.stderr.flush()

    def _progress_bar(self) -> Any:
        """A rich progress bar when a person is watching a terminal; silence otherwise."""
        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("Importing", total=None)
        bar.start()

        def update(done: int, total: int | None) -> None:
            # Rows read while the file is read (no total), then the kind's own steps.
            bar.update(task, completed=done, total=total)
            if total is not None and done >= total:
                bar.stop()

        return update
