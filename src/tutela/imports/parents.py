"""The Schoology-style parent import: parent accounts from a district directory.

``tutela import parents FILE`` reads one row per parent (``First Name``, ``Last Name``, a
district-wide ``Unique ID``, a ``Username`` or an ``Email``, optionally ``School`` and
``Role``). The Unique ID names the person: a known one updates that contact (unless
``--no-update``), a new one creates a contact with it. Either way the parent ends with an
enabled portal account (username ``Username``, else the email), with no password: with
``--send-activation`` each new account is emailed its activation link.

"Don't allow duplicates" is always on: a new Unique ID whose email or username already
belongs to another contact or account is refused, naming that contact, because that is the
same person under a second ID and a second contact would split the family's records.

Set-based: the file's Unique IDs, emails, usernames and the contacts and accounts they name
are loaded in a few queries; the changes are written in bulk.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower

from tutela.accounts.models import Account
from tutela.accounts.services import imported_password, send_new_accounts_activation
from tutela.core.bulk import CHUNK, by_lowered, chunks
from tutela.core.columns import ColumnMap
from tutela.core.commands import UsageError
from tutela.core.emails import email_problem
from tutela.core.tabular import FileProblem, Table
from tutela.core.values import USERNAME
from tutela.imports.accounts import children_of
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch, value_of
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.models import Code, CodeType, Contact, ContactEmail, School
from tutela.people.services import unique_id_problem
from tutela.provisioning.services import unusable_password

COLUMNS = ("First Name", "Last Name", "Unique ID", "Username", "Email", "School", "Role")
REQUIRED = ("First Name", "Last Name", "Unique ID")
ROLES = ("Parent", "Guardian")
NAME_MAX = {
    "First Name": Contact._meta.get_field("first_name").max_length or 100,
    "Last Name": Contact._meta.get_field("last_name").max_length or 100,
}
USERNAME_MAX = Account._meta.get_field("username").max_length or 150
EMAIL_MAX = ContactEmail._meta.get_field("address").max_length or 254


@dataclass(frozen=True)
class ParentRow:
    unique_id: str
    first_name: str
    last_name: str
    username: str
    email: str
    school: School | None
    role: Code | None  # None: the file gave no role (a new contact is a Parent)

    @property
    def login(self) -> str:
        """The account's username: ``Username``, else the email (Schoology's either-or)."""
        return self.username or self.email


def _school_map(pairs: list[str]) -> dict[str, str]:
    """``VALUE=NUMBER`` pairs: a value of the file's School column and the school it means."""
    found: dict[str, str] = {}
    for pair in pairs:
        value, equals, number = pair.rpartition("=")
        if not equals or not value.strip() or not number.strip():
            raise UsageError(f"--school-map {pair!r}: write VALUE=NUMBER (a school number)")
        found[value.strip().lower()] = number.strip()
    return found


@dataclass
class Lookups:
    """What the file names, loaded in a few queries for the whole file."""

    by_unique_id: dict[str, Contact] = field(default_factory=dict)
    holders: dict[str, set[int]] = field(default_factory=dict)  # lowered address -> contacts
    by_username: dict[str, Account] = field(default_factory=dict)
    by_email: dict[str, Account] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    account_of: dict[int, Account] = field(default_factory=dict)
    emails_of: dict[int, list[ContactEmail]] = field(default_factory=dict)
    schools_of: dict[int, set[int]] = field(default_factory=dict)


