"""``tutela duplicates find|merge``: contacts that are one person entered twice.

``find`` lists the candidate pairs with their score and evidence (people/duplicates.py);
``merge A B`` folds one into the other as the staff review queue does (``merge_contacts``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError, check_output
from tutela.core.private import open_private
from tutela.core.spreadsheets import csv_writer
from tutela.people.duplicates import Pair, find_duplicates
from tutela.people.models import Contact, School
from tutela.people.services import ServiceError, merge_contacts

REPORT_COLUMNS = ("A", "A Name", "B", "B Name", "Score", "Evidence")


class Command(TutelaCommand):
    help = "Find duplicate contacts (the same person entered twice) and merge them."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        find = action.add_parser("find", help="list pairs of contacts that may be one person")
        find.add_argument("--school", metavar="N", help="only contacts of school number N")
        find.add_argument("--json", action="store_true", help="print the pairs as JSON")
        find.add_argument(
            "--report", metavar="FILE.csv", type=Path, help="also write the pairs to a CSV file"
        )
        merge = action.add_parser("merge", help="fold contact B into contact A (or A into B)")
        merge.add_argument("a", metavar="A", type=int, help="a contact's ID")
        merge.add_argument("b", metavar="B", type=int, help="the other contact's ID")
        merge.add_argument(
            "--keep",
            metavar="ID",
            type=int,
            help="the contact (and, if both have one, the account) that survives; default A "
            "(and the account signed in most recently)",
        )
        merge.add_argument(
            "--dry-run", action="store_true", help="say what would happen and change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "find":
            self._find(options)
        else:
            self._merge(options)

    def _find(self, options: dict[str, Any]) -> None:
        report: Path | None = options["report"]
        if report is not None:
            check_output("--report", report)
        school = None
        if options["school"] is not None:
            school = School.objects.filter(school_number=options["school"]).first()
            if school is None:
                raise UsageError(f"--school {options['school']}: no school with that number")
        pairs = find_duplicates(actor=command_line_user(), school=school)
        ids = {p.a for p in pairs} | {p.b for p in pairs}
        names = {
            c.pk: str(c) for c in Contact.objects.filter(pk__in=ids).only("first_name", "last_name")
        }
        if report is not None:
            self._report(report, pairs, names)
        if options["json"]:
            body = {"pairs": [p.as_json() for p in pairs], "count": len(pairs)}
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        for p in pairs:
            self.stdout.write(
                f"{p.a} {names.get(p.a, '')} ~ {p.b} {names.get(p.b, '')}: {p.score:.3f} "
                f"({'; '.join(p.evidence)})"
            )
        self.stdout.write(f"{len(pairs)} possible duplicate pairs")

    @staticmethod
    def _report(path: Path, pairs: list[Pair], names: dict[int, str]) -> None:
        # Written beside the target and renamed, so a failed run never leaves half a report.
        partial = path.with_name(path.name + ".partial")
        try:
            with open_private(partial, newline="") as handle:
                writer = csv_writer(handle)
                writer.writerow(REPORT_COLUMNS)
                for p in pairs:
                    evidence = "; ".join(p.evidence)
                    writer.writerow([p.a, names.get(p.a), p.b, names.get(p.b), p.score, evidence])
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)

    def _merge(self, options: dict[str, Any]) -> None:
        a, b, keep = options["a"], options["b"], options["keep"]
        if a == b:
            raise UsageError(f"A and B are both contact {a}: name two contacts")
        if keep is not None and keep not in (a, b):
            raise UsageError(f"--keep {keep}: must be A ({a}) or B ({b})")
        found = {c.pk: c for c in Contact.objects.filter(pk__in=[a, b]).select_related("account")}
        for pk in (a, b):
            if pk not in found:
                raise UsageError(f"no contact with ID {pk}")
        survivor = found[keep if keep is not None else a]
        duplicate = found[b if survivor.pk == a else a]
        keep_account = getattr(survivor, "account", None) if keep is not None else None
        try:
            report = merge_contacts(
                actor=command_line_user(),
                duplicate=duplicate,
                into=survivor,
                keep_account=keep_account,
                dry_run=options["dry_run"],
            )
        except ServiceError as error:
            raise UsageError(str(error)) from None
        for line in report.lines:
            self.stdout.write(line)
        verb = "would be merged into" if report.dry_run else "merged into"
        self.stdout.write(f"contact #{report.merged} {verb} #{report.survivor}")
        if report.dry_run:
            self.stdout.write("dry run: nothing was changed")
