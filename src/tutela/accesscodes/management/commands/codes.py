"""``tutela codes generate|reset|export``: issue, replace and distribute parent access codes.

Codes are secrets: this command never prints one. ``export`` writes them to the file named with
``--output`` only, readable by its owner alone.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from tutela.accesscodes import selectors
from tutela.accesscodes.services import issuing
from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor
from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.core.private import open_private
from tutela.people.models import School, Student
from tutela.people.services import ServiceError


def _school(number: str | None) -> School | None:
    if number is None:
        return None
    school = School.objects.filter(school_number=number).first()
    if school is None:
        raise UsageError(f"--school {number}: no school with that number")
    return school


def _expiry(text: str | None) -> datetime.datetime | None:
    """``--expires YYYY-MM-DD``: the code works through that day, in the district's time zone."""
    if text is None:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--expires {text!r}: use a date like 2026-09-30") from None
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    expires = timezone.make_aware(end)
    if expires <= timezone.now():
        raise UsageError(f"--expires {text}: that day has passed")
    return expires


class Command(TutelaCommand):
    help = "Generate, reset and export parent access codes."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        generate = actions.add_parser(
            "generate", help="give every student (or a school's students) a new code"
        )
        generate.add_argument("--school", metavar="N", help="only this school's students")
        generate.add_argument(
            "--missing-only",
            action="store_true",
            help="only students without a usable code (keeps codes already handed out)",
        )
        generate.add_argument("--expires", metavar="DATE", help="codes work through this day")

        reset = actions.add_parser(
            "reset", help="replace codes (the whole district, a school or one student)"
        )
        scope = reset.add_mutually_exclusive_group()
        scope.add_argument("--school", metavar="N", help="only this school's students")
        scope.add_argument("--student", metavar="NUMBER", help="only this student")
        reset.add_argument("--expires", metavar="DATE", help="new codes work through this day")

        export = actions.add_parser(
            "export", help="write a CSV of codes for the district, a school or a section"
        )
        where = export.add_mutually_exclusive_group()
        where.add_argument("--school", metavar="N", help="only this school's students")
        where.add_argument("--section", metavar="ID", help="only this section's students")
        export.add_argument("--output", metavar="FILE", type=Path, required=True)
        export.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="export only what this account may download on the web (a teacher: their "
            "own sections)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "generate":
                self._generate(options)
            elif action == "reset":
                self._reset(options)
            else:
                self._export(options)
        except ServiceError as error:
            raise UsageError(str(error)) from None

    def _waiting(self, message: str) -> None:
        """One bulk job runs at a time: say which one this one waits for."""
        self.stderr.write(f"This access code job is {message}.")
        self.stderr.flush()

    def _generate(self, options: dict[str, Any]) -> None:
        school = _school(options["school"])
        count = issuing.generate_codes(
            actor=command_line_user(),
            school=school,
            missing_only=options["missing_only"],
            expires_at=_expiry(options["expires"]),
            on_wait=self._waiting,
        )
        where = f"school {school.school_number}" if school else "the district"
        self.stdout.write(f"Issued {count} new access code(s) for {where}.")

    def _reset(self, options: dict[str, Any]) -> None:
        school = _school(options["school"])
        student = None
        if options["student"] is not None:
            student = Student.objects.filter(student_number=options["student"]).first()
            if student is None:
                raise UsageError(f"--student {options['student']}: no student with that number")
        count = issuing.reset_codes(
            actor=command_line_user(),
            school=school,
            student=student,
            expires_at=_expiry(options["expires"]),
            on_wait=self._waiting,
        )
        if student is not None:
            where = f"student {student.student_number}"
        elif school is not None:
            where = f"school {school.school_number}"
        else:
            where = "the district"
        self.stdout.write(
            f"Reset {count} access code(s) for {where}; the old codes no longer work."
        )

    def _export(self, options: dict[str, Any]) -> None:
        actor: Actor = command_line_user()
        if options["as_user"]:
            account = Account.objects.filter(username__iexact=options["as_user"]).first()
            if account is None or not account.is_active:
                raise UsageError(f"--as-user {options['as_user']}: no active account by that name")
            actor = account
        school = _school(options["school"])
        try:
            section = (
                selectors.section_visible_to(actor=actor, section_id=options["section"])
                if options["section"]
                else None
            )
            students = selectors.students_for_codes(actor=actor, school=school, section=section)
        except selectors.NotVisible as error:
            raise UsageError(f"--section {options['section']}: {error}") from None
        output: Path = options["output"]
        partial = output.with_name(output.name + ".partial")
        # Codes are keys to children's records: the file is readable by its owner only.
        try:
            with open_private(partial, newline="") as handle:
                written, missing = selectors.write_codes_csv(selectors.code_rows(students), handle)
            partial.replace(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(f"Wrote {written} student(s) to {output}.")
        if missing:
            self.stderr.write(
                f"{missing} student(s) have no usable code (blank Access_Code): run "
                "`tutela codes generate --missing-only` and export again."
            )