class ParentImporter(ImportKind[CheckedRow[ParentRow]]):
    """Create or update parents and their portal accounts, one row per Unique ID."""

    kind = "parents"
    fields = COLUMNS
    required = REQUIRED
    counter_names = (
        "contacts_added",
        "contacts_updated",
        "accounts_added",
        "activation_emails",
    )
    one_row_per_group = True
    prints_log = True

    def add_arguments(self, parser: ArgumentParser) -> None:
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--school", metavar="N", help="every row belongs to the school with this number"
        )
        where.add_argument(
            "--school-column",
            action="store_true",
            help="the School column gives each row's school (through --school-map)",
        )
        parser.add_argument(
            "--school-map",
            metavar="VALUE=NUMBER",
            nargs="+",
            action="extend",
            default=[],
            help="what a School value of the file means: the number of a school",
        )
        parser.add_argument(
            "--no-update",
            action="store_true",
            help="leave contacts whose Unique ID exists as they are (the row is skipped)",
        )
        parser.add_argument(
            "--send-activation",
            action="store_true",
            help="email each new account its activation link",
        )

    def options_from(self, given: Mapping[str, Any]) -> dict[str, Any]:
        school = (given.get("school") or "").strip() or None
        column = bool(given.get("school_column"))
        if school and column:
            raise UsageError("--school and --school-column: choose one")
        mapping = _school_map(list(given.get("school_map") or []))
        if mapping and school:
            raise UsageError("--school-map reads the School column: it does nothing with --school")
        return {
            "school": school,
            "school_column": column,
            "school_map": mapping,
            "no_update": bool(given.get("no_update")),
            "send_activation": bool(given.get("send_activation")),
        }

    def columns(self, table: Table, context: ImportContext) -> tuple[Table, ColumnMap]:
        table, columns = super().columns(table, context)
        name = table.path.name
        if "Username" not in columns and "Email" not in columns:
            raise FileProblem(f"{name}: missing required column(s): Username or Email")
        if context.options.get("school_column") and "School" not in columns:
            raise FileProblem(f"{name}: missing required column(s): School (--school-column)")
        return table, columns

    def reader(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], CheckedRow[ParentRow]]:
        book = CodeBook.load()
        schools = {s.school_number: s for s in School.objects.all()}
        # A school's own name, ignoring case, names it too (when no two schools share it).
        named: dict[str, list[School]] = {}
        for school in schools.values():
            if school.name:
                named.setdefault(school.name.lower(), []).append(school)
        options = context.options
        fixed: str | None = options.get("school")
        mapping: dict[str, str] = options.get("school_map") or {}
        use_column = "School" in columns and not fixed

        def school_of(values: dict[str, str], errors: list[str]) -> School | None:
            if fixed:
                found = schools.get(fixed)
                if found is None:
                    errors.append(f"School {fixed!r} (--school) is not a school of the district")
                return found
            text = values["School"]
            if not use_column or not text:
                if options.get("school_column"):
                    errors.append("School is required (--school-column)")
                return None
            number = mapping.get(text.lower(), text)
            found = schools.get(number)
            if found is None and number == text and len(named.get(text.lower(), [])) == 1:
                found = named[text.lower()][0]
            if found is None:
                errors.append(
                    f"School {text!r} maps to {number!r} (--school-map), which is not a school "
                    "of the district"
                    if number != text
                    else f"School {text!r} is not a school of the district (nor a --school-map "
                    "value)"
                )
            return found

        def read(number: int, cells: list[str]) -> CheckedRow[ParentRow]:
            values = {name: columns.get(cells, name) for name in COLUMNS}
            unique_id = values["Unique ID"]
            errors: list[str] = []
            for name in REQUIRED:
                if not values[name]:
                    errors.append(f"{name} is required")
            for name, limit in NAME_MAX.items():
                if len(values[name]) > limit:
                    errors.append(f"{name} is longer than {limit} characters")
            if unique_id:
                problem = unique_id_problem(unique_id)
                if problem:
                    shown = f" {unique_id!r}" if len(unique_id) <= 80 else ""
                    errors.append(f"Unique ID{shown} {problem}")
            username, email = values["Username"], values["Email"]
            if not username and not email:
                errors.append("Username or Email is required (at least one of the two)")
            if username:
                if len(username) > USERNAME_MAX:
                    errors.append(f"Username is longer than {USERNAME_MAX} characters")
                elif not USERNAME.fullmatch(username):
                    errors.append(
                        f"Username {username!r} may hold only letters, digits and @ . + - _"
                    )
            if email:
                problem = email_problem(email) if len(email) <= EMAIL_MAX else "it is too long"
                if problem:
                    errors.append(f"Email {email!r} is not a valid email address: {problem}")
            role: Code | None = None
            if values["Role"]:
                spelled = values["Role"].strip().lower()
                if spelled not in {r.lower() for r in ROLES}:
                    errors.append(f"Role {values['Role']!r} is not Parent or Guardian")
                else:
                    role = self._role(book, spelled, errors)
            school = school_of(values, errors)
            key: object = unique_id or ("row", number)
            label = unique_id or f"row {number}"
            if errors:
                return CheckedRow(number, key, label, errors)
            return CheckedRow(
                number,
                key,
                label,
                errors,
                ParentRow(
                    unique_id=unique_id,
                    first_name=values["First Name"],
                    last_name=values["Last Name"],
                    username=username,
                    email=email,
                    school=school,
                    role=role,
                ),
            )

        return read

    @staticmethod
    def _role(book: CodeBook, spelled: str, errors: list[str]) -> Code | None:
        try:
            return book.match(CodeType.RELATIONSHIP_TYPE, spelled)
        except CodeProblem:
            errors.append(
                f"Role {spelled.title()!r}: the district has no {spelled.title()} relationship "
                "code (add it with tutela codesets add RelationshipType)"
            )
            return None

    def conflict(self, first: CheckedRow[ParentRow], later: CheckedRow[ParentRow]) -> str | None:
        if first.value == later.value:
            return None
        assert later.value is not None
        return (
            f"Unique ID {later.value.unique_id!r} already appears on row {first.number} "
            "with other values"
        )

    def apply(self, groups: list[Group[CheckedRow[ParentRow]]], context: ImportContext) -> None:
        rows = [(group, value_of(group)) for group in groups]
        found = _lookups([r for _, r in rows])
        options = context.options
        counters = context.result.counters
        send = bool(options.get("send_activation"))
        password = None if send else imported_password()
        parent_code = _parent_code()
        linked = {} if context.district_wide else children_of(found.contacts)

        claimed: dict[str, int] = {}  # lowered email / username -> the row that takes it
        new_contacts: list[tuple[Contact, ParentRow]] = []
        changed_contacts: dict[int, Contact] = {}
        changed_emails: list[ContactEmail] = []
        added_emails: list[ContactEmail] = []
        new_accounts: list[Account] = []
        changed_accounts: dict[int, Account] = {}
        school_rows: list[tuple[Contact, int]] = []

        for group, r in rows:
            number = group.checked[0].number
            contact = found.by_unique_id.get(r.unique_id)
            if not context.district_wide and context.outside_scope(
                group, self._touched(r, contact, found, linked)
            ):
                continue
            if contact is not None and options.get("no_update"):
                group.done("skipped", "exists; --no-update")
                continue
            errors = self._clashes(r, contact, found, claimed, number)
            if errors:
                group.reject({number: errors})
                continue
            for key in {r.email.lower(), r.login.lower()} - {""}:
                claimed[key] = number
            account = found.account_of.get(contact.pk) if contact is not None else None
            if contact is None:
                contact = Contact(
                    first_name=r.first_name,
                    last_name=r.last_name,
                    unique_id=r.unique_id,
                    is_active=True,
                    default_relationship=r.role or parent_code,
                )
                new_contacts.append((contact, r))
                if r.school is not None:
                    school_rows.append((contact, r.school.pk))
                account = self._new_account(r, contact, password)
                new_accounts.append(account)
                counters["contacts_added"] += 1
                counters["accounts_added"] += 1
                group.done("added", f"added contact {r.unique_id} with account {r.login}")
                continue
            differences: list[str] = []
            for attribute, value in (("first_name", r.first_name), ("last_name", r.last_name)):
                if getattr(contact, attribute) != value:
                    setattr(contact, attribute, value)
                    differences.append(attribute.replace("_", " "))
            if r.role is not None and contact.default_relationship_id != r.role.pk:
                contact.default_relationship = r.role
                differences.append("role")
            if differences:
                changed_contacts[contact.pk] = contact
            if r.email:
                email_change = self._email_change(contact, r.email, found)
                if email_change is not None:
                    (changed_emails if email_change.pk else added_emails).append(email_change)
                    differences.append("email")
            if r.school is not None and r.school.pk not in found.schools_of.get(contact.pk, set()):
                school_rows.append((contact, r.school.pk))
                differences.append(f"school {r.school.school_number}")
            if account is None:
                account = self._new_account(r, contact, password)
                new_accounts.append(account)
                counters["accounts_added"] += 1
                differences.append(f"account {r.login} added")
            else:
                wanted = {
                    "username": r.login,
                    "first_name": r.first_name,
                    "last_name": r.last_name,
                }
                if r.email:
                    wanted["email"] = r.email
                changes = [k for k, v in wanted.items() if getattr(account, k) != v]
                for key in changes:
                    setattr(account, key, wanted[key])
                if changes:
                    changed_accounts[account.pk] = account
                    differences.append("account " + ", ".join(c.replace("_", " ") for c in changes))
            if differences:
                counters["contacts_updated"] += 1
                group.done("updated", f"updated contact {r.unique_id}: {', '.join(differences)}")
            else:
                group.done("unchanged", f"contact {r.unique_id} unchanged")

        Contact.objects.bulk_create([c for c, _ in new_contacts], batch_size=CHUNK)
        added_emails.extend(
            ContactEmail(contact=c, address=r.email, is_primary=True, order=1)
            for c, r in new_contacts
            if r.email
        )
        ContactEmail.objects.bulk_create(added_emails, batch_size=CHUNK)
        ContactEmail.objects.bulk_update(changed_emails, ["address"], batch_size=CHUNK)
        Contact.objects.bulk_update(
            list(changed_contacts.values()),
            ["first_name", "last_name", "default_relationship"],
            batch_size=CHUNK,
        )
        Contact.schools.through.objects.bulk_create(
            [Contact.schools.through(contact_id=c.pk, school_id=s) for c, s in school_rows],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )
        for account in new_accounts:
            assert account.contact is not None
            account.contact_id = account.contact.pk
        Account.objects.bulk_create(new_accounts, batch_size=CHUNK)
        Account.objects.bulk_update(
            list(changed_accounts.values()),
            ["username", "email", "first_name", "last_name"],
            batch_size=CHUNK,
        )
        if send and new_accounts:
            counters["activation_emails"] += send_new_accounts_activation(
                actor=context.actor, accounts=new_accounts
            )
        if send:
            self._say_unsent(groups, new_accounts)

    @staticmethod
    def _say_unsent(groups: list[Group[CheckedRow[ParentRow]]], accounts: list[Account]) -> None:
        """A new account without an email gets no activation email: its row says so."""
        without = {a.username for a in accounts if not a.email}
        for group in groups:
            value = value_of(group)
            if value.login in without:
                for row in group.rows:
                    if row.outcome in ("added", "updated"):
                        row.message += " (no email: no activation email sent)"

    @staticmethod
    def _new_account(r: ParentRow, contact: Contact, password: tuple[str, bool] | None) -> Account:
        account = Account(
            username=r.login,
            email=r.email,
            contact=contact,
            first_name=r.first_name[:150],
            last_name=r.last_name[:150],
            password=unusable_password(),
            is_active=True,
            is_imported=True,
        )
        if password is not None:
            account.password, account.must_change_password = password
        return account

    @staticmethod
    def _email_change(contact: Contact, address: str, found: Lookups) -> ContactEmail | None:
        """The email record that makes ``address`` the contact's email, or ``None``: it has it.

        The primary email's address changes (the association keeps its id); a contact with
        emails but no primary one gets the address added after them.
        """
        emails = found.emails_of.get(contact.pk, [])
        if any(e.address.lower() == address.lower() for e in emails):
            return None
        primary = next((e for e in emails if e.is_primary), None)
        if primary is not None:
            primary.address = address
            return primary
        order = max((e.order for e in emails), default=0) + 1
        return ContactEmail(contact=contact, address=address, is_primary=not emails, order=order)

    @staticmethod
    def _clashes(
        r: ParentRow,
        contact: Contact | None,
        found: Lookups,
        claimed: dict[str, int],
        number: int,
    ) -> list[str]:
        """Why the row would make a second person or a second sign-in (``[]``: it would not)."""
        own = contact.pk if contact is not None else None
        own_account = found.account_of.get(own) if own is not None else None
        for what, text in (("Email", r.email), ("Username", r.login)):
            key = text.lower()
            if not key:
                continue
            if key in claimed and claimed[key] != number:
                return [f"{what} {text} is also used on row {claimed[key]}"]
            others = sorted(found.holders.get(key, set()) - {own}) if what == "Email" else []
            if others:
                holder = found.contacts[others[0]]
                return [f"{what} {text} already belongs to {_named(holder)}"]
            for account in (found.by_username.get(key), found.by_email.get(key)):
                if account is None or (own_account is not None and account.pk == own_account.pk):
                    continue
                if account.contact_id is not None and account.contact_id == own:
                    continue
                if account.contact_id is not None:
                    holder = found.contacts[account.contact_id]
                    return [
                        f"{what} {text} already belongs to {_named(holder)} "
                        f"(account {account.username})"
                    ]
                return [f"{what} {text} already belongs to account {account.username}"]
        return []

    @staticmethod
    def _touched(
        r: ParentRow,
        contact: Contact | None,
        found: Lookups,
        linked: dict[int, list[tuple[str, int]]],
    ) -> list[Touch]:
        """A new parent touches its school; a known one also its children, or with none its
        schools (a contact in no school and with no child is the district's alone)."""
        touched = [Touch(f"parent {r.unique_id}", r.school.pk)] if r.school else []
        if contact is None:
            return touched or [Touch(f"new parent {r.unique_id} (in no school)", None)]
        children = linked.get(contact.pk)
        if children:
            touched += [Touch(f"{_named(contact)}'s student {n}", s) for n, s in children]
            return touched
        schools = found.schools_of.get(contact.pk, set())
        touched += [Touch(_named(contact), s) for s in sorted(schools)] or [
            Touch(_named(contact), None)
        ]
        return touched


