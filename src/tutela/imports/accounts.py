"""The eSchoolPLUS-style account imports: accounts first, then the students attached to them.

``tutela import accounts FILE`` creates or updates portal accounts (``USER_TYPE`` GUARDIAN for a
contact's account, STUDENT for a student's own); ``tutela import account-students FILE`` then
attaches students to the guardians' accounts. Both are kinds of the import engine (dry run,
job record, outcomes, scope), one row per account (or account and student), and set-based:
the file's logon ids, contacts, emails and students are loaded in a few queries, every row is
checked in memory, and the changes are written in bulk. Each row's message says what it did,
as eSchoolPLUS's import log does. Accounts get an unusable password; parents set their own
through an activation link, so no password is hashed here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.db.models.functions import Lower
from email_validator import EmailNotValidError, validate_email

from tutela.accounts.models import Account
from tutela.accounts.services import imported_password
from tutela.core.bulk import CHUNK, by_lowered, chunks
from tutela.core.columns import ColumnMap
from tutela.core.values import LARGEST_ID, USERNAME, ValueProblem, file_date, parse_bool
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch, value_of
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

USERNAME_MAX = 150
NAME_MAX = 100


def _email_or_error(text: str, column: str) -> tuple[str, str | None]:
    try:
        return validate_email(text, check_deliverability=False).normalized, None
    except EmailNotValidError as error:
        return "", f"{column} {text!r} is not a valid email address: {error}"


def children_of(contact_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """Each contact's students (number, school), for a scope bound to schools."""
    found: dict[int, list[tuple[str, int]]] = {}
    for batch in chunks(sorted(set(contact_ids))):
        for contact_id, number, school_id in StudentContact.objects.filter(
            contact_id__in=batch
        ).values_list("contact_id", "student__student_number", "student__school_id"):
            found.setdefault(contact_id, []).append((number, school_id))
    return found


def students_by_number(numbers: Iterable[str]) -> dict[str, Student]:
    found: dict[str, Student] = {}
    for batch in chunks(sorted(set(numbers))):
        for student in Student.objects.filter(student_number__in=batch):
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


