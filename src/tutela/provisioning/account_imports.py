"""The eSchoolPLUS-style account imports: accounts first, then the students attached to them.

``tutela import accounts FILE`` creates or updates portal accounts (``USER_TYPE`` GUARDIAN for a
contact's account, STUDENT for a student's own); ``tutela import account-students FILE`` then
attaches students to the guardians' accounts. Both run on the import engine (``run_import``:
dry run, job record, results object) and are set-based: the file's logon ids, contacts,
emails and students are loaded in a few queries, every row is checked in memory, and the
changes are written in bulk. Accounts get an unusable password; parents set their own
through an activation link, so no password is hashed here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.db.models.functions import Lower
from email_validator import EmailNotValidError, validate_email

from tutela.accounts.models import Account
from tutela.accounts.services import imported_password
from tutela.core.columns import map_columns
from tutela.core.tabular import Table, normalise_header
from tutela.core.values import LARGEST_ID, USERNAME, ValueProblem, file_date, parse_bool
from tutela.imports.results import ImportResult, RowResult
from tutela.imports.runner import Progress
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.details import pick_active_detail
from tutela.people.models import (
    Code,
    CodeType,
    Contact,
    ContactEmail,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.provisioning.models import StudentAccount
from tutela.provisioning.services import unusable_password

CHUNK = 5000
LOG_LIMIT = 200
USERNAME_MAX = 150
NAME_MAX = 100


@dataclass
class LoggedRow(RowResult):
    """A row with what became of it (``added account …``), for the import's log."""

    outcome: str = ""

    @property
    def logged(self) -> str:
        """The log's words for this row: what it did, or that it was skipped and why."""
        if self.status == "rejected":
            return "skipped: " + "; ".join(self.errors)
        return self.outcome

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "outcome": self.logged}


class LoggedImportResult(ImportResult):
    """The engine's results object, whose summary is a log of what each row did: added,
    updated, unchanged, or skipped with the reason (the seed's "LOG showing you what was
    added, updated, and skipped"), in file order."""

    def summary_lines(self, limit: int = 20) -> list[str]:
        # The totals and counters; the rejected rows are in the log below, as skipped.
        lines = super().summary_lines(limit=0)[: 1 + bool(self.counter_names)]
        logged = [row for row in self.rows if isinstance(row, LoggedRow) and row.logged]
        if logged:
            lines.append("Log:")
            shown = logged[:LOG_LIMIT]
            # A skipped row further down still shows (up to ``limit`` of them): its reason is
            # what the district has to act on.
            shown += [row for row in logged[LOG_LIMIT:] if row.status == "rejected"][:limit]
            for row in shown:
                lines.append(f"  row {row.row}: {row.logged}")
            if len(logged) > len(shown):
                lines.append(
                    f"  … and {len(logged) - len(shown)} more rows (use --json, or --report FILE "
                    "for the skipped rows)"
                )
        return lines


def _reject_related(related: dict[Any, list[LoggedRow]], result: ImportResult) -> set[Any]:
    """Rows that name one account (or one account and student) are related rows: one row's
    error rejects them all (the seed's rule for related rows, as in the contacts import), so
    a group is never counted rejected while one of its rows was applied. Returns the keys of
    the rejected groups."""
    rejected = set()
    for key, rows in related.items():
        failing = {row.row: row.errors for row in rows if row.status == "rejected"}
        if failing:
            rejected.add(key)
            if len(rows) > 1:
                result.reject_group(list(rows), failing)
    return rejected


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _email_or_error(text: str, column: str) -> tuple[str, str | None]:
    try:
        return validate_email(text, check_deliverability=False).normalized, None
    except EmailNotValidError as error:
        return "", f"{column} {text!r} is not a valid email address: {error}"


