"""AutoCreate's plan: for each selected student and each of its contacts, what to do and why.

``plan_autocreate`` only reads; ``services.run_autocreate`` applies the very plan it makes,
slice by slice as it is made, so a simulation's report and the real run's report are the same
by construction.

Set-based and in slices: the selected students are planned ``SLICE`` at a time in
student-number order, and for each slice its links, the links' detail records, the contacts,
their emails and the accounts they may clash with are each read in one query (or a few
chunks); every decision is made in memory. No query per student. Memory holds one slice: a
slice's plan lines go to the report's private spill file (``core/spill.py``) and its writes
to the caller before the next slice is read, so a 1,000,000-student district plans in the
memory of 5,000 students. What must cross slices is kept, and is small: the contacts given an
account so far (a contact shared by students of two slices is created once), the duplicate
candidates, and the primary emails that more than one selected contact holds (found up front
in one streamed pass that keeps a 64-bit hash per contact).
"""

from __future__ import annotations

import datetime
import gzip
import io
import json
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Lower

from tutela.accounts.models import Account
from tutela.core.bulk import CHUNK as CHUNK  # the batch size AutoCreate writes with
from tutela.core.bulk import AnyOf, chunks
from tutela.core.emails import email_problem
from tutela.core.spill import RowSpill
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
# Students planned (and, in a real run, written) at a time: what memory holds.
SLICE = CHUNK
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


class AutoCreateReport:
    """What a run did (or, simulated, would do): the plan lines, the duplicate candidates,
    totals.

    The lines of the slice planned last are held in memory; those of earlier slices are on
    disk in a private spill file (``core/spill.py``), so ``lines`` reads them back as a
    stream, in order, and every rendering of the report (CSV, JSON, the summary, the job
    record) is written from that stream. ``close`` deletes the file; a report dropped without
    being closed deletes it too.
    """

    def __init__(self, *, students: int, unknown_students: list[str]) -> None:
        self.students = students
        self.unknown_students = unknown_students
        self.duplicates: list[DuplicateCandidate] = []
        # How many emails a real run sent: not part of the plan, so not in the JSON.
        self.emails_sent = 0
        self.actions: Counter[str] = Counter()
        self.line_count = 0
        self._held: list[PlanLine] = []
        self._spill: RowSpill | None = None

    def add(self, lines: list[PlanLine]) -> None:
        """A slice's lines, after every earlier slice's."""
        if self._held:
            if self._spill is None:
                self._spill = RowSpill(Path(settings.TUTELA_HOME) / "autocreate-lines")
            for line in self._held:
                self._spill.write(list(line))
        self._held = lines
        self.actions.update(line.action for line in lines)
        self.line_count += len(lines)

    @property
    def held(self) -> int:
        """How many lines are in memory."""
        return len(self._held)

    @property
    def spill_path(self) -> Path | None:
        """Where the spilled lines are, while they are."""
        return None if self._spill is None else self._spill.path

    @property
    def lines(self) -> Iterator[PlanLine]:
        """Every line in order, the spilled ones read back as they come."""
        if self._spill is not None:
            for values in self._spill:
                yield PlanLine(*values)
        yield from self._held

    def close(self) -> None:
        """Delete the spilled lines (the totals stay)."""
        if self._spill is not None:
            self._spill.close()

    def totals(self) -> dict[str, int]:
        counts = self.actions
        return {
            "students": self.students,
            "lines": self.line_count,
            "accounts_created": counts[CREATE],
            "attached": counts[ATTACH],
            "already_done": counts[ALREADY_DONE],
            "skipped": counts[SKIP],
            "duplicate_candidates": len(self.duplicates),
            "unknown_students": len(self.unknown_students),
        }

    def write_json(self, write: Callable[[str], Any], head: dict[str, Any] | None = None) -> None:
        """The report as one JSON object (``head``'s keys first): totals, lines, duplicates,
        unknown students; given to ``write`` a line at a time, never built whole."""
        encode = json.JSONEncoder().encode
        write("{")
        for key, value in {**(head or {}), "totals": self.totals()}.items():
            write(f"{encode(key)}: {encode(value)}, ")
        write('"lines": [')
        for index, line in enumerate(self.lines):
            write((", " if index else "") + encode(line.as_json()))
        duplicates = encode([d.as_json() for d in self.duplicates])
        write(f'], "duplicates": {duplicates}, ')
        write(f'"unknown_students": {encode(self.unknown_students)}}}')

    def write_csv(self, handle: Any) -> None:
        """The plan as one table: a row per line, with the columns of the JSON lines.

        A duplicate candidate is its line (action ``skip``, the reason naming the other
        contact); the separate list is in the JSON, the text report and the job page.
        No second table in the file: a spreadsheet or a CSV reader sees only plan lines.
        """
        writer = csv_writer(handle)
        writer.writerow(LINE_FIELDS)
        writer.writerows(["" if v is None else v for v in line] for line in self.lines)
        for number in self.unknown_students:
            writer.writerow([number, "", "", "", "", SKIP, "no student has this number", ""])

    def csv_gz(self) -> bytes:
        """The plan CSV gzipped, as the job keeps it: compressed as it is written, so only the
        compressed bytes are ever whole in memory."""
        buffer = io.BytesIO()
        with (
            gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=5) as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
        ):
            self.write_csv(text)
        return buffer.getvalue()

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