class AccountImporter(ImportKind[CheckedRow[AccountRow]]):
    """Create or update portal accounts, one row per account, matched by logon id.

    A GUARDIAN row's contact is the one named by ``CONTACT_ID``, else the one contact whose
    email is the row's, else a new contact; its account is that contact's account or, failing
    that, the account with this logon id. A STUDENT row's account is the student's own.
    """

    kind = "accounts"
    fields = ACCOUNT_COLUMNS
    required = ACCOUNT_REQUIRED
    counter_names = (
        "accounts_added",
        "accounts_updated",
        "accounts_unchanged",
        "contacts_added",
    )
    one_row_per_group = True
    prints_log = True

    def check(self, number: int, values: dict[str, str]) -> CheckedRow[AccountRow]:
        # Rows that name one account (its logon id, ignoring case) are related rows.
        logon = values["LOGONID"].lower()
        key: object = logon or ("row", number)
        errors: list[str] = []
        parsed = self._parse(values, errors)
        return CheckedRow(number, key, logon or f"row {number}", errors, parsed)

    def conflict(self, first: CheckedRow[AccountRow], later: CheckedRow[AccountRow]) -> str | None:
        if first.value == later.value:
            return None
        assert later.value is not None
        return (
            f"LOGONID {later.value.logon_id!r} already appears on row {first.number} "
            "with other values"
        )

    @staticmethod
    def _parse(values: dict[str, str], errors: list[str]) -> AccountRow | None:
        logon_id = values["LOGONID"]
        if not logon_id:
            errors.append("LOGONID is required")
        elif len(logon_id) > USERNAME_MAX:
            errors.append(f"LOGONID is longer than {USERNAME_MAX} characters")
        elif not USERNAME.fullmatch(logon_id):
            # The account's own rule (Django's username validator), as the contacts import.
            errors.append(f"LOGONID {logon_id!r} may hold only letters, digits and @ . + - _")
        if not values["LAST_NAME"]:
            errors.append("LAST_NAME is required")
        for name in ("FIRST_NAME", "LAST_NAME"):
            # A contact's name holds 100 characters: a longer one is the row's error, never cut.
            if len(values[name]) > NAME_MAX:
                errors.append(f"{name} is longer than {NAME_MAX} characters")
        user_type = values["USER_TYPE"].upper()
        if user_type not in USER_TYPES:
            errors.append(
                f"USER_TYPE {values['USER_TYPE']!r} is not GUARDIAN or STUDENT"
                if values["USER_TYPE"]
                else "USER_TYPE is required (GUARDIAN or STUDENT)"
            )
        email = ""
        if values["EMAIL"]:
            email, problem = _email_or_error(values["EMAIL"], "EMAIL")
            if problem:
                errors.append(problem)
        elif "@" in logon_id:
            _, problem = _email_or_error(logon_id, "LOGONID")
            if problem:
                errors.append(problem)
        contact_id: int | None = None
        if values["CONTACT_ID"]:
            text = values["CONTACT_ID"]
            # ASCII digits only (a fullwidth nine is a digit to Python), within a database integer.
            if not (text.isascii() and text.isdigit()) or not 0 < int(text) < LARGEST_ID:
                errors.append(f"CONTACT_ID {text!r} is not a contact id")
            else:
                contact_id = int(text)
        if user_type == "STUDENT":
            if not values["STUDENT_ID"]:
                errors.append("STUDENT_ID is required on a STUDENT row")
            if values["CONTACT_ID"]:
                errors.append("CONTACT_ID is only for GUARDIAN rows")
        elif user_type == "GUARDIAN" and values["STUDENT_ID"]:
            errors.append(
                "STUDENT_ID is only for STUDENT rows; attach students to a guardian's account "
                "with the account-students import"
            )
        if errors:
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

    def apply(self, groups: list[Group[CheckedRow[AccountRow]]], context: ImportContext) -> None:
        rows = [(group, value_of(group)) for group in groups]
        counters = context.result.counters
        default_password = imported_password()
        addresses = sorted({r.address.lower() for _, r in rows if r.address})
        keys = sorted({r.logon_id.lower() for _, r in rows} | set(addresses))
        # A sign-in name is taken when any account has it as username or as account email.
        by_username = by_lowered(Account.objects.all(), "username", keys)
        by_email = by_lowered(Account.objects.all(), "email", keys)
        holders: dict[str, list[int]] = {}
        for chunk in chunks(addresses):
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
        for pks in chunks(sorted(contact_ids)):
            contacts.update(Contact.objects.in_bulk(pks))
        account_of_contact: dict[int, Account] = {}
        for pks in chunks(sorted(contacts)):
            for account in Account.objects.filter(contact_id__in=pks):
                assert account.contact_id is not None
                account_of_contact[account.contact_id] = account
        students = students_by_number(r.student_number for _, r in rows if r.student_number)
        student_accounts: dict[int, Account] = {}
        owner_student: dict[int, int] = {}
        for pks in chunks(sorted(s.pk for s in students.values())):
            for link in StudentAccount.objects.filter(student_id__in=pks).select_related("account"):
                student_accounts[link.student_id] = link.account
        for pks in chunks(sorted({a.pk for a in [*by_username.values(), *by_email.values()]})):
            for account_id, student_id in StudentAccount.objects.filter(
                account_id__in=pks
            ).values_list("account_id", "student_id"):
                owner_student[account_id] = student_id

        linked = {} if context.district_wide else children_of(contacts)

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

        for group, r in rows:
            number = group.checked[0].number
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
                    elif key in claimed and claimed[key] != number:
                        errors.append(f"{what} {key} is also used on row {claimed[key]}")
            if errors:
                group.reject({number: errors})
                continue
            if not context.district_wide and context.outside_scope(
                group, self._touched(r, contact, students, linked)
            ):
                continue
            claimed[logon] = number
            if owner is not None:
                claimed_owner[owner] = number
            if address:
                claimed[address.lower()] = number
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
                        group.done("added", f"added account {r.logon_id} for a new contact")
                    else:
                        group.done("added", f"added account {r.logon_id} for contact #{contact.pk}")
                    account.contact = contact
                else:
                    new_student_links.append((account, students[r.student_number]))
                    group.done(
                        "added", f"added student account {r.logon_id} for {r.student_number}"
                    )
                new_accounts.append(account)
                counters["accounts_added"] += 1
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
                group.done("updated", f"updated account {r.logon_id}: {', '.join(differences)}")
                counters["accounts_updated"] += 1
            else:
                group.done("unchanged", f"account {r.logon_id} unchanged")
                counters["accounts_unchanged"] += 1

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
        counters["contacts_added"] += len(new_contacts)

    @staticmethod
    def _touched(
        r: AccountRow,
        contact: Contact | None,
        students: dict[str, Student],
        linked: dict[int, list[tuple[str, int]]],
    ) -> list[Touch]:
        """A STUDENT row touches its student; a GUARDIAN row its contact's children (an
        existing contact without any is the district's alone)."""
        if r.user_type == "STUDENT":
            student = students[r.student_number]
            return [Touch(f"student {r.student_number}", student.school_id)]
        if contact is None or contact.pk is None:
            return []
        children = linked.get(contact.pk)
        if not children:
            return [Touch(f"contact #{contact.pk}", None)]
        return [Touch(f"contact #{contact.pk}'s student {n}", school) for n, school in children]


