"""``tutela export contacts``: every contact as JSON Lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandParser

from tutela.core.commands import TutelaCommand, check_output
from tutela.core.private import open_private
from tutela.people.export import export_contacts


class Command(TutelaCommand):
    help = "Export data as JSON Lines (one JSON object per line)."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        contacts = what.add_parser(
            "contacts",
            help="every contact with its emails, phones, addresses, students and account",
        )
        contacts.add_argument(
            "--output", metavar="FILE", type=Path, help="write to FILE instead of standard output"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        if output is None:
            self._write(sys.stdout)
            return
        check_output("--output", output)
        # Written beside the target and renamed, so a failed export never leaves half a file.
        partial = output.with_name(output.name + ".partial")
        try:
            with open_private(partial) as handle:
                self._write(handle)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)

    @staticmethod
    def _write(handle: TextIO) -> None:
        for record in export_contacts():
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")