class PlanSlice(NamedTuple):
    """The writes that make one slice of the plan true, and where the slice is: after the
    ``first`` students of the ``total`` selected, ``size`` students."""

    first: int
    size: int
    total: int
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


def _valid_email(address: str) -> str | None:
    """The reason an address cannot be a username, or ``None``."""
    if len(address) > USERNAME_MAX:
        return f"email {address} is longer than {USERNAME_MAX} characters"
    if email_problem(address) is not None:
        return f"email {address} is not a valid address"
    return None


EMAIL_FIELDS = ("contact_id", "address", "is_primary", "order")


def _primaries(rows: Iterable[tuple[int, str, bool, int]]) -> Iterator[tuple[int, str]]:
    """Each contact's primary email, from its email rows given contact by contact.

    The flagged primary wins; without one, the first in order stands in; a blank address is
    none.
    """
    current = 0  # no contact has id 0
    best: tuple[bool, int, str] | None = None
    for cid, address, is_primary, order in rows:
        address = address.strip()
        if not address:
            continue
        key = (not is_primary, order, address)
        if cid != current:
            if best is not None:
                yield current, best[2]
            current, best = cid, key
        elif best is None or key < best:
            best = key
    if best is not None:
        yield current, best[2]


def _selected(selection: Selection) -> tuple[list[tuple[str, int]], list[str]]:
    """The selected students' (number, id) in number order, and the file's unknown numbers.

    Sorted here, not by the database, whose collation may order numbers differently.
    """
    base = selection.queryset().values_list("student_number", "id")
    if selection.student_numbers is None:
        return sorted(base.iterator(chunk_size=CHUNK)), []
    wanted = list(selection.student_numbers)
    found: dict[str, int] = {}
    for chunk in chunks(wanted):
        found.update(base.filter(student_number__in=chunk))
    students = sorted((n, found[n]) for n in wanted if n in found)
    return students, [n for n in wanted if n not in found]


def _email_rows_of_selection(
    selection: Selection, students: list[tuple[str, int]]
) -> Iterator[tuple[int, str, bool, int]]:
    """The email rows of every contact linked to a selected student, contact by contact."""
    if selection.student_numbers is None:
        linked = StudentContact.objects.filter(
            student__in=selection.queryset().values("id")
        ).values("contact_id")
        # One query, the selection as a subquery: no long lists of ids to send.
        yield from (
            ContactEmail.objects.filter(contact_id__in=linked)
            .order_by("contact_id")
            .values_list(*EMAIL_FIELDS)
            .iterator(chunk_size=CHUNK)
        )
        return
    contacts: set[int] = set()  # a file's students: as many as the file names
    for chunk in chunks([sid for _, sid in students]):
        contacts.update(
            StudentContact.objects.filter(student_id__in=chunk).values_list("contact_id", flat=True)
        )
    for ids in chunks(sorted(contacts)):
        yield from (
            ContactEmail.objects.filter(contact_id__in=ids)
            .order_by("contact_id")
            .values_list(*EMAIL_FIELDS)
        )


def _shared_primaries(
    selection: Selection, students: list[tuple[str, int]]
) -> dict[str, list[int]]:
    """The primary emails (lowered) that two or more selected contacts hold, and who holds
    them: such an email can sign in only one of them, so none is given it.

    Two streamed passes over the selection's emails: the first keeps a 64-bit hash of each
    contact's primary email (8 bytes a contact), the second only the emails whose hash came
    up twice, checked by their text (two different emails may share a hash).
    """
    emails = _primaries(_email_rows_of_selection(selection, students))
    hashes = array("q", (hash(email.lower()) for _, email in emails))
    twice: set[int] = set()
    previous = None
    for value in sorted(hashes):
        if value == previous:
            twice.add(value)
        previous = value
    del hashes
    if not twice:
        return {}
    holders: dict[str, list[int]] = defaultdict(list)
    for cid, email in _primaries(_email_rows_of_selection(selection, students)):
        lowered = email.lower()
        if hash(lowered) in twice:
            holders[lowered].append(cid)
    return {email: cids for email, cids in holders.items() if len(cids) > 1}