# --- account-students -----------------------------------------------------------------------

LINK_COLUMNS = ("LOGONID", "STUDENT_ID", "RELATIONSHIP", "DATA_ACCESS")
LINK_REQUIRED = LINK_COLUMNS[:2]


@dataclass(frozen=True)
class AttachRow:
    logon_id: str
    student_number: str
    relationship: Code | None
    data_access: bool


class AccountStudentImporter(ImportKind[CheckedRow[AttachRow]]):
    """Attach students to guardians' accounts: link the account's contact to each student and
    grant (or, with ``DATA_ACCESS`` false, withhold) portal access on the link's active detail.
    """

    kind = "account-students"
    fields = LINK_COLUMNS
    required = LINK_REQUIRED
    counter_names = ("students_attached", "links_updated", "links_unchanged")
    one_row_per_group = True
    prints_log = True

    def reader(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], CheckedRow[AttachRow]]:
        book = CodeBook.load()

        def read(number: int, cells: list[str]) -> CheckedRow[AttachRow]:
            values = {name: columns.get(cells, name) for name in LINK_COLUMNS}
            # Rows that name one account (ignoring case) and one student are related rows.
            key = (values["LOGONID"].lower(), values["STUDENT_ID"])
            errors: list[str] = []
            parsed = self._parse(values, errors, book)
            return CheckedRow(number, key, f"{key[0]} {key[1]}".strip(), errors, parsed)

        return read

    def conflict(self, first: CheckedRow[AttachRow], later: CheckedRow[AttachRow]) -> str | None:
        assert first.value is not None and later.value is not None
        # The logon id is matched ignoring case; a blank DATA_ACCESS is its default, yes.
        if (first.value.relationship, first.value.data_access) == (
            later.value.relationship,
            later.value.data_access,
        ):
            return None
        return (
            f"LOGONID {later.value.logon_id!r} and STUDENT_ID {later.value.student_number!r} "
            f"already appear on row {first.number} with other values"
        )

    @staticmethod
    def _parse(values: dict[str, str], errors: list[str], book: CodeBook) -> AttachRow | None:
        for name in LINK_REQUIRED:
            if not values[name]:
                errors.append(f"{name} is required")
        relationship: Code | None = None
        if values["RELATIONSHIP"]:
            try:
                relationship = book.match(CodeType.RELATIONSHIP_TYPE, values["RELATIONSHIP"])
            except CodeProblem as problem:
                errors.append(f"RELATIONSHIP: {problem}")
        data_access = True  # the default: attaching a student lets the account see it
        if values["DATA_ACCESS"]:
            try:
                data_access = parse_bool(values["DATA_ACCESS"])
            except ValueProblem as problem:
                errors.append(f"DATA_ACCESS: {values['DATA_ACCESS']!r} {problem}")
        if errors:
            return None
        return AttachRow(values["LOGONID"], values["STUDENT_ID"], relationship, data_access)

    def apply(self, groups: list[Group[CheckedRow[AttachRow]]], context: ImportContext) -> None:
        rows = [(group, value_of(group)) for group in groups]
        counters = context.result.counters
        accounts = by_lowered(
            Account.objects.all(), "username", (r.logon_id.lower() for _, r in rows)
        )
        students = students_by_number(r.student_number for _, r in rows)
        own_student: dict[int, int] = {}
        for chunk in chunks(sorted(a.pk for a in accounts.values())):
            own_student.update(
                StudentAccount.objects.filter(account_id__in=chunk).values_list(
                    "account_id", "student_id"
                )
            )
        contact_ids = sorted({a.contact_id for a in accounts.values() if a.contact_id})
        links: dict[tuple[int, int], StudentContact] = {}
        details: dict[int, list[StudentContactDetail]] = {}
        for chunk in chunks(contact_ids):
            for link in StudentContact.objects.filter(contact_id__in=chunk):
                links[(link.contact_id, link.student_id)] = link
            for detail in StudentContactDetail.objects.filter(link__contact_id__in=chunk).order_by(
                "id"
            ):
                details.setdefault(detail.link_id, []).append(detail)
        top: dict[int, int] = {}
        for chunk in chunks(sorted(s.pk for s in students.values())):
            for student_id, highest in (
                StudentContact.objects.filter(student_id__in=chunk)
                .values("student_id")
                .annotate(highest=Max("contact_priority_order"))
                .values_list("student_id", "highest")
            ):
                top[student_id] = highest or 0
        linked = {} if context.district_wide else children_of(contact_ids)

        today = datetime.date.today()
        new_links: list[StudentContact] = []
        new_details: list[StudentContactDetail] = []
        changed: dict[int, StudentContactDetail] = {}
        for group, r in rows:
            number = group.checked[0].number
            errors: list[str] = []
            account = accounts.get(r.logon_id.lower())
            student = students.get(r.student_number)
            if account is None:
                errors.append(f"LOGONID {r.logon_id}: no account has this logon id")
            if student is None:
                errors.append(f"STUDENT_ID {r.student_number}: no student has this number")
            if account is not None and student is not None and account.contact_id is None:
                if own_student.get(account.pk) == student.pk:
                    touch = Touch(f"student {r.student_number}", student.school_id)
                    if not context.outside_scope(group, [touch]):
                        group.done(
                            "unchanged",
                            f"{r.logon_id} is {r.student_number}'s own account: unchanged",
                        )
                        counters["links_unchanged"] += 1
                    continue
                errors.append(
                    f"LOGONID {r.logon_id} is a student's account; it sees only its own student"
                    if account.pk in own_student
                    else f"LOGONID {r.logon_id} is not a guardian's account"
                )
            if errors:
                group.reject({number: errors})
                continue
            assert account is not None and student is not None and account.contact_id
            if not context.district_wide and context.outside_scope(
                group,
                [
                    Touch(f"student {r.student_number}", student.school_id),
                    *(
                        Touch(f"contact #{account.contact_id}'s student {n}", school)
                        for n, school in linked.get(account.contact_id, [])
                    ),
                ],
            ):
                continue
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
                group.done("added", f"added {r.student_number} to {r.logon_id}")
                counters["students_attached"] += 1
                continue
            link = found_link
            active = pick_active_detail(details.get(link.pk, []), today)
            if active is None:
                new_details.append(
                    StudentContactDetail(
                        link=link, relationship_type=r.relationship, allow_data_access=grant
                    )
                )
                group.done(
                    "updated", f"updated {r.student_number} on {r.logon_id}: new detail record"
                )
                counters["links_updated"] += 1
                continue
            if grant and active.end_date is not None and active.end_date < today:
                # The portal shows a student only while the link's detail is in force: a grant
                # on an ended one would be logged as done and show the parent nothing.
                group.reject(
                    {
                        number: [
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
                group.done(
                    "updated",
                    f"updated {r.student_number} on {r.logon_id}: {', '.join(differences)}",
                )
                counters["links_updated"] += 1
            else:
                group.done(
                    "unchanged", f"{r.student_number} already attached to {r.logon_id}: unchanged"
                )
                counters["links_unchanged"] += 1
        StudentContact.objects.bulk_create(new_links, batch_size=CHUNK)
        for detail in new_details:
            detail.link_id = detail.link.pk
        StudentContactDetail.objects.bulk_create(new_details, batch_size=CHUNK)
        StudentContactDetail.objects.bulk_update(
            list(changed.values()), ["allow_data_access", "relationship_type"], batch_size=CHUNK
        )