def _accounts_by_username(names: Iterable[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    for chunk in _chunks(sorted(set(names))):
        for account in Account.objects.annotate(lower_username=Lower("username")).filter(
            lower_username__in=chunk
        ):
            found[account.username.lower()] = account
    return found


def _students(numbers: Iterable[str]) -> dict[str, Student]:
    found: dict[str, Student] = {}
    for chunk in _chunks(sorted(set(numbers))):
        for student in Student.objects.filter(student_number__in=chunk):
            found[student.student_number] = student
    return found


# --- accounts -------------------------------------------------------------------------------

ACCOUNT_COLUMNS = (
    "LOGONID",
    "FIRST_NAME",
    "LAST_NAME",
    "USER_TYPE",
    "EMAIL",
    "CONTACT_ID",
    "STUDENT_ID",
)
ACCOUNT_REQUIRED = ACCOUNT_COLUMNS[:4]
ACCOUNT_KNOWN = {normalise_header(name): name for name in ACCOUNT_COLUMNS}
USER_TYPES = ("GUARDIAN", "STUDENT")


@dataclass(frozen=True)
class AccountRow:
    logon_id: str
    first_name: str
    last_name: str
    user_type: str
    email: str
    contact_id: int | None
    student_number: str

    @property
    def address(self) -> str:
        """The account email: EMAIL, else a logon id that is itself an address."""
        return self.email or (self.logon_id if "@" in self.logon_id else "")


class AccountImporter:
    """Create or update portal accounts, one row per account, matched by logon id.

    A GUARDIAN row's contact is the one named by ``CONTACT_ID``, else the one contact whose
    email is the row's, else a new contact; its account is that contact's account or, failing
    that, the account with this logon id. A STUDENT row's account is the student's own.
    """

    kind = "accounts"
    counter_names = (
        "accounts_added",
        "accounts_updated",
        "accounts_unchanged",
        "contacts_added",
    )

    def run(self, table: Table, *, actor: Any, progress: Progress | None) -> ImportResult:
        columns = map_columns(
            table.headers, ACCOUNT_KNOWN, ACCOUNT_REQUIRED, file_name=table.path.name
        )
        result = LoggedImportResult(self.kind, table.headers, counter_names=self.counter_names)
        valid: dict[str, tuple[LoggedRow, AccountRow]] = {}
        related: dict[str, list[LoggedRow]] = {}
        for number, cells in table.rows:
            values = {name: columns.get(cells, name) for name in ACCOUNT_COLUMNS}
            row = LoggedRow(
                row=number, group=values["LOGONID"].lower() or f"row {number}", cells=cells
            )
            result.rows.append(row)
            if values["LOGONID"]:
                related.setdefault(row.group, []).append(row)
            parsed = self._check(values, row)
            if parsed is None:
                row.status = "rejected"
                continue
            earlier = valid.get(parsed.logon_id.lower())
            if earlier is not None:
                if earlier[1] != parsed:
                    row.status = "rejected"
                    row.errors.append(
                        f"LOGONID {parsed.logon_id!r} already appears on row {earlier[0].row} "
                        "with other values"
                    )
                else:
                    row.outcome = f"same as row {earlier[0].row}: ignored"
                continue
            valid[parsed.logon_id.lower()] = (row, parsed)
        # Once before applying (a group with a bad row is not applied) and once after (a row
        # refused while applying takes its twins with it); a group already rejected is unchanged.
        for key in _reject_related(related, result):
            valid.pop(key, None)
        self._apply(list(valid.values()), result)
        _reject_related(related, result)
        if progress:
            progress(len(result.rows), len(result.rows))
        return result

    @staticmethod
    def _check(values: dict[str, str], row: LoggedRow) -> AccountRow | None:
        logon_id = values["LOGONID"]
        if not logon_id:
            row.errors.append("LOGONID is required")
        elif len(logon_id) > USERNAME_MAX:
            row.errors.append(f"LOGONID is longer than {USERNAME_MAX} characters")
        elif not USERNAME.fullmatch(logon_id):
            # The account's own rule (Django's username validator), as the contacts import.
            row.errors.append(f"LOGONID {logon_id!r} may hold only letters, digits and @ . + - _")
        if not values["LAST_NAME"]:
            row.errors.append("LAST_NAME is required")
        for name in ("FIRST_NAME", "LAST_NAME"):
            # A contact's name holds 100 characters: a longer one is the row's error, never cut.
            if len(values[name]) > NAME_MAX:
                row.errors.append(f"{name} is longer than {NAME_MAX} characters")
        user_type = values["USER_TYPE"].upper()
        if user_type not in USER_TYPES:
            row.errors.append(
                f"USER_TYPE {values['USER_TYPE']!r} is not GUARDIAN or STUDENT"
                if values["USER_TYPE"]
                else "USER_TYPE is required (GUARDIAN or STUDENT)"
            )
        email = ""
        if values["EMAIL"]:
            email, problem = _email_or_error(values["EMAIL"], "EMAIL")
            if problem:
                row.errors.append(problem)
        elif "@" in logon_id:
            _, problem = _email_or_error(logon_id, "LOGONID")
            if problem:
                row.errors.append(problem)
        contact_id: int | None = None
        if values["CONTACT_ID"]:
            text = values["CONTACT_ID"]
            # ASCII digits only (a fullwidth nine is a digit to Python), within a database integer.
            if not (text.isascii() and text.isdigit()) or not 0 < int(text) < LARGEST_ID:
                row.errors.append(f"CONTACT_ID {text!r} is not a contact id")
            else:
                contact_id = int(text)
        if user_type == "STUDENT":
            if not values["STUDENT_ID"]:
                row.errors.append("STUDENT_ID is required on a STUDENT row")
            if values["CONTACT_ID"]:
                row.errors.append("CONTACT_ID is only for GUARDIAN rows")
        elif user_type == "GUARDIAN" and values["STUDENT_ID"]:
            row.errors.append(
                "STUDENT_ID is only for STUDENT rows; attach students to a guardian's account "
                "with the account-students import"
            )
        if row.errors:
            return None
        return AccountRow(
            logon_id=logon_id,
            first_name=values["FIRST_NAME"],
            last_name=values["LAST_NAME"],
            user_type=user_type,
            email=email,
            contact_id=contact_id,
            student_number=values["STUDENT_ID"],
        )

    def _apply(self, rows: list[tuple[LoggedRow, AccountRow]], result: ImportResult) -> None:
        default_password = imported_password()
        addresses = sorted({r.address.lower() for _, r in rows if r.address})
        keys = sorted({r.logon_id.lower() for _, r in rows} | set(addresses))
        # A sign-in name is taken when any account has it as username or as account email.
        by_username = _accounts_by_username(keys)
        by_email: dict[str, Account] = {}
        for chunk in _chunks(keys):
            for holder in Account.objects.annotate(lower_email=Lower("email")).filter(
                lower_email__in=chunk
            ):
                by_email[holder.email.lower()] = holder
        holders: dict[str, list[int]] = {}
        for chunk in _chunks(addresses):
            for contact_id, address in (
                ContactEmail.objects.annotate(lower_address=Lower("address"))
                .filter(lower_address__in=chunk)
                .values_list("contact_id", "address")
            ):
                holders.setdefault(address.lower(), []).append(contact_id)
        contact_ids = (
            {r.contact_id for _, r in rows if r.contact_id}
            | {c for ids in holders.values() for c in ids}
            | {a.contact_id for a in by_username.values() if a.contact_id}
        )
        contacts: dict[int, Contact] = {}
        for chunk in _chunks(sorted(contact_ids)):
            contacts.update(Contact.objects.in_bulk(chunk))
        account_of_contact: dict[int, Account] = {}
        for chunk in _chunks(sorted(contacts)):
            for account in Account.objects.filter(contact_id__in=chunk):
                assert account.contact_id is not None
                account_of_contact[account.contact_id] = account
        students = _students(r.student_number for _, r in rows if r.student_number)
        student_accounts: dict[int, Account] = {}
        owner_student: dict[int, int] = {}
        for chunk in _chunks(sorted(s.pk for s in students.values())):
            for link in StudentAccount.objects.filter(student_id__in=chunk).select_related(
                "account"
            ):
                student_accounts[link.student_id] = link.account
        for chunk in _chunks(sorted({a.pk for a in [*by_username.values(), *by_email.values()]})):
            for account_id, student_id in StudentAccount.objects.filter(
                account_id__in=chunk
            ).values_list("account_id", "student_id"):
                owner_student[account_id] = student_id

        claimed: dict[str, int] = {}  # lowered username/email -> row that takes it
        claimed_owner: dict[tuple[str, int], int] = {}  # ("contact"|"student", id) -> row
        new_contacts: list[tuple[Contact, str]] = []
        new_accounts: list[Account] = []
        new_student_links: list[tuple[Account, Student]] = []
        changed: dict[int, Account] = {}

        def describe(account: Account) -> str:
            if account.contact_id:
                return f"the account of contact #{account.contact_id}"
            if account.pk in owner_student:
                return "a student's account"
            return "a staff account" if account.is_staff else "an account of no contact"

        for row, r in rows:
            errors: list[str] = []
            logon = r.logon_id.lower()
            named = by_username.get(logon)
            address = r.address
            if r.user_type == "GUARDIAN":
                contact: Contact | None = None
                new_contact = False
                if r.contact_id is not None:
                    contact = contacts.get(r.contact_id)
                    if contact is None:
                        errors.append(f"CONTACT_ID {r.contact_id}: no contact has this id")
                elif address and holders.get(address.lower()):
                    ids = sorted(set(holders[address.lower()]))
                    if len(ids) > 1:
                        listed = ", ".join(f"#{i}" for i in ids)
                        errors.append(
                            f"email {address} belongs to {len(ids)} contacts ({listed}); "
                            "give CONTACT_ID to say which"
                        )
                    else:
                        contact = contacts[ids[0]]
                elif named is not None and named.contact_id is not None:
                    contact = contacts[named.contact_id]  # the account's own contact
                else:
                    new_contact = True
                target = account_of_contact.get(contact.pk) if contact is not None else None
                if named is not None and (target is None or named.pk != target.pk):
                    if contact is None or named.contact_id != contact.pk:
                        errors.append(f"LOGONID {r.logon_id} is already {describe(named)}")
                    target = named
            else:
                student = students.get(r.student_number)
                contact = None
                new_contact = False
                target = None
                if student is None:
                    errors.append(f"STUDENT_ID {r.student_number}: no student has this number")
                else:
                    target = student_accounts.get(student.pk)
                    if named is not None and (target is None or named.pk != target.pk):
                        errors.append(f"LOGONID {r.logon_id} is already {describe(named)}")
            owner = (
                ("contact", contact.pk)
                if contact is not None and contact.pk
                else ("student", students[r.student_number].pk)
                if r.user_type == "STUDENT" and r.student_number in students
                else None
            )
            if not errors and owner is not None and owner in claimed_owner:
                errors.append(f"this {owner[0]}'s account is also on row {claimed_owner[owner]}")
            if not errors:
                for key, what in ((logon, "LOGONID"), (address.lower(), "email")):
                    if not key:
                        continue
                    others = [a for a in (by_username.get(key), by_email.get(key)) if a is not None]
                    clash = next((a for a in others if target is None or a.pk != target.pk), None)
                    if clash is not None:
                        errors.append(f"{what} {key} is already used by {describe(clash)}")
                    elif key in claimed and claimed[key] != row.row:
                        errors.append(f"{what} {key} is also used on row {claimed[key]}")
            if errors:
                result.reject_group([row], {row.row: errors})
                continue
            claimed[logon] = row.row
            if owner is not None:
                claimed_owner[owner] = row.row
            if address:
                claimed[address.lower()] = row.row
            if target is None:
                account = Account(
                    username=r.logon_id,
                    email=address,
                    first_name=r.first_name,
                    last_name=r.last_name,
                    password=unusable_password(),
                    is_active=True,
                    is_imported=True,
                )
                if r.user_type == "GUARDIAN":
                    if default_password is not None:
                        account.password, account.must_change_password = default_password
                    if new_contact or contact is None:
                        contact = Contact(
                            first_name=r.first_name,
                            last_name=r.last_name,
                            is_active=True,
                        )
                        new_contacts.append((contact, address))
                        row.outcome = f"added account {r.logon_id} for a new contact"
                    else:
                        row.outcome = f"added account {r.logon_id} for contact #{contact.pk}"
                    account.contact = contact
                else:
                    new_student_links.append((account, students[r.student_number]))
                    row.outcome = f"added student account {r.logon_id} for {r.student_number}"
                new_accounts.append(account)
                result.counters["accounts_added"] += 1
                continue
            wanted = {
                "username": r.logon_id,
                "first_name": r.first_name,
                "last_name": r.last_name,
            }
            if address:
                wanted["email"] = address
            differences = [k for k, v in wanted.items() if getattr(target, k) != v]
            if differences:
                for key in differences:
                    setattr(target, key, wanted[key])
                changed[target.pk] = target
                row.outcome = f"updated account {r.logon_id}: {', '.join(differences)}"
                result.counters["accounts_updated"] += 1
            else:
                row.outcome = f"account {r.logon_id} unchanged"
                result.counters["accounts_unchanged"] += 1

        Contact.objects.bulk_create([c for c, _ in new_contacts], batch_size=CHUNK)
        ContactEmail.objects.bulk_create(
            [
                ContactEmail(contact=c, address=a, is_primary=True, order=1)
                for c, a in new_contacts
                if a
            ],
            batch_size=CHUNK,
        )
        for account in new_accounts:
            if account.contact is not None:
                account.contact_id = account.contact.pk
        Account.objects.bulk_create(new_accounts, batch_size=CHUNK)
        StudentAccount.objects.bulk_create(
            [StudentAccount(account=a, student=s) for a, s in new_student_links], batch_size=CHUNK
        )
        Account.objects.bulk_update(
            list(changed.values()),
            ["username", "email", "first_name", "last_name"],
            batch_size=CHUNK,
        )
        result.counters["contacts_added"] += len(new_contacts)


# --- account-students -----------------------------------------------------------------------

LINK_COLUMNS = ("LOGONID", "STUDENT_ID", "RELATIONSHIP", "DATA_ACCESS")
LINK_REQUIRED = LINK_COLUMNS[:2]
LINK_KNOWN = {normalise_header(name): name for name in LINK_COLUMNS}


@dataclass(frozen=True)
class AttachRow:
    logon_id: str
    student_number: str
    relationship: Code | None
    data_access: bool


class AccountStudentImporter:
    """Attach students to guardians' accounts: link the account's contact to each student and
    grant (or, with ``DATA_ACCESS`` false, withhold) portal access on the link's active detail.
    """

    kind = "account-students"
    counter_names = ("students_attached", "links_updated", "links_unchanged")

    def run(self, table: Table, *, actor: Any, progress: Progress | None) -> ImportResult:
        columns = map_columns(table.headers, LINK_KNOWN, LINK_REQUIRED, file_name=table.path.name)
        result = LoggedImportResult(self.kind, table.headers, counter_names=self.counter_names)
        book = CodeBook.load()
        valid: dict[tuple[str, str], tuple[LoggedRow, AttachRow]] = {}
        related: dict[tuple[str, str], list[LoggedRow]] = {}
        for number, cells in table.rows:
            values = {name: columns.get(cells, name) for name in LINK_COLUMNS}
            key = (values["LOGONID"].lower(), values["STUDENT_ID"])
            row = LoggedRow(row=number, group=f"{key[0]} {key[1]}".strip(), cells=cells)
            result.rows.append(row)
            if all(key):
                related.setdefault(key, []).append(row)
            parsed = self._check(values, row, book)
            if parsed is None:
                row.status = "rejected"
                continue
            earlier = valid.get(key)
            if earlier is not None:
                # The logon id is matched ignoring case; a blank DATA_ACCESS is its default, yes.
                if (earlier[1].relationship, earlier[1].data_access) != (
                    parsed.relationship,
                    parsed.data_access,
                ):
                    row.status = "rejected"
                    row.errors.append(
                        f"LOGONID {parsed.logon_id!r} and STUDENT_ID {parsed.student_number!r} "
                        f"already appear on row {earlier[0].row} with other values"
                    )
                else:
                    row.outcome = f"same as row {earlier[0].row}: ignored"
                continue
            valid[key] = (row, parsed)
        # Once before applying (a group with a bad row is not applied) and once after (a row
        # refused while applying takes its twins with it); a group already rejected is unchanged.
        for rejected in _reject_related(related, result):
            valid.pop(rejected, None)
        self._apply(list(valid.values()), result)
        _reject_related(related, result)
        if progress:
            progress(len(result.rows), len(result.rows))
        return result

    @staticmethod
    def _check(values: dict[str, str], row: LoggedRow, book: CodeBook) -> AttachRow | None:
        for name in LINK_REQUIRED:
            if not values[name]:
                row.errors.append(f"{name} is required")
        relationship: Code | None = None
        if values["RELATIONSHIP"]:
            try:
                relationship = book.match(CodeType.RELATIONSHIP_TYPE, values["RELATIONSHIP"])
            except CodeProblem as problem:
                row.errors.append(f"RELATIONSHIP: {problem}")
        data_access = True  # the default: attaching a student lets the account see it
        if values["DATA_ACCESS"]:
            try:
                data_access = parse_bool(values["DATA_ACCESS"])
            except ValueProblem as problem:
                row.errors.append(f"DATA_ACCESS: {values['DATA_ACCESS']!r} {problem}")
        if row.errors:
            return None
        return AttachRow(values["LOGONID"], values["STUDENT_ID"], relationship, data_access)

    def _apply(self, rows: list[tuple[LoggedRow, AttachRow]], result: ImportResult) -> None:
        accounts = _accounts_by_username(r.logon_id.lower() for _, r in rows)
        students = _students(r.student_number for _, r in rows)
        own_student: dict[int, int] = {}
        for chunk in _chunks(sorted(a.pk for a in accounts.values())):
            own_student.update(
                StudentAccount.objects.filter(account_id__in=chunk).values_list(
                    "account_id", "student_id"
                )
            )
        contact_ids = sorted({a.contact_id for a in accounts.values() if a.contact_id})
        links: dict[tuple[int, int], StudentContact] = {}
        details: dict[int, list[StudentContactDetail]] = {}
        for chunk in _chunks(contact_ids):
            for link in StudentContact.objects.filter(contact_id__in=chunk):
                links[(link.contact_id, link.student_id)] = link
            for detail in StudentContactDetail.objects.filter(link__contact_id__in=chunk).order_by(
                "id"
            ):
                details.setdefault(detail.link_id, []).append(detail)
        top: dict[int, int] = {}
        for chunk in _chunks(sorted(s.pk for s in students.values())):
            for student_id, highest in (
                StudentContact.objects.filter(student_id__in=chunk)
                .values("student_id")
                .annotate(highest=Max("contact_priority_order"))
                .values_list("student_id", "highest")
            ):
                top[student_id] = highest or 0

        today = datetime.date.today()
        new_links: list[StudentContact] = []
        new_details: list[StudentContactDetail] = []
        changed: dict[int, StudentContactDetail] = {}
        for row, r in rows:
            errors: list[str] = []
            account = accounts.get(r.logon_id.lower())
            student = students.get(r.student_number)
            if account is None:
                errors.append(f"LOGONID {r.logon_id}: no account has this logon id")
            if student is None:
                errors.append(f"STUDENT_ID {r.student_number}: no student has this number")
            if account is not None and student is not None and account.contact_id is None:
                if own_student.get(account.pk) == student.pk:
                    row.outcome = f"{r.logon_id} is {r.student_number}'s own account: unchanged"
                    result.counters["links_unchanged"] += 1
                    continue
                errors.append(
                    f"LOGONID {r.logon_id} is a student's account; it sees only its own student"
                    if account.pk in own_student
                    else f"LOGONID {r.logon_id} is not a guardian's account"
                )
            if errors:
                result.reject_group([row], {row.row: errors})
                continue
            assert account is not None and student is not None and account.contact_id
            grant = r.data_access
            found_link = links.get((account.contact_id, student.pk))
            if found_link is None:
                top[student.pk] = top.get(student.pk, 0) + 1
                link = StudentContact(
                    contact_id=account.contact_id,
                    student=student,
                    contact_priority_order=top[student.pk],
                )
                links[(account.contact_id, student.pk)] = link
                new_links.append(link)
                new_details.append(
                    StudentContactDetail(
                        link=link, relationship_type=r.relationship, allow_data_access=grant
                    )
                )
                row.outcome = f"added {r.student_number} to {r.logon_id}"
                result.counters["students_attached"] += 1
                continue
            link = found_link
            active = pick_active_detail(details.get(link.pk, []), today)
            if active is None:
                new_details.append(
                    StudentContactDetail(
                        link=link, relationship_type=r.relationship, allow_data_access=grant
                    )
                )
                row.outcome = f"updated {r.student_number} on {r.logon_id}: new detail record"
                result.counters["links_updated"] += 1
                continue
            if grant and active.end_date is not None and active.end_date < today:
                # The portal shows a student only while the link's detail is in force: a grant
                # on an ended one would be logged as done and show the parent nothing.
                result.reject_group(
                    [row],
                    {
                        row.row: [
                            f"the link of {r.logon_id} to {r.student_number} ended on "
                            f"{file_date(active.end_date)}: give it a current detail record "
                            "(contacts import) to grant data access"
                        ]
                    },
                )
                continue
            differences = []
            if active.allow_data_access != grant:
                active.allow_data_access = grant
                granted = "granted" if grant else "withdrawn"
                if grant and active.start_date is not None and active.start_date > today:
                    granted += f" from {file_date(active.start_date)}, when the link begins"
                differences.append(f"data access {granted}")
            if r.relationship is not None and active.relationship_type_id != r.relationship.pk:
                active.relationship_type = r.relationship
                differences.append(f"relationship {r.relationship.code}")
            if differences:
                changed[active.pk] = active
                row.outcome = (
                    f"updated {r.student_number} on {r.logon_id}: {', '.join(differences)}"
                )
                result.counters["links_updated"] += 1
            else:
                row.outcome = f"{r.student_number} already attached to {r.logon_id}: unchanged"
                result.counters["links_unchanged"] += 1
        StudentContact.objects.bulk_create(new_links, batch_size=CHUNK)
        for detail in new_details:
            detail.link_id = detail.link.pk
        StudentContactDetail.objects.bulk_create(new_details, batch_size=CHUNK)
        StudentContactDetail.objects.bulk_update(
            list(changed.values()), ["allow_data_access", "relationship_type"], batch_size=CHUNK
        )
