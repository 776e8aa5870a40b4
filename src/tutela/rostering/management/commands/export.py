"""``tutela export``: contacts as JSON Lines, and the packages learning systems import
(OneRoster 1.1 CSV, Canvas SIS, Schoology)."""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandParser

from tutela.core.commands import TutelaCommand, UsageError, check_output
from tutela.core.private import open_private
from tutela.people.export import export_contacts
from tutela.people.models import School

# ISO 8601 in UTC, to the second, milliseconds optional: 2026-12-02T10:00:00Z.
SINCE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z")


def parse_since(value: str) -> datetime.datetime:
    """``--since``'s timestamp, or a usage error naming what is wrong with it."""
    problem = (
        f"--since {value!r}: not an ISO 8601 UTC timestamp like 2026-12-02T10:00:00Z "
        "(milliseconds optional)"
    )
    if not SINCE.fullmatch(value):
        raise UsageError(problem)
    try:
        moment = datetime.datetime.fromisoformat(value[:-1])
    except ValueError:
        raise UsageError(problem) from None
    return moment.replace(tzinfo=datetime.UTC)


def chosen_schools(numbers: list[str] | None, option: str = "--school") -> list[School] | None:
    """The schools ``option`` names, or every school when none is named."""
    if not numbers:
        return None
    found = {
        school.school_number: school for school in School.objects.filter(school_number__in=numbers)
    }
    missing = [number for number in numbers if number not in found]
    if missing:
        raise UsageError(f"{option} {missing[0]}: no school has this number")
    return [found[number] for number in dict.fromkeys(numbers)]


class Command(TutelaCommand):
    help = "Export contacts as JSON Lines, or a package for a learning system."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        contacts = what.add_parser(
            "contacts",
            help="every contact with its emails, phones, addresses, students and account",
        )
        contacts.add_argument(
            "--output", metavar="FILE", type=Path, help="write to FILE instead of standard output"
        )
        oneroster = what.add_parser(
            "oneroster", help="a OneRoster 1.1 CSV package (zip), bulk or delta"
        )
        canvas = what.add_parser("canvas", help="Canvas SIS users.csv and user_observers.csv (zip)")
        schoology = what.add_parser(
            "schoology", help="Schoology's parents and parent-child association files (zip)"
        )
        for sub in (oneroster, canvas, schoology):
            sub.add_argument(
                "--output", metavar="FILE.zip", type=Path, required=True, help="the zip to write"
            )
            sub.add_argument(
                "--school",
                metavar="N",
                nargs="+",
                action="extend",
                help="only the students of these schools (school numbers) and their parents",
            )
        for sub in (oneroster, canvas):
            sub.add_argument(
                "--since",
                metavar="TIMESTAMP",
                help="what changed since this ISO 8601 UTC time (2026-12-02T10:00:00Z)",
            )
        oneroster.add_argument(
            "--no-parents", action="store_true", help="students and teachers only, no parents"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "contacts":
            self._contacts(options["output"])
            return
        output: Path = options["output"]
        since = parse_since(options["since"]) if options.get("since") else None
        check_output("--output", output)
        schools = chosen_schools(options["school"])
        if what == "oneroster":
            from tutela.rostering.exports import oneroster

            parents = not options["no_parents"]
            if since is None:
                result = oneroster.export_bulk(output, schools=schools, parents=parents)
            else:
                result = oneroster.export_delta(
                    output, since=since, schools=schools, parents=parents
                )
            counts = result.counts
            kind = result.kind
        elif what == "canvas":
            from tutela.rostering.exports import canvas

            counts = canvas.export_canvas(output, schools=schools, since=since)
            kind = "canvas"
        else:
            from tutela.rostering.exports import schoology

            counts = schoology.export_schoology(output, schools=schools)
            kind = "schoology"
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(f"Wrote {output} ({kind}): {summary}")

    def _contacts(self, output: Path | None) -> None:
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