def _names(contact_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for ids in chunks(contact_ids):
        for cid, first, last in Contact.objects.filter(AnyOf(F("id"), ids)).values_list(
            "id", "first_name", "last_name"
        ):
            found[cid] = (first, last)
    return found


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}" if first and last else first or last


class _Planner:
    """The decisions of one run, a slice of students at a time, and what crosses slices."""

    def __init__(
        self, *, rule: Eligibility, day: datetime.date, shared: dict[str, list[int]]
    ) -> None:
        self.rule, self.day, self.shared = rule, day, shared
        self.shared_names = {
            cid: _full_name(*name)
            for cid, name in _names(sorted({c for cids in shared.values() for c in cids})).items()
        }
        self.created: set[int] = set()
        self.duplicates: dict[tuple[int, int], DuplicateCandidate] = {}

    def plan(
        self, students: list[tuple[str, int]]
    ) -> tuple[list[PlanLine], list[NewAccount], list[int]]:
        """The lines of ``students`` (in number order) and the writes that make them true."""
        ids = [sid for _, sid in students]
        student_names = {
            sid: f"{first} {last}"
            for sid, first, last in Student.objects.filter(AnyOf(F("id"), ids)).values_list(
                "id", "first_name", "last_name"
            )
        }
        links_by_student: dict[int, list[tuple[int, int, int, bool]]] = defaultdict(list)
        for link_id, student_id, contact_id, order, restricted in StudentContact.objects.filter(
            AnyOf(F("student_id"), ids)
        ).values_list("id", "student_id", "contact_id", "contact_priority_order", "restricted"):
            links_by_student[student_id].append((order, link_id, contact_id, restricted))
        details_by_link: dict[int, list[_Detail]] = defaultdict(list)
        rows: Iterable[tuple[Any, ...]] = (
            StudentContactDetail.objects.filter(AnyOf(F("link__student_id"), ids))
            .values_list(
                "id",
                "link_id",
                "start_date",
                "end_date",
                "has_custody",
                "allow_data_access",
                "relationship_type__code",
            )
            .order_by("id")
        )
        for did, link_id, start, end, custody, access, relationship in rows:
            details_by_link[link_id].append(_Detail(did, start, end, custody, access, relationship))

        contact_ids = sorted({c for links in links_by_student.values() for _, _, c, _ in links})
        first_last = _names(contact_ids)
        names = {cid: _full_name(*name) for cid, name in first_last.items()}
        email_of: dict[int, str] = {}
        for ids_chunk in chunks(contact_ids):
            email_of.update(
                _primaries(
                    ContactEmail.objects.filter(AnyOf(F("contact_id"), ids_chunk))
                    .order_by("contact_id")
                    .values_list(*EMAIL_FIELDS)
                )
            )
        account_of_contact: dict[int, str] = {}
        for ids_chunk in chunks(contact_ids):
            account_of_contact.update(
                Account.objects.filter(AnyOf(F("contact_id"), ids_chunk)).values_list(
                    "contact_id", "username"
                )
            )
        account_by_key = self._accounts_by_key(sorted({e.lower() for e in email_of.values()}))
        # Owners of clashing accounts may be outside the slice: fetch their names too.
        outside = sorted(
            {
                owner
                for cid, address in email_of.items()
                if (owner := account_by_key.get(address.lower(), ("", None))[1]) is not None
                and owner != cid
                and owner not in names
            }
        )
        names.update((cid, _full_name(*name)) for cid, name in _names(outside).items())

        lines: list[PlanLine] = []
        new_accounts: list[NewAccount] = []
        grants: list[int] = []
        email_checked: dict[str, str | None] = {}

        def decide(
            cid: int, email: str, detail: _Detail | None, restricted: bool
        ) -> tuple[str, str, str]:
            """(action, reason, account) for one contact of one student; notes the writes."""
            if restricted:
                # A court order or custody note: the contact sees nothing of the student and
                # is sent nothing about them; only a school admin lifting it changes that.
                return SKIP, RESTRICTED, ""
            if detail is None:
                return SKIP, "no detail record on this link", ""
            if not covers(detail, self.day):
                # The portal shows a student only while the grant is in force: an account
                # made now would see nothing.
                return (
                    SKIP,
                    "the link's detail record is not in force today (ended or not begun)",
                    "",
                )
            why_not = self.rule.why_not(
                has_custody=detail.has_custody, relationship=detail.relationship
            )
            if why_not:
                return SKIP, why_not, ""
            # Before the contact's own account: in a real run, the account created for it in
            # an earlier slice exists by now, and is still "the account created".
            if cid in self.created:
                if not detail.allow_data_access:
                    grants.append(detail.id)
                return ATTACH, "student added to the account created for this contact", email
            own = account_of_contact.get(cid)
            if own is not None:
                if detail.allow_data_access:
                    return ALREADY_DONE, "the account already sees this student", own
                grants.append(detail.id)
                return ATTACH, "student added to the contact's account", own
            if not email:
                return SKIP, "no email address", ""
            lowered = email.lower()
            # An account already signing in with this email comes first: when it is another
            # contact's, that is a duplicate candidate a person must see, even if its owner is
            # in the selection too (and so shares the email).
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
                self.duplicates.setdefault(
                    (cid, owner),
                    DuplicateCandidate(email, cid, names.get(cid, ""), owner, owner_name, username),
                )
                return (
                    SKIP,
                    f"duplicate candidate: email {email} is used by the account of "
                    f"contact #{owner} ({owner_name})",
                    "",
                )
            sharing = [c for c in self.shared.get(lowered, ()) if c != cid]
            if sharing:
                other = sharing[0]
                return (
                    SKIP,
                    f"email {email} is also the primary email of contact #{other} "
                    f"({self.shared_names.get(other, '')})",
                    "",
                )
            if lowered not in email_checked:
                email_checked[lowered] = _valid_email(email)
            invalid = email_checked[lowered]
            if invalid:
                return SKIP, invalid, ""
            first, last = first_last.get(cid, ("", ""))
            new_accounts.append(NewAccount(cid, email, first, last))
            self.created.add(cid)
            if not detail.allow_data_access:
                grants.append(detail.id)
            return CREATE, "new account for the contact's primary email", email

        for number, student_id in students:
            student_name = student_names[student_id]
            for _, link_id, cid, restricted in sorted(links_by_student.get(student_id, ())):
                email = email_of.get(cid, "")
                records = details_by_link.get(link_id)
                detail = pick_active_detail(records or [], self.day)
                action, reason, account = decide(cid, email, detail, restricted)
                lines.append(
                    PlanLine(
                        number,
                        student_name,
                        cid,
                        names.get(cid, ""),
                        email,
                        action,
                        reason,
                        account,
                    )
                )
        return lines, new_accounts, grants

    def _accounts_by_key(self, keys: list[str]) -> dict[str, tuple[str, int | None]]:
        """The accounts signing in with one of ``keys`` (lowered emails), as username or
        account email, first by id: (username, its contact).

        Accounts this run created are left out: a real run's earlier slices have written
        them, but the plan is decided against the accounts that existed when it began.
        """
        found: dict[str, tuple[str, int | None]] = {}
        for chunk in chunks(keys):
            wanted = set(chunk)
            rows = (
                Account.objects.filter(
                    AnyOf(Lower("username"), chunk) | AnyOf(Lower("email"), chunk)
                )
                .order_by("pk")
                .values_list("username", "email", "contact_id")
            )
            for username, email, contact_id in rows:
                if contact_id in self.created:
                    continue
                for key in (username.lower(), email.lower()):
                    if key in wanted:
                        found.setdefault(key, (username, contact_id))
        return found


