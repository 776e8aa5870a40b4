"""``tutela autocreate``: give the selected students' eligible guardians portal accounts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError, check_output
from tutela.core.private import open_private
from tutela.core.wording import counted
from tutela.people.models import CONTACT_LANGUAGE, Language, School
from tutela.provisioning.emails import EmailChoice
from tutela.provisioning.models import EmailTemplate
from tutela.provisioning.plan import AutoCreateReport
from tutela.provisioning.selection import Selection, read_student_numbers
from tutela.provisioning.services import new_autocreate_job, run_autocreate_job


def on_terminal() -> bool:
    """Whether a person is watching standard error (then a progress bar is drawn there)."""
    return sys.stderr.isatty()


LANGUAGES = (*Language.values, CONTACT_LANGUAGE)


class Command(TutelaCommand):
    help = (
        "Create portal accounts for the eligible guardians of the selected students (all "
        "enrolled students by default), or attach the students to the guardians' accounts. "
        "Run with --simulate first: it writes nothing and prints the same report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", metavar="N", help="only students of school number N")
        parser.add_argument(
            "--grade",
            metavar="G",
            nargs="+",
            action="extend",
            default=[],
            help="only students in these grade levels",
        )
        parser.add_argument(
            "--students",
            metavar="FILE",
            type=Path,
            help="only the students whose numbers the file lists (a Student_Number column)",
        )
        parser.add_argument(
            "--simulate", action="store_true", help="write nothing; report what would be done"
        )
        parser.add_argument(
            "--email-template",
            metavar="NAME",
            help="email each created account this activation template (see the staff screen)",
        )
        parser.add_argument(
            "--attached-template",
            metavar="NAME",
            help="email each existing account that gained a student this template",
        )
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            default="",
            help="send the templates' version in this language; 'contact': each parent's own "
            "preferred language (the district's template of the same kind in that language)",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--report",
            metavar="FILE",
            type=Path,
            help="write the full plan, one line per student and contact (.csv or .json)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report_path: Path | None = options["report"]
        if report_path is not None and report_path.suffix.lower() not in {".csv", ".json"}:
            raise UsageError(f"--report {report_path}: use a .csv or .json file name")
        if report_path is not None:
            check_output("--report", report_path)
        school = (options["school"] or "").strip()
        if school and not School.objects.filter(school_number=school).exists():
            raise UsageError(f"--school {school}: no school has this number")
        numbers = None
        file_name = ""
        if options["students"] is not None:
            numbers = read_student_numbers(options["students"])
            file_name = options["students"].name
        selection = Selection(
            school=school,
            grades=tuple(g.strip() for g in options["grade"] if g.strip()),
            student_numbers=numbers,
            file_name=file_name,
        )
        simulate: bool = options["simulate"]
        emails = EmailChoice(
            created=self._template(options["email_template"], EmailTemplate.Kind.ACCOUNT_CREATED),
            attached=self._template(options["attached_template"], EmailTemplate.Kind.STUDENT_ADDED),
            language=options["language"],
        )
        actor = command_line_user()
        job = new_autocreate_job(selection=selection, actor=actor, simulate=simulate, emails=emails)
        bar = self._progress_bar() if not options["json"] else None
        try:
            report = run_autocreate_job(job=job, actor=actor, progress=bar, on_wait=self._waiting)
        finally:
            if bar is not None:
                bar(0, 0, "")
        try:
            self._report(report, options, job=job.pk, selection=selection, emailed=bool(emails))
        finally:
            report.close()

    def _report(
        self,
        report: AutoCreateReport,
        options: dict[str, Any],
        *,
        job: int,
        selection: Selection,
        emailed: bool,
    ) -> None:
        """The report where it was asked for: the plan file, JSON or the text summary."""
        report_path: Path | None = options["report"]
        simulate: bool = options["simulate"]
        if report_path is not None:
            with open_private(report_path, newline="") as handle:
                if report_path.suffix.lower() == ".json":
                    report.write_json(handle.write)
                else:
                    report.write_csv(handle)
        if options["json"]:
            head = {
                "simulate": simulate,
                "job": job,
                "emails_sent": report.emails_sent,
                "selection": selection.as_json(),
            }
            report.write_json(lambda text: self.stdout.write(text, ending=""), head)
            self.stdout.write("")
            return
        prefix = "Simulation (nothing saved)" if simulate else "AutoCreate"
        self.stdout.write(f"{prefix}: {selection.describe()}.")
        for line in report.summary_lines(simulate=simulate):
            self.stdout.write(line)
        if report_path is not None:
            self.stdout.write(f"Full plan written to {report_path}.")
        if emailed and not simulate:
            self.stdout.write(f"{counted(report.emails_sent, 'email')} sent.")

    def _waiting(self, message: str) -> None:
        """One bulk job runs at a time: say which one this run waits for."""
        self.stderr.write(f"This AutoCreate run is {message}.")
        self.stderr.flush()

    @staticmethod
    def _template(name: str | None, kind: str) -> EmailTemplate | None:
        if not name:
            return None
        template = EmailTemplate.objects.filter(name__iexact=name.strip(), kind=kind).first()
        if template is None:
            names = ", ".join(
                repr(t)
                for t in EmailTemplate.objects.filter(kind=kind).values_list("name", flat=True)
            )
            raise UsageError(
                f"no {kind.replace('_', ' ')} email template {name!r} (there are {names})"
            )
        return template

    def _progress_bar(self) -> Any:
        """A rich progress bar on a terminal; nothing when the output is a file or a pipe."""
        if not on_terminal():
            return None
        from rich.console import Console
        from rich.progress import Progress

        bar = Progress(console=Console(file=sys.stderr), transient=True)
        task = bar.add_task("AutoCreate", total=None)
        bar.start()

        def update(done: int, total: int, phase: str) -> None:
            if total == 0:
                bar.stop()
                return
            bar.update(task, completed=done, total=total, description=phase.capitalize())

        return update