def _named(contact: Contact) -> str:
    """How a message names a contact: its id, name and Unique ID."""
    unique = f", Unique ID {contact.unique_id}" if contact.unique_id else ""
    return f"contact #{contact.pk} ({contact}{unique})"


def _parent_code() -> Code | None:
    """The ``Parent`` relationship, the role of a row that gives none (if the district has it)."""
    return (
        Code.objects.annotate(lowered=Lower("code"))
        .filter(code_type=CodeType.RELATIONSHIP_TYPE, lowered="parent", parent=None)
        .first()
    )


def _lookups(rows: list[ParentRow]) -> Lookups:
    """The contacts, emails and accounts the rows name, a few thousand values a query."""
    found = Lookups()
    for batch in chunks(sorted({r.unique_id for r in rows})):
        found.by_unique_id.update(
            (c.unique_id, c) for c in Contact.objects.filter(unique_id__in=batch)
        )
    addresses = sorted({r.email.lower() for r in rows if r.email})
    keys = sorted(set(addresses) | {r.login.lower() for r in rows})
    found.by_username = by_lowered(Account.objects.all(), "username", keys)
    found.by_email = by_lowered(Account.objects.all(), "email", keys)
    for batch in chunks(addresses):
        for contact_id, lowered in (
            ContactEmail.objects.annotate(lowered=Lower("address"))
            .filter(lowered__in=batch)
            .values_list("contact_id", "lowered")
        ):
            found.holders.setdefault(lowered, set()).add(contact_id)
    ids = (
        {c.pk for c in found.by_unique_id.values()}
        | {c for held in found.holders.values() for c in held}
        | {
            a.contact_id
            for a in (*found.by_username.values(), *found.by_email.values())
            if a.contact_id is not None
        }
    )
    for pks in chunks(sorted(ids)):
        found.contacts.update(Contact.objects.in_bulk(pks))
    found.by_unique_id = {c.unique_id: found.contacts[c.pk] for c in found.by_unique_id.values()}
    known = sorted(c.pk for c in found.by_unique_id.values())
    for pks in chunks(known):
        for account in Account.objects.filter(contact_id__in=pks):
            assert account.contact_id is not None
            found.account_of[account.contact_id] = account
        for email in ContactEmail.objects.filter(contact_id__in=pks).order_by("order", "pk"):
            found.emails_of.setdefault(email.contact_id, []).append(email)
        for contact_id, school_id in Contact.schools.through.objects.filter(
            contact_id__in=pks
        ).values_list("contact_id", "school_id"):
            found.schools_of.setdefault(contact_id, set()).add(school_id)
    return found
