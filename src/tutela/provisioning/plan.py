"""AutoCreate's plan: for each selected student and each of its contacts, what to do and why.

``plan_autocreate`` only reads; ``services.run_autocreate`` applies the very plan it returns,
so a simulation's report and the real run's report are the same by construction.

Set-based: the selection's students, their links, the links' detail records, the contacts'
emails and the existing accounts are each read in one query (or a few chunks), and every
decision is made in memory. No query per student.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from django.db.models import Model, QuerySet

from tutela.accounts.models import Account
from tutela.core.bulk import CHUNK as CHUNK  # the batch size AutoCreate writes with
from tutela.core.bulk import chunks
from tutela.core.emails import email_problem
from tutela.core.spreadsheets import csv_writer
from tutela.core.wording import counted
from tutela.people.details import covers, pick_active_detail
from tutela.people.models import (
    Contact,
    ContactEmail,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.provisioning.eligibility import Eligibility
from tutela.provisioning.selection import Selection

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000
USERNAME_MAX = Account._meta.get_field("username").max_length or 150

CREATE = "create"
ATTACH = "attach"
ALREADY_DONE = "already done"
SKIP = "skip"
ACTIONS = (CREATE, ATTACH, ALREADY_DONE, SKIP)
# The reason a restricted link (a court order, a custody agreement) is skipped.
RESTRICTED = "restricted"

LINE_FIELDS = (
    "student",
    "student_name",
    "contact",
    "contact_name",
    "email",
    "action",
    "reason",
    "account",
)

M = TypeVar("M", bound=Model)


class PlanLine(NamedTuple):
    """One (student, contact) pair: the action and the reason, as the report shows it.

    A named tuple because a district's run makes hundreds of thousands of them.
    """

    student: str
    student_name: str
    contact: int | None
    contact_name: str
    email: str
    action: str
    reason: str
    account: str

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


class DuplicateCandidate(NamedTuple):
    """A contact whose email is already the sign-in of another contact's account: maybe the
    same person entered twice, which a person must decide, so nothing is attached."""

    email: str
    contact: int
    contact_name: str
    other_contact: int
    other_contact_name: str
    account: str

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


class NewAccount(NamedTuple):
    contact: int
    username: str
    first_name: str
    last_name: str


@dataclass
class AutoCreateReport:
    """What a run did (or, simulated, would do): the lines, the duplicate candidates, totals."""

    lines: list[PlanLine]
    duplicates: list[DuplicateCandidate]
    students: int
    unknown_students: list[str] = field(default_factory=list)
    # How many emails a real run sent: not part of the plan, so not in ``as_json``.
    emails_sent: int = 0

    def totals(self) -> dict[str, int]:
        counts = Counter(line.action for line in self.lines)
        return {
            "students": self.students,
            "lines": len(self.lines),
            "accounts_created": counts[CREATE],
            "attached": counts[ATTACH],
            "already_done": counts[ALREADY_DONE],
            "skipped": counts[SKIP],
            "duplicate_candidates": len(self.duplicates),
            "unknown_students": len(self.unknown_students),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "lines": [line.as_json() for line in self.lines],
            "duplicates": [d.as_json() for d in self.duplicates],
            "unknown_students": self.unknown_students,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AutoCreateReport:
        return cls(
            lines=[PlanLine(**line) for line in data.get("lines", [])],
            duplicates=[DuplicateCandidate(**d) for d in data.get("duplicates", [])],
            students=int(data.get("totals", {}).get("students", 0)),
            unknown_students=list(data.get("unknown_students", [])),
        )

    def csv_text(self) -> str:
        buffer = io.StringIO()
        self.write_csv(buffer)
        return buffer.getvalue()

    def write_csv(self, handle: Any) -> None:
        """The plan as one table: a row per line, with the columns of the JSON lines.

        A duplicate candidate is its line (action ``skip``, the reason naming the other
        contact); the separate list is in the JSON, the text report and the job page.
        No second table in the file: a spreadsheet or a CSV reader sees only plan lines.
        """
        writer = csv_writer(handle)
        writer.writerow(LINE_FIELDS)
        for line in self.lines:
            writer.writerow(
                ["" if v is None else v for v in (getattr(line, n) for n in LINE_FIELDS)]
            )
        for number in self.unknown_students:
            writer.writerow([number, "", "", "", "", SKIP, "no student has this number", ""])

    def summary_lines(self, *, simulate: bool = True) -> list[str]:
        """A short text report: what a simulation would do, or what a real run did."""
        t = self.totals()
        create, attach = ("to create", "to attach") if simulate else ("created", "attached")
        lines = [
            f"{counted(t['students'], 'student')}, "
            f"{counted(t['lines'], 'student-contact pair')}: "
            f"{counted(t['accounts_created'], 'account')} {create}, {t['attached']} {attach}, "
            f"{t['already_done']} already done, {t['skipped']} skipped.",
        ]
        if t["duplicate_candidates"]:
            lines.append(f"{counted(t['duplicate_candidates'], 'duplicate candidate')}:")
            for d in self.duplicates[:20]:
                lines.append(
                    f"  {d.email}: contact #{d.contact} ({d.contact_name}) and contact "
                    f"#{d.other_contact} ({d.other_contact_name}), account {d.account}"
                )
        if self.unknown_students:
            shown = ", ".join(self.unknown_students[:10])
            unknown = counted(len(self.unknown_students), "student number")
            verb = "matches" if len(self.unknown_students) == 1 else "match"
            lines.append(f"{unknown} {verb} no student: {shown}")
        reasons = Counter(line.reason for line in self.lines if line.action == SKIP)
        if reasons:
            lines.append("Skipped:")
            for reason, count in reasons.most_common(10):
                lines.append(f"  {count}: {reason}")
        return lines


@dataclass
class AutoCreatePlan:
    """The report plus the writes that make it true."""

    report: AutoCreateReport
    new_accounts: list[NewAccount]
    grant_detail_ids: list[int]


@dataclass(slots=True)
class _Detail:
    id: int
    start_date: datetime.date | None
    end_date: datetime.date | None
    has_custody: bool
    allow_data_access: bool
    relationship: str | None


def _scoped(
    qs: QuerySet[M], path: str, sel: QuerySet[Student] | None, ids: list[int]
) -> Iterable[QuerySet[M]]:
    """``qs`` limited to the selected students: one subquery, or chunks of ids for a file."""
    if sel is not None:
        yield qs.filter(**{f"{path}__in": sel.values("id")})
        return
    for chunk in chunks(ids):
        yield qs.filter(**{f"{path}__in": list(chunk)})


def _valid_email(address: str) -> str | None:
    """The reason an address cannot be a username, or ``None``."""
    if len(address) > USERNAME_MAX:
        return f"email {address} is longer than {USERNAME_MAX} characters"
    if email_problem(address) is not None:
        return f"email {address} is not a valid address"
    return None


def plan_autocreate(
    selection: Selection,
    *,
    eligibility: Eligibility | None = None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> AutoCreatePlan:
    """Decide, for each selected student and each linked contact, create | attach | already
    done | skip, with the reason; writes nothing."""
    rule = eligibility or Eligibility.from_settings()
    day = today or datetime.date.today()

    # Students.
    unknown: list[str] = []
    sel: QuerySet[Student] | None
    if selection.student_numbers is None:
        sel = selection.queryset()
        students = list(sel.values_list("id", "student_number", "first_name", "last_name"))
    else:
        sel = None
        wanted = list(selection.student_numbers)
        found: dict[str, tuple[int, str, str, str]] = {}
        base = selection.queryset().values_list("id", "student_number", "first_name", "last_name")
        for chunk in chunks(wanted):
            for row in base.filter(student_number__in=list(chunk)):
                found[row[1]] = row
        students = [found[n] for n in wanted if n in found]
        unknown = [n for n in wanted if n not in found]
    students.sort(key=lambda s: s[1])
    ids = [s[0] for s in students]
    total = len(students)
    if progress:
        progress(0, total)

    # Links and their detail records.
    links_by_student: dict[int, list[tuple[int, int, int, bool]]] = defaultdict(list)
    for link_qs in _scoped(StudentContact.objects.all(), "student", sel, ids):
        for link_id, student_id, contact_id, order, restricted in link_qs.values_list(
            "id", "student_id", "contact_id", "contact_priority_order", "restricted"
        ):
            links_by_student[student_id].append((order, link_id, contact_id, restricted))
    details_by_link: dict[int, list[_Detail]] = defaultdict(list)
    for detail_qs in _scoped(StudentContactDetail.objects.all(), "link__student", sel, ids):
        rows: Iterable[tuple[Any, ...]] = detail_qs.values_list(
            "id",
            "link_id",
            "start_date",
            "end_date",
            "has_custody",
            "allow_data_access",
            "relationship_type__code",
        ).order_by("id")
        for did, link_id, start, end, custody, access, relationship in rows:
            details_by_link[link_id].append(_Detail(did, start, end, custody, access, relationship))

    # Contacts, their primary emails, and the accounts that exist.
    names: dict[int, str] = {}
    first_last: dict[int, tuple[str, str]] = {}
    primary: dict[int, tuple[bool, int, str]] = {}
    contact_qs: list[QuerySet[Contact]]
    email_qs: list[QuerySet[ContactEmail]]
    if sel is not None:
        # One query each, the selection as a subquery: no long lists of ids to send.
        linked = StudentContact.objects.filter(student__in=sel.values("id")).values("contact_id")
        contact_qs = [Contact.objects.filter(id__in=linked)]
        email_qs = [ContactEmail.objects.filter(contact_id__in=linked)]
    else:
        contact_ids = sorted({c for links in links_by_student.values() for _, _, c, _ in links})
        contact_qs = [Contact.objects.filter(id__in=list(c)) for c in chunks(contact_ids)]
        email_qs = [
            ContactEmail.objects.filter(contact_id__in=list(c)) for c in chunks(contact_ids)
        ]
    for contacts in contact_qs:
        for cid, first, last in contacts.values_list("id", "first_name", "last_name"):
            names[cid] = f"{first} {last}" if first and last else first or last
            first_last[cid] = (first, last)
    for emails in email_qs:
        for cid, address, is_primary, order in emails.values_list(
            "contact_id", "address", "is_primary", "order"
        ):
            address = address.strip()
            if not address:
                continue
            # The flagged primary wins; without one, the first in order stands in.
            key = (not is_primary, order, address)
            if cid not in primary or key < primary[cid]:
                primary[cid] = key
    email_of = {cid: key[2] for cid, key in primary.items()}
    holders: dict[str, list[int]] = defaultdict(list)
    for cid, address in email_of.items():
        holders[address.lower()].append(cid)

    account_of_contact: dict[int, str] = {}
    account_by_key: dict[str, tuple[str, int | None]] = {}
    for username, email, contact_id in Account.objects.values_list(
        "username", "email", "contact_id"
    ):
        if contact_id is not None:
            account_of_contact[contact_id] = username
        account_by_key.setdefault(username.lower(), (username, contact_id))
        if email:
            account_by_key.setdefault(email.lower(), (username, contact_id))

    # Owners of clashing accounts may be outside the selection: fetch their names up front.
    outside = sorted(
        {
            owner
            for cid, address in email_of.items()
            if (owner := account_by_key.get(address.lower(), ("", None))[1]) is not None
            and owner != cid
            and owner not in names
        }
    )
    for ids in chunks(outside):
        for cid, first, last in Contact.objects.filter(id__in=ids).values_list(
            "id", "first_name", "last_name"
        ):
            names[cid] = " ".join(p for p in (first, last) if p)

    # Decisions, in student-number order then the student's contact order.
    lines: list[PlanLine] = []
    duplicates: dict[tuple[int, int], DuplicateCandidate] = {}
    new_accounts: list[NewAccount] = []
    created: dict[int, str] = {}
    grants: list[int] = []
    email_checked: dict[str, str | None] = {}

    def decide(
        cid: int, email: str, detail: _Detail | None, restricted: bool
    ) -> tuple[str, str, str]:
        """(action, reason, account) for one contact of one student; notes the writes."""
        if restricted:
            # A court order or custody note: the contact sees nothing of the student and is
            # sent nothing about them; only a school admin lifting it changes that.
            return SKIP, RESTRICTED, ""
        if detail is None:
            return SKIP, "no detail record on this link", ""
        if not covers(detail, day):
            # The portal shows a student only while the grant is in force: an account made
            # now would see nothing.
            return SKIP, "the link's detail record is not in force today (ended or not begun)", ""
        why_not = rule.why_not(has_custody=detail.has_custody, relationship=detail.relationship)
        if why_not:
            return SKIP, why_not, ""
        own = account_of_contact.get(cid)
        if own is not None:
            if detail.allow_data_access:
                return ALREADY_DONE, "the account already sees this student", own
            grants.append(detail.id)
            return ATTACH, "student added to the contact's account", own
        if cid in created:
            if not detail.allow_data_access:
                grants.append(detail.id)
            return ATTACH, "student added to the account created for this contact", created[cid]
        if not email:
            return SKIP, "no email address", ""
        lowered = email.lower()
        # An account already signing in with this email comes first: when it is another
        # contact's, that is a duplicate candidate a person must see, even if its owner is in
        # the selection too (and so shares the email).
        taken = account_by_key.get(lowered)
        if taken is not None:
            username, owner = taken
            if owner is None:
                return (
                    SKIP,
                    f"email {email} is already used by account {username}, "
                    "which belongs to no contact",
                    "",
                )
            owner_name = names.get(owner, "")
            duplicates.setdefault(
                (cid, owner),
                DuplicateCandidate(email, cid, names.get(cid, ""), owner, owner_name, username),
            )
            return (
                SKIP,
                f"duplicate candidate: email {email} is used by the account of "
                f"contact #{owner} ({owner_name})",
                "",
            )
        sharing = [c for c in holders[lowered] if c != cid]
        if sharing:
            other = sharing[0]
            return (
                SKIP,
                f"email {email} is also the primary email of contact #{other} "
                f"({names.get(other, '')})",
                "",
            )
        if lowered not in email_checked:
            email_checked[lowered] = _valid_email(email)
        invalid = email_checked[lowered]
        if invalid:
            return SKIP, invalid, ""
        first, last = first_last.get(cid, ("", ""))
        new_accounts.append(NewAccount(cid, email, first, last))
        created[cid] = email
        if not detail.allow_data_access:
            grants.append(detail.id)
        return CREATE, "new account for the contact's primary email", email

    for index, (student_id, number, s_first, s_last) in enumerate(students, start=1):
        student_name = f"{s_first} {s_last}"
        for _, link_id, cid, restricted in sorted(links_by_student.get(student_id, ())):
            email = email_of.get(cid, "")
            records = details_by_link.get(link_id)
            detail = pick_active_detail(records or [], day)
            action, reason, account = decide(cid, email, detail, restricted)
            lines.append(
                PlanLine(
                    number, student_name, cid, names.get(cid, ""), email, action, reason, account
                )
            )
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)

    report = AutoCreateReport(
        lines=lines,
        duplicates=sorted(duplicates.values(), key=lambda d: (d.email.lower(), d.contact)),
        students=total,
        unknown_students=unknown,
    )
    return AutoCreatePlan(report=report, new_accounts=new_accounts, grant_detail_ids=grants)