def plan_autocreate(
    selection: Selection,
    *,
    eligibility: Eligibility | None = None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    apply: Callable[[PlanSlice], None] | None = None,
) -> AutoCreateReport:
    """Decide, for each selected student and each linked contact, create | attach | already
    done | skip, with the reason; writes nothing itself.

    ``apply`` is given each slice's writes as soon as the slice is planned, before the next
    one is read (a real run writes them there, in its transaction).
    """
    students, unknown = _selected(selection)
    total = len(students)
    report = AutoCreateReport(students=total, unknown_students=unknown)
    if progress:
        progress(0, total)
    planner = _Planner(
        rule=eligibility or Eligibility.from_settings(),
        day=today or datetime.date.today(),
        shared=_shared_primaries(selection, students),
    )
    done = 0
    for part in chunks(students, SLICE):
        lines, new_accounts, grants = planner.plan(part)
        report.add(lines)
        if progress:
            for index in range(done + 1, done + len(part) + 1):
                if index % PROGRESS_EVERY == 0 or index == total:
                    progress(index, total)
        if apply:
            apply(PlanSlice(done, len(part), total, new_accounts, grants))
        done += len(part)
    report.duplicates = sorted(
        planner.duplicates.values(), key=lambda d: (d.email.lower(), d.contact)
    )
    return report
