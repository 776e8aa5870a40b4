"""``tutela letters``: activation or access-code letters home, as a PDF or a mail-merge CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from tutela.accesscodes.selectors import NotVisible, section_visible_to
from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError, check_output
from tutela.core.private import write_private_bytes
from tutela.core.wording import counted
from tutela.letters.models import LetterKind
from tutela.letters.printing import print_letters
from tutela.letters.services import LANGUAGE_CHOICES, LetterRequest
from tutela.people.models import Language, School
from tutela.people.services import ServiceError
from tutela.provisioning.models import AutoCreateJob


class Command(TutelaCommand):
    help = (
        "Print a letter home for each parent whose account waits for activation (--kind "
        "activation: a new single-use link, which voids the links of their earlier letters) or "
        "for each student (--kind access-code: the parent access code). --output FILE.pdf "
        "prints them; FILE.csv writes the same fields for a mail merge."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", metavar="FILE", type=Path, required=True, help="a .pdf or .csv file"
        )
        parser.add_argument("--kind", required=True, choices=LetterKind.values)
        parser.add_argument("--school", metavar="N", help="only students of school number N")
        parser.add_argument(
            "--grade",
            metavar="G",
            nargs="+",
            action="extend",
            default=[],
            help="only students in these grade levels",
        )
        parser.add_argument("--section", metavar="ID", help="only the students of this section")
        parser.add_argument(
            "--autocreate-job",
            metavar="N",
            type=int,
            help="only the accounts AutoCreate run N created (activation letters)",
        )
        parser.add_argument(
            "--language",
            choices=LANGUAGE_CHOICES,
            default=Language.ENGLISH,
            help="the letters' language; 'contact': each family's preferred language",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in {"pdf", "csv"}:
            raise UsageError(f"--output {output}: use a .pdf or .csv file name")
        check_output("--output", output)
        actor = command_line_user()
        school = None
        if options["school"]:
            number = options["school"].strip()
            school = School.objects.filter(school_number=number).first()
            if school is None:
                raise UsageError(f"--school {number}: no school has this number")
        section = None
        if options["section"]:
            try:
                section = section_visible_to(actor=actor, section_id=options["section"].strip())
            except NotVisible:
                raise UsageError(
                    f"--section {options['section']}: no section has this id"
                ) from None
        job = None
        if options["autocreate_job"] is not None:
            job = AutoCreateJob.objects.filter(pk=options["autocreate_job"]).first()
            if job is None:
                raise UsageError(f"--autocreate-job {options['autocreate_job']}: no such run")
        request = LetterRequest(
            kind=options["kind"],
            school=school,
            grades=tuple(g.strip() for g in options["grade"] if g.strip()),
            section=section,
            autocreate_job=job,
            language=options["language"],
        )
        try:
            run = print_letters(
                actor=actor,
                request=request,
                output=suffix,
                keep=lambda data: write_private_bytes(output, data),
            )
        except ServiceError as error:
            raise UsageError(str(error)) from None
        kind = (
            "activation letter" if request.kind == LetterKind.ACTIVATION else "access-code letter"
        )
        self.stdout.write(f"{counted(len(run.letters), kind)} written to {output}.")
        if run.voided:
            self.stdout.write(
                f"{counted(run.voided, 'earlier letter link')} voided: only the new letters work."
            )
        if run.codes_issued:
            self.stdout.write(
                f"{counted(run.codes_issued, 'student')} had no usable code: given one."
            )
