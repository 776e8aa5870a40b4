"""``tutela privacy``: FERPA's protections from the command line: restricting a parent's link to
a student (a court order, a custody agreement) and lifting it; checking the audit trail's chain.

The same services as the staff screens; the command line acts district-wide. Errors exit 2
with one line naming the student, the contact or the value that is wrong.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.people.models import RestrictionKind, Student, StudentContact
from tutela.people.services import ServiceError, lift_restriction, restrict_link
from tutela.privacy.chain import verify_chain

# Exit status of a check that ran and found a problem (2 stays "unusable arguments").
FOUND_PROBLEMS = 1


def _link(student_number: str, contact_id: str) -> StudentContact:
    """The link of the student with this number to the contact with this id, or exit 2."""
    number = student_number.strip()
    student = Student.objects.filter(student_number=number).first()
    if student is None:
        raise UsageError(f"STUDENT_NUMBER {number}: no student has this number")
    if not contact_id.strip().isdigit():
        raise UsageError(f"CONTACT_ID {contact_id}: not a contact id (a whole number)")
    link = (
        StudentContact.objects.filter(student=student, contact_id=int(contact_id))
        .select_related("student__school", "contact")
        .first()
    )
    if link is None:
        raise UsageError(f"contact {contact_id.strip()} is not a contact of student {number}")
    return link


class Command(TutelaCommand):
    help = (
        "FERPA's protections: restrict a contact's link to a student (a court order, a custody "
        "agreement) so that the contact sees nothing of the student anywhere, and lift it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        restrict = actions.add_parser(
            "restrict", help="cut a contact off a student (portal, emails, letters, exports)"
        )
        restrict.add_argument("student_number", metavar="STUDENT_NUMBER")
        restrict.add_argument("contact_id", metavar="CONTACT_ID")
        restrict.add_argument("--kind", required=True, choices=RestrictionKind.values)
        restrict.add_argument("--note", required=True, metavar="TEXT", help="which order applies")
        restrict.add_argument("--document", default="", metavar="REF", help="its reference")
        lift = actions.add_parser("lift", help="lift the restriction of a link, saying why")
        lift.add_argument("student_number", metavar="STUDENT_NUMBER")
        lift.add_argument("contact_id", metavar="CONTACT_ID")
        lift.add_argument("--note", required=True, metavar="TEXT", help="why it ends")
        actions.add_parser(
            "verify-audit", help="check the audit trail's hash chain: no entry changed or removed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "restrict":
                self._restrict(options)
            elif action == "lift":
                self._lift(options)
            elif action == "verify-audit":
                self._verify_audit()
        except ServiceError as error:
            raise UsageError(str(error)) from None

    def _restrict(self, options: dict[str, Any]) -> None:
        link = _link(options["student_number"], options["contact_id"])
        restriction = restrict_link(
            actor=command_line_user(),
            link=link,
            kind=options["kind"],
            note=options["note"],
            document=options["document"],
        )
        self.stdout.write(
            f"Restricted ({restriction.get_kind_display().lower()}): contact {link.contact_id} "
            f"({link.contact}) no longer sees student {link.student.student_number}."
        )

    def _lift(self, options: dict[str, Any]) -> None:
        link = _link(options["student_number"], options["contact_id"])
        lift_restriction(actor=command_line_user(), link=link, note=options["note"])
        self.stdout.write(
            f"Restriction lifted: contact {link.contact_id} ({link.contact}) and student "
            f"{link.student.student_number} are linked as their details say."
        )

    def _verify_audit(self) -> None:
        report = verify_chain()
        older = (
            f" ({report.before_chain} older entries predate the chain)"
            if report.before_chain
            else ""
        )
        if report.intact:
            self.stdout.write(
                f"The audit trail is intact: {report.checked} entries checked{older}."
            )
            return
        for problem in report.problems:
            self.stdout.write(problem)
        self._broken(
            f"the audit trail is broken: {len(report.problems)} problems "
            f"({report.checked} entries checked{older})"
        )

    def _broken(self, message: str) -> NoReturn:
        self.stderr.write(f"tutela: {message}")
        raise SystemExit(FOUND_PROBLEMS)
