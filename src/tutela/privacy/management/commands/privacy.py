"""``tutela privacy``: FERPA's protections from the command line: restricting a parent's link to
a student (a court order, a custody agreement) and lifting it; checking the audit trail's chain;
the age-18 hand-over and the dependent or consent records that keep a parent's access.

The same services as the staff screens; the command line acts district-wide. Errors exit 2
with one line naming the student, the contact or the value that is wrong.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, NoReturn

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.people.models import RestrictionKind, Student, StudentContact
from tutela.people.services import ServiceError, lift_restriction, restrict_link
from tutela.privacy.chain import verify_chain
from tutela.privacy.majority import (
    Handover,
    HandoverReport,
    hand_over,
    record_majority_exception,
)
from tutela.privacy.models import MajorityExceptionKind
from tutela.privacy.whosees import targets_of_student, who_sees

# Exit status of a check that ran and found a problem (2 stays "unusable arguments").
FOUND_PROBLEMS = 1


def _day(text: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {text}: not a date (YYYY-MM-DD)") from None


def _student(student_number: str) -> Student:
    number = student_number.strip()
    student = Student.objects.filter(student_number=number).select_related("school").first()
    if student is None:
        raise UsageError(f"STUDENT_NUMBER {number}: no student has this number")
    return student


def _link(student_number: str, contact_id: str) -> StudentContact:
    """The link of the student with this number to the contact with this id, or exit 2."""
    number = student_number.strip()
    student = _student(number)
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
        majority = actions.add_parser(
            "age-of-majority",
            help="end parents' data access for students who turned 18 (the daily run), and "
            "list the hand-overs of the next 30 days",
        )
        majority.add_argument("--dry-run", action="store_true", help="only say what would change")
        majority.add_argument(
            "--today", metavar="YYYY-MM-DD", help="run as on this day (default: today)"
        )
        sees = actions.add_parser(
            "who-sees",
            help="every account that sees a student, through which link and detail, since "
            "when, granted by whom and by what",
        )
        sees.add_argument("student_number", metavar="STUDENT_NUMBER")
        sees.add_argument("--json", action="store_true", help="print JSON instead of text")
        keep = actions.add_parser(
            "keep-access",
            help="record that a student's parents keep their access past 18: a dependent "
            "(until a date) or the student's consent",
        )
        keep.add_argument("student_number", metavar="STUDENT_NUMBER")
        keep.add_argument("--kind", required=True, choices=MajorityExceptionKind.values)
        keep.add_argument("--until", metavar="YYYY-MM-DD", help="the last day it holds")
        keep.add_argument("--note", default="", metavar="TEXT")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "restrict":
                self._restrict(options)
            elif action == "lift":
                self._lift(options)
            elif action == "verify-audit":
                self._verify_audit()
            elif action == "age-of-majority":
                self._age_of_majority(options)
            elif action == "who-sees":
                self._who_sees(options)
            elif action == "keep-access":
                self._keep_access(options)
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

    def _age_of_majority(self, options: dict[str, Any]) -> None:
        today = _day(options["today"], "--today") if options["today"] else datetime.date.today()
        report = hand_over(actor=command_line_user(), today=today, dry_run=options["dry_run"])
        self._write_report(report)

    def _write_report(self, report: HandoverReport) -> None:
        verb = "would end" if report.dry_run else "ended"
        head = "Dry run: nothing changed. " if report.dry_run else ""
        self.stdout.write(
            f"{head}Age of majority on {report.today}: {len(report.handed_over)} students "
            f"handed over, {len(report.kept)} kept by a dependent or consent record."
        )
        for done in report.handed_over:
            self.stdout.write(
                f"  {_who(done)} turned 18 on {done.birthday}: {verb} the access of "
                f"{_contacts(done)}"
            )
        for kept in report.kept:
            assert kept.kept_by is not None
            self.stdout.write(f"  {_who(kept)} turned 18 on {kept.birthday}: {_kept(kept)}")
        for failed, why in report.failed:
            self.stdout.write(f"  {_who(failed)}: not handed over: {why}")
        self.stdout.write(f"Coming in the next 30 days: {len(report.upcoming)} students.")
        for coming in report.upcoming:
            ends = _kept(coming) if coming.kept_by else f"ends the access of {_contacts(coming)}"
            self.stdout.write(f"  {coming.birthday} {_who(coming)}: {ends}")

    def _who_sees(self, options: dict[str, Any]) -> None:
        student = _student(options["student_number"])
        grants = who_sees(student=student)
        targets = targets_of_student(student=student)
        if options["json"]:
            document = {
                "student": student.student_number,
                "name": f"{student.first_name} {student.last_name}",
                "accounts": [grant.as_json() for grant in grants],
                "sync_targets": [target.as_json() for target in targets],
            }
            self.stdout.write(json.dumps(document, indent=2))
            return
        self.stdout.write(
            f"Student {student.student_number} ({student.first_name} {student.last_name}): "
            f"{len(grants)} accounts see this student."
        )
        for grant in grants:
            row = grant.as_json()
            relationship = f", {row['relationship']}" if row["relationship"] else ""
            self.stdout.write(
                f"  {row['account']}: contact {row['contact_id']} ({row['contact']}"
                f"{relationship}), link {row['link_id']}, detail {row['detail_id']} from "
                f"{row['detail_start'] or 'the start'} to {row['detail_end'] or 'no end'}; "
                f"since {row['since'] or 'not recorded'}, granted by {row['granted_by']} "
                f"through {row['granted_through']}"
            )
        self.stdout.write(f"Sync targets: {len(targets)} learning systems get this student.")
        for sent in targets:
            target = sent.target
            parents = ", ".join(
                f"{contact.account.username} (contact {contact.pk})" for contact in sent.parents
            )
            self.stdout.write(
                f"  {target.name} ({target.format} to {target.destination}"
                f"{'' if target.enabled else ', disabled'}): "
                + (f"with {parents}" if parents else "with no parent")
            )

    def _keep_access(self, options: dict[str, Any]) -> None:
        student = _student(options["student_number"])
        until = _day(options["until"], "--until") if options["until"] else None
        record = record_majority_exception(
            actor=command_line_user(),
            student=student,
            kind=options["kind"],
            until=until,
            note=options["note"],
        )
        self.stdout.write(f"Recorded: {record}; the parents keep their access past 18.")

    def _broken(self, message: str) -> NoReturn:
        self.stderr.write(f"tutela: {message}")
        raise SystemExit(FOUND_PROBLEMS)


def _who(handover: Handover) -> str:
    return f"student {handover.student.student_number} ({handover.student.first_name} " + (
        f"{handover.student.last_name})"
    )


def _contacts(handover: Handover) -> str:
    if not handover.contacts:
        return "nobody (no contact has data access)"
    return ", ".join(f"contact {line}" for line in handover.contacts)


def _kept(handover: Handover) -> str:
    assert handover.kept_by is not None
    record = handover.kept_by
    until = f" until {record.until}" if record.until else ""
    return f"access kept ({record.get_kind_display().lower()}{until})"
