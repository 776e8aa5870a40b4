"""Deciding each group, in file order, against the state in memory: accept it or reject it.

A group changes a copy of its contact (and copies of the student views it touches); only when
the whole group has no error do the copies replace the originals, so a rejected group leaves
nothing behind (rule 3) and later groups see exactly what earlier accepted groups did
(rule 2: the earlier group wins a collision). Nothing here touches the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tutela.imports.contacts.columns import (
    CONTACT_CODES,
    DETAIL_FLAGS,
    LABEL,
)
from tutela.imports.contacts.state import (
    AccountRec,
    AddressRec,
    ContactKey,
    ContactPhoneRec,
    ContactRec,
    DetailRec,
    EmailRec,
    LinkRec,
    PhoneRec,
    Slot,
    StudentView,
    World,
)
from tutela.imports.contacts.validation import (
    CLEAR,
    DELETE,
    NEW,
    AddressPart,
    Marker,
    ParsedRow,
    PhonePart,
    StudentPart,
)
from tutela.people.details import pick_active_detail, ranges_overlap

Outcome = Literal["added", "updated", "deleted", "unchanged"]
Errors = dict[int, list[str]]


@dataclass
class Stage:
    """The changes one group would make, kept apart until the group is accepted."""

    contact: ContactRec
    existed: bool
    new_phones: dict[tuple[str, str], PhoneRec] = field(default_factory=dict)
    sms: dict[tuple[str, str], bool] = field(default_factory=dict)
    deleted: dict[str, list[int]] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    account_created: bool = False
    # Student views are shared by every contact of a student, so a group changes them in
    # place and keeps an undo log; a rejected group's changes are undone in reverse order.
    undo: list[Callable[[], object]] = field(default_factory=list)
    slots_changed: bool = False

    def set_slot(self, slot: Slot, name: str, value: Any) -> None:
        old = getattr(slot, name)
        if old != value:
            setattr(slot, name, value)
            self.undo.append(lambda: setattr(slot, name, old))
            self.slots_changed = True

    def add_slot(self, view: StudentView, key: ContactKey, slot: Slot) -> None:
        view.slots[key] = slot
        self.undo.append(lambda: view.slots.pop(key, None))
        self.slots_changed = True

    def remove_slot(self, view: StudentView, key: ContactKey) -> None:
        slot = view.slots.pop(key, None)
        if slot is not None:
            self.undo.append(lambda: view.slots.__setitem__(key, slot))
            self.slots_changed = True

    def claim(self, view: StudentView, priority: int, claim: tuple[ContactKey, int]) -> None:
        old = view.claimed.get(priority)
        view.claimed[priority] = claim
        if old is None:
            self.undo.append(lambda: view.claimed.pop(priority, None))
        else:
            self.undo.append(lambda: view.claimed.__setitem__(priority, old))

    def roll_back(self) -> None:
        for action in reversed(self.undo):
            action()
        self.undo.clear()

    def error(self, row: ParsedRow, message: str) -> None:
        self.errors.setdefault(row.number, []).append(message)

    def delete(self, kind: str, pk: int | None) -> None:
        if pk is not None:
            self.deleted.setdefault(kind, []).append(pk)


@dataclass
class _DateRange:
    start_date: datetime.date | None
    end_date: datetime.date | None


class Planner:
    """Plans groups one after another, committing each accepted group into ``world``."""

    def __init__(self, world: World, code_text: dict[int, str], today: datetime.date) -> None:
        self.world = world
        self.code_text = code_text
        self.today = today

    # -- the group ---------------------------------------------------------------------------

    def plan(self, key: tuple[str, str], rows: list[ParsedRow]) -> tuple[Errors, Outcome | None]:
        own = {row.number: list(row.errors) for row in rows if row.errors}
        if own:
            return own, None
        kind, value = key
        if kind == "row":
            return {rows[0].number: ["ID or Identifier is required"]}, None
        original: ContactRec | None = None
        if kind == "id":
            original = self.world.contacts.get(int(value))
            if original is None:
                return {row.number: [f"ID {value!r} is not a contact"] for row in rows}, None
        deleting = [row for row in rows if row.contact.get("last_name") is DELETE]
        if deleting:
            return self._delete(original, rows, deleting)
        contact = original.clone() if original is not None else ContactRec(None, f"new:{value}")
        stage = Stage(contact=contact, existed=original is not None)
        self._contact_fields(stage, rows)
        self._account(stage, rows)
        self._emails(stage, rows)
        self._phones(stage, rows)
        self._addresses(stage, rows)
        self._students(stage, rows)
        self._access_rules(stage, rows)
        if stage.errors:
            stage.roll_back()
            return stage.errors, None
        return {}, self._commit(stage, original)

    def _delete(
        self, original: ContactRec | None, rows: list[ParsedRow], deleting: list[ParsedRow]
    ) -> tuple[Errors, Outcome | None]:
        """Rule 16: ``#delete`` in LastName on every row of the contact deletes it."""
        if len(deleting) != len(rows):
            missing = ", ".join(str(r.number) for r in rows if r not in deleting)
            message = (
                "LastName '#delete' must be on every row of the contact to delete it; "
                f"row {missing} does not have it"
            )
            return {row.number: [message] for row in deleting}, None
        if original is None:
            message = "LastName '#delete' needs the ID of an existing contact"
            return {row.number: [message] for row in deleting}, None
        world = self.world
        key = original.key
        for sid in original.links:
            view = world.view(sid)
            view.slots.pop(key, None)
            for priority in [p for p, claim in view.claimed.items() if claim[0] == key]:
                del view.claimed[priority]
        if original.account is not None:
            self._release_account(key, original.account)
        world.deleted["contact"].append(original.key)  # type: ignore[arg-type]
        world.deleted["address"].extend(a.address_id for a in original.addresses if a.address_id)
        del world.contacts[key]
        return {}, "deleted"

    # -- contact and account -----------------------------------------------------------------

    def _merge(
        self, stage: Stage, rows: list[ParsedRow], name: str, source: Callable[[ParsedRow], Any]
    ) -> tuple[Any, ParsedRow | None]:
        """The one value related rows give a field; two different values are a conflict."""
        first: Any = None
        first_row: ParsedRow | None = None
        for row in rows:
            value = source(row)
            if value is None:
                continue
            if first_row is None:
                first, first_row = value, row
            elif value != first:
                stage.error(
                    row,
                    f"{LABEL[name]} {self.show(value)} conflicts with "
                    f"{self.show(first)} on row {first_row.number}",
                )
        return first, first_row

    def show(self, value: Any) -> str:
        if isinstance(value, Marker):
            return repr(value.value)
        if isinstance(value, bool):
            return "'true'" if value else "'false'"
        if isinstance(value, int):
            return repr(self.code_text.get(value, str(value)))
        if isinstance(value, datetime.date):
            return repr(f"{value.month}/{value.day}/{value.year}")
        return repr(value)

    def _merge_section(
        self, stage: Stage, rows: list[ParsedRow], section: str
    ) -> dict[str, tuple[Any, ParsedRow]]:
        """Every field's one value across related rows; two different values conflict."""
        merged: dict[str, tuple[Any, ParsedRow]] = {}
        for row in rows:
            values: dict[str, Any] = getattr(row, section)
            for name, value in values.items():
                first = merged.get(name)
                if first is None:
                    merged[name] = (value, row)
                elif first[0] != value:
                    stage.error(
                        row,
                        f"{LABEL[name]} {self.show(value)} conflicts with "
                        f"{self.show(first[0])} on row {first[1].number}",
                    )
        return merged

    def _contact_fields(self, stage: Stage, rows: list[ParsedRow]) -> None:
        contact = stage.contact
        for name, (value, _) in self._merge_section(stage, rows, "contact").items():
            if name in CONTACT_CODES:
                setattr(contact, f"{name}_id", None if value is CLEAR else value)
            else:
                setattr(contact, name, "" if value is CLEAR else value)
        if not stage.existed and not contact.last_name:
            stage.error(rows[0], "LastName is required to add a contact")

    def _account(self, stage: Stage, rows: list[ParsedRow]) -> None:
        """Rule 15: create, update or (``#delete``) delete the contact's access account."""
        merged = self._merge_section(stage, rows, "account")
        none: tuple[Any, ParsedRow | None] = (None, None)
        username, username_row = merged.get("account_username", none)
        email, email_row = merged.get("account_email", none)
        enabled, _ = merged.get("account_enabled", none)
        guardian_number, _ = merged.get("state_guardian_number", none)
        contact = stage.contact
        account = contact.account
        if username is DELETE:
            if account is None:
                assert username_row is not None
                stage.error(
                    username_row,
                    "Access Account User Name '#delete': the contact has no access account",
                )
            else:
                stage.delete("account", account.id)
                contact.account = None
            return
        if account is None:
            if username is None:
                given = next((r for r in rows if r.account), None)
                if given is not None:
                    stage.error(
                        given, "Access Account User Name is required to create an access account"
                    )
                return
            if email is None:
                assert username_row is not None
                stage.error(
                    username_row,
                    "Access Account Email Address is required to create an access account",
                )
                return
            account = contact.account = AccountRec(
                None, username, email, True if enabled is None else enabled, ""
            )
            stage.account_created = True
        else:
            if username is not None:
                account.username = username
            if email is not None:
                account.email = email
            if enabled is not None:
                account.is_active = enabled
        if guardian_number is not None:
            account.state_guardian_number = "" if guardian_number is CLEAR else guardian_number
        owner = self.world.usernames.get(account.username.lower())
        if owner is not None and owner != contact.key and username_row is not None:
            stage.error(
                username_row, f"Access Account User Name {username!r}: Username not available"
            )
        owner = self.world.account_emails.get(account.email.lower())
        if account.email and owner is not None and owner != contact.key and email_row is not None:
            stage.error(
                email_row,
                f"Access Account Email Address {email!r}: The account email address is already "
                "in use by another access account",
            )

    def _access_rules(self, stage: Stage, rows: list[ParsedRow]) -> None:
        """Rules 14 and 15: data access needs an account; a new account needs a student."""
        contact = stage.contact
        if contact.account is None:
            for row in rows:
                if row.student is not None and row.student.detail.get("allow_data_access"):
                    stage.error(
                        row,
                        "AllowDataAccess 'true': the contact has no access account "
                        "(add Access Account User Name to create one)",
                    )
        if stage.account_created and not contact.links:
            row = next(r for r in rows if isinstance(r.account.get("account_username"), str))
            stage.error(
                row,
                f"Access Account User Name {row.account['account_username']!r}: a new access "
                "account needs the contact linked to at least one student",
            )

    # -- emails ------------------------------------------------------------------------------

    def _emails(self, stage: Stage, rows: list[ParsedRow]) -> None:
        contact = stage.contact
        seen: dict[str, ParsedRow] = {}
        primaries: list[tuple[EmailRec, ParsedRow]] = []
        touched = False
        for row in rows:
            part = row.email
            if part is None:
                continue
            touched = True
            if part.address is DELETE:
                found = next((e for e in contact.emails if e.id == part.assoc_id), None)
                if found is None:
                    stage.error(
                        row,
                        f"PersonEmailAddressAssocID '{part.assoc_id}' is not one of this "
                        "contact's email addresses",
                    )
                else:
                    contact.emails.remove(found)
                    stage.delete("email", found.id)
                continue
            address = part.address if isinstance(part.address, str) else None
            if address is not None:
                earlier = seen.get(address.lower())
                if earlier is not None:
                    if earlier.email is not None and earlier.email.written == part.written:
                        continue  # a duplicate row: ignored
                    stage.error(
                        row,
                        f"EmailAddress {address!r} is also on row {earlier.number} with a "
                        "different EmailType or IsPrimaryEmailAddress",
                    )
                    continue
                seen[address.lower()] = row
            email = None
            if part.assoc_id is not None:
                email = next((e for e in contact.emails if e.id == part.assoc_id), None)
                if email is None and address is None:
                    stage.error(
                        row,
                        f"PersonEmailAddressAssocID '{part.assoc_id}' is not one of this "
                        "contact's email addresses",
                    )
                    continue
            if email is None and address is not None:
                email = next(
                    (e for e in contact.emails if e.address.lower() == address.lower()), None
                )
            if email is None:
                assert address is not None
                email = EmailRec(None, address, None, False, len(contact.emails) + 1)
                contact.emails.append(email)
            if address is not None:
                clash = next(
                    (
                        e
                        for e in contact.emails
                        if e is not email and e.address.lower() == address.lower()
                    ),
                    None,
                )
                if clash is not None:
                    stage.error(
                        row,
                        f"EmailAddress {address!r} is already another of this contact's "
                        "email addresses",
                    )
                    continue
                if email.address.lower() != address.lower():
                    email.address = address  # rule 8: a change of case is not a change
            if part.email_type is not None:
                email.email_type_id = None if part.email_type is CLEAR else part.email_type  # type: ignore[assignment]
            if part.is_primary is True:
                primaries.append((email, row))
            elif part.is_primary is False:
                email.is_primary = False
        if len(primaries) > 1:
            first = primaries[0][1]
            for _, row in primaries[1:]:
                stage.error(
                    row,
                    "IsPrimaryEmailAddress 'true': a contact has one primary email address and "
                    f"row {first.number} already marks one",
                )
        elif primaries:
            # Seed: an email marked primary becomes the first and the rest move down.
            chosen = primaries[0][0]
            for email in contact.emails:
                email.is_primary = email is chosen
            contact.emails.remove(chosen)
            contact.emails.insert(0, chosen)
        if touched:
            for order, email in enumerate(contact.emails, start=1):
                email.order = order

    # -- phones ------------------------------------------------------------------------------

    def _shared_phone(self, stage: Stage, key: tuple[str, str], number: str) -> PhoneRec:
        found = self.world.phones.get(key) or stage.new_phones.get(key)
        if found is None:
            found = stage.new_phones[key] = PhoneRec(None, number, key[0], key[1], False)
        return found

    def _phones(self, stage: Stage, rows: list[ParsedRow]) -> None:
        contact = stage.contact
        written: set[tuple[str, ...]] = set()
        slots: dict[tuple[str, ...], ParsedRow] = {}
        sms_given: dict[tuple[str, str], tuple[bool, ParsedRow]] = {}
        claimed: set[int] = set()
        resolved: list[tuple[ContactPhoneRec, PhonePart, ParsedRow]] = []
        new: set[int] = set()
        for row in rows:
            part = row.phone
            if part is None or part.written in written:
                continue  # no phone, or a duplicate row (rule 10: as written)
            written.add(part.written)
            earlier = slots.get(part.written[:5])
            if earlier is not None:
                stage.error(
                    row,
                    f"PhoneNumber {self._phone_text(part)} is also on row {earlier.number} with "
                    "a different IsSMS or IsPreferred",
                )
                continue
            slots[part.written[:5]] = row
            phone = None
            if part.assoc_id is not None:
                phone = next((p for p in contact.phones if p.id == part.assoc_id), None)
                if phone is None:
                    stage.error(
                        row,
                        f"PhoneNumberAssocID '{part.assoc_id}' is not one of this contact's "
                        "phone numbers",
                    )
                    continue
                if part.number is DELETE:
                    contact.phones.remove(phone)
                    stage.delete("contact_phone", phone.id)
                    continue
            if isinstance(part.number, str):
                digits, number = part.digits, part.number
            else:
                assert phone is not None
                digits, number = phone.phone.digits, phone.phone.number
            if part.extension is CLEAR:
                extension = ""
            elif isinstance(part.extension, str):
                extension = part.extension
            else:
                extension = phone.phone.extension if phone is not None else ""
            key = (digits, extension)
            if phone is None:
                same = [
                    p
                    for p in contact.phones
                    if (p.phone.digits, p.phone.extension) == key and id(p) not in claimed
                ]
                typed = [p for p in same if p.phone_type_id == part.phone_type]
                phone = (typed or same)[0] if same else None
            if phone is None:
                phone = ContactPhoneRec(
                    None, self._shared_phone(stage, key, number), None, 0, False
                )
                contact.phones.append(phone)
                new.add(id(phone))
            elif (phone.phone.digits, phone.phone.extension) != key:
                phone.phone = self._shared_phone(stage, key, number)
            claimed.add(id(phone))
            if part.phone_type is not None:
                phone.phone_type_id = None if part.phone_type is CLEAR else part.phone_type  # type: ignore[assignment]
            if part.is_preferred is not None:
                phone.is_preferred = part.is_preferred
            if part.is_sms is not None:
                given = sms_given.get(key)
                if given is not None and given[0] != part.is_sms:
                    stage.error(
                        row,
                        f"IsSMS {self.show(part.is_sms)} conflicts with {self.show(given[0])} "
                        f"on row {given[1].number} for the same phone number",
                    )
                sms_given[key] = (part.is_sms, row)
                stage.sms[key] = part.is_sms
            resolved.append((phone, part, row))
        self._priorities(
            stage,
            "PhoneNumberPriorityOrder",
            [(rec, part.priority, row) for rec, part, row in resolved],
            contact.phones,
            new,
        )

    @staticmethod
    def _phone_text(part: PhonePart) -> str:
        if isinstance(part.number, str):
            return repr(part.number)
        return f"of PhoneNumberAssocID '{part.assoc_id}'"

    def _priorities(
        self,
        stage: Stage,
        label: str,
        given: list[tuple[Any, int | None, ParsedRow]],
        records: list[Any],
        new: set[int],
    ) -> None:
        """Rule 10: priorities given must differ; blanks of new records fill the gaps in order.

        A record that already exists keeps its priority when the file leaves it blank.
        """
        used: dict[int, tuple[Any, ParsedRow]] = {}
        for record, priority, row in given:
            if priority is None:
                continue
            other = used.get(priority)
            if other is not None and other[0] is not record:
                stage.error(row, f"{label} '{priority}' is also used on row {other[1].number}")
                continue
            used[priority] = (record, row)
            record.priority_order = priority
        blank_new = [r for r, p, _ in given if p is None and id(r) in new]
        taken = {r.priority_order for r in records if id(r) not in new} | set(used)
        candidate = 1
        for record in dict.fromkeys(blank_new):
            while candidate in taken:
                candidate += 1
            record.priority_order = candidate
            taken.add(candidate)

    # -- addresses ---------------------------------------------------------------------------

    def _addresses(self, stage: Stage, rows: list[ParsedRow]) -> None:
        contact = stage.contact
        seen: dict[str, tuple[AddressPart, AddressRec | None, ParsedRow]] = {}
        claimed: set[int] = set()
        resolved: list[tuple[AddressRec, int | None, ParsedRow]] = []
        new: set[int] = set()
        for row in rows:
            part = row.address
            if part is None:
                continue
            earlier = seen.get(part.identity)
            if earlier is not None:
                first, first_rec, first_row = earlier
                if part.written_priority != first.written_priority:
                    stage.error(
                        row,
                        f"AddressPriorityOrder {part.written_priority or '(blank)'!r} differs "
                        f"from {first.written_priority or '(blank)'!r} on row {first_row.number} "
                        "for the same address",
                    )
                elif part.written_type and first.written_type != part.written_type:
                    if first.written_type:
                        stage.error(
                            row,
                            f"AddressType {self.show(part.address_type)} conflicts with "
                            f"{self.show(first.address_type)} on row {first_row.number} for "
                            "the same address",
                        )
                    elif first_rec is not None:
                        first_rec.address_type_id = (
                            None if part.address_type is CLEAR else part.address_type  # type: ignore[assignment]
                        )
                continue  # a duplicate row
            address = None
            if part.assoc_id is not None:
                address = next((a for a in contact.addresses if a.id == part.assoc_id), None)
                if address is None:
                    stage.error(
                        row,
                        f"AddressAssocID '{part.assoc_id}' is not one of this contact's addresses",
                    )
                    continue
                if part.street is DELETE:
                    contact.addresses.remove(address)
                    stage.delete("contact_address", address.id)
                    stage.delete("address", address.address_id)
                    continue
            elif isinstance(part.street, str):
                wanted = " ".join(part.street.lower().split())
                address = next(
                    (
                        a
                        for a in contact.addresses
                        if " ".join(a.street.lower().split()) == wanted and id(a) not in claimed
                    ),
                    None,
                )
            if address is None:
                assert isinstance(part.street, str)
                address = AddressRec(None, None, part.street)
                contact.addresses.append(address)
                new.add(id(address))
            claimed.add(id(address))
            seen[part.identity] = (part, address, row)
            if isinstance(part.street, str):
                address.street = part.street
            for name, value in part.values.items():
                target = "state_id" if name == "state" else name
                if value is CLEAR:
                    value = "" if isinstance(getattr(address, target), str) else None
                setattr(address, target, value)
            if part.address_type is not None:
                address.address_type_id = None if part.address_type is CLEAR else part.address_type  # type: ignore[assignment]
            if address.start_date and address.end_date and address.start_date > address.end_date:
                stage.error(
                    row,
                    f"AddressStartDate {self.show(address.start_date)} is after "
                    f"AddressEndDate {self.show(address.end_date)}",
                )
            resolved.append((address, part.priority, row))
        self._priorities(stage, "AddressPriorityOrder", resolved, contact.addresses, new)

    # -- students ----------------------------------------------------------------------------

    def _view(self, stage: Stage, student_id: int) -> StudentView:
        return self.world.view(student_id)

    def _students(self, stage: Stage, rows: list[ParsedRow]) -> None:
        contact = stage.contact
        by_student: dict[int, list[tuple[StudentPart, ParsedRow]]] = {}
        for row in rows:
            part = row.student
            if part is None:
                continue
            if part.assoc_id is not None:
                link = next((k for k in contact.links.values() if k.id == part.assoc_id), None)
                if link is None:
                    stage.error(
                        row,
                        f"StudentContactAssocID '{part.assoc_id}' is not one of this contact's "
                        "students",
                    )
                    continue
                number = part.student_number
                if isinstance(number, str) and self.world.students.get(number) != link.student_id:
                    stage.error(
                        row,
                        f"StudentNumber {number!r} is not the student of StudentContactAssocID "
                        f"'{part.assoc_id}'",
                    )
                    continue
                if number is DELETE:
                    del contact.links[link.student_id]
                    stage.remove_slot(self._view(stage, link.student_id), contact.key)
                    stage.delete("link", link.id)
                    continue
                student_id = link.student_id
            else:
                assert isinstance(part.student_number, str)
                found = self.world.students.get(part.student_number)
                if found is None:
                    stage.error(row, f"StudentNumber {part.student_number!r} is not a student")
                    continue
                student_id = found
            by_student.setdefault(student_id, []).append((part, row))
        for student_id, items in by_student.items():
            self._student_link(stage, student_id, items)

    def _student_link(
        self, stage: Stage, student_id: int, items: list[tuple[StudentPart, ParsedRow]]
    ) -> None:
        contact = stage.contact
        number = self.world.student_numbers.get(student_id, str(student_id))
        unique: list[tuple[StudentPart, ParsedRow]] = []
        for part, row in items:
            if any(part.written == other.written for other, _ in unique):
                continue  # a duplicate row
            unique.append((part, row))
        errors_before = len(stage.errors)
        rows = [row for _, row in unique]
        if len(unique) == 1:  # the usual case: nothing to merge or compare
            kind, priority, priority_row = unique[0][0].original_type, unique[0][0].priority, None
        else:
            parts = {row.number: part for part, row in unique}
            kind, _ = self._merge(
                stage,
                rows,
                "original_contact_type",
                lambda r: parts[r.number].original_type,
            )
            priority, priority_row = self._merge(
                stage, rows, "contact_priority", lambda r: parts[r.number].priority
            )
        # Rule 12: one student on several rows needs dates that do not overlap.
        for index, (part, row) in enumerate(unique):
            for other, other_row in unique[:index]:
                if not ranges_overlap(
                    _DateRange(part.start, part.end), _DateRange(other.start, other.end)
                ):
                    continue
                if (part.start, part.end) == (other.start, other.end):
                    fields = [
                        LABEL[name]
                        for name in ("relationship_type", "relationship_note", *DETAIL_FLAGS)
                        if part.detail.get(name) != other.detail.get(name)
                    ] or ["values"]
                    stage.error(
                        row,
                        f"StudentNumber {number!r} is also on row {other_row.number} with the "
                        f"same dates but a different {', '.join(fields)}",
                    )
                else:
                    stage.error(
                        row,
                        f"StudentNumber {number!r}: the relationship dates overlap those on row "
                        f"{other_row.number}",
                    )
        if len(stage.errors) > errors_before:
            return
        link = contact.links.get(student_id)
        created = link is None
        if link is None:
            link = contact.links[student_id] = LinkRec(None, student_id)
        for part, row in unique:
            detail = self._detail(stage, link, created, part, row, len(unique), number)
            if detail is None:
                continue
            for name, value in part.detail.items():
                target = "relationship_type_id" if name == "relationship_type" else name
                if value is CLEAR:
                    value = "" if name == "relationship_note" else None
                setattr(detail, target, value)
            if detail.start_date and detail.end_date and detail.start_date > detail.end_date:
                stage.error(
                    row,
                    f"RelationshipStartDate {self.show(detail.start_date)} is after "
                    f"RelationshipEndDate {self.show(detail.end_date)}",
                )
        for index, detail in enumerate(link.details):
            for earlier in link.details[:index]:
                if ranges_overlap(detail, earlier):
                    stage.error(
                        rows[0],
                        f"StudentNumber {number!r}: the relationship dates would overlap "
                        f"another detail record of this student's link"
                        + (f" (StudentContactDetailID {earlier.id})" if earlier.id else ""),
                    )
                    return
        self._place(stage, student_id, number, kind, priority, priority_row or rows[0])

    def _detail(
        self,
        stage: Stage,
        link: LinkRec,
        created: bool,
        part: StudentPart,
        row: ParsedRow,
        related: int,
        number: str,
    ) -> DetailRec | None:
        """Rule 13: blank updates the active detail, ``#new`` adds one, a number names one."""
        if isinstance(part.detail_id, int):
            found = next((d for d in link.details if d.id == part.detail_id), None)
            if found is None:
                stage.error(
                    row,
                    f"StudentContactDetailID '{part.detail_id}' is not a detail record of this "
                    f"contact's link to student {number!r}",
                )
            return found
        detail = None
        if part.detail_id is not NEW and not created:
            if related == 1:
                detail = pick_active_detail(link.details, self.today)
            else:
                # Several rows for one student: each updates the detail with its dates.
                detail = next(
                    (
                        d
                        for d in link.details
                        if (d.start_date, d.end_date) == (part.start, part.end)
                    ),
                    None,
                )
        if detail is None:
            detail = DetailRec(None)
            link.details.append(detail)
        return detail

    def _place(
        self,
        stage: Stage,
        student_id: int,
        number: str,
        kind: Any,
        priority: int | None,
        row: ParsedRow,
    ) -> None:
        """Rules 2, 5 and 11: the contact's slot among the student's contacts."""
        view = self._view(stage, student_id)
        key = stage.contact.key
        slot = view.slots.get(key)
        if slot is None:
            top = max((s.priority for s in view.slots.values()), default=0)
            slot = Slot(None, top + 1, "")
            stage.add_slot(view, key, slot)
            fresh = True
        else:
            fresh = False
        if kind is not None:
            wanted = "" if kind is CLEAR else kind
            holder = next(
                (
                    k
                    for k, s in view.slots.items()
                    if k != key and wanted and s.original_type == wanted
                ),
                None,
            )
            if holder is not None:
                stage.error(
                    row,
                    f"OriginalContactType {wanted!r}: student {number!r} already has a "
                    f"{wanted} contact",
                )
                return
            stage.set_slot(slot, "original_type", wanted)
        if priority is None or (priority == slot.priority and not fresh):
            if priority is not None:
                stage.claim(view, priority, (key, row.number))
            return
        claim = view.claimed.get(priority)
        if claim is not None and claim[0] != key:
            stage.error(
                row,
                f"ContactPriorityOrder '{priority}': row {claim[1]} already puts another contact "
                f"at that position for student {number!r}",
            )
            return
        others = [s for k, s in view.slots.items() if k != key]
        if any(s.priority == priority for s in others):
            # Rule 11: the contact takes position N; those at N and after move down by one.
            for other in others:
                if other.priority >= priority:
                    stage.set_slot(other, "priority", other.priority + 1)
        stage.set_slot(slot, "priority", priority)
        stage.claim(view, priority, (key, row.number))

    # -- accepting the group -----------------------------------------------------------------

    def _release_account(self, key: ContactKey, account: AccountRec) -> None:
        world = self.world
        if world.usernames.get(account.username.lower()) == key:
            del world.usernames[account.username.lower()]
        if account.email and world.account_emails.get(account.email.lower()) == key:
            del world.account_emails[account.email.lower()]
        if account.id is not None:
            world.deleted["account"].append(account.id)

    def _commit(self, stage: Stage, original: ContactRec | None) -> Outcome:
        world = self.world
        contact = stage.contact
        outcome: Outcome = "added"
        if original is not None:
            outcome = "updated" if self._changed(stage, original) else "unchanged"
            if original.account is not None:
                old = original.account
                if world.usernames.get(old.username.lower()) == contact.key:
                    del world.usernames[old.username.lower()]
                if old.email and world.account_emails.get(old.email.lower()) == contact.key:
                    del world.account_emails[old.email.lower()]
        if contact.account is not None:
            world.usernames[contact.account.username.lower()] = contact.key
            if contact.account.email:
                world.account_emails[contact.account.email.lower()] = contact.key
        world.contacts[contact.key] = contact
        world.phones.update(stage.new_phones)
        for key, sms in stage.sms.items():
            world.phones[key].is_sms = sms
        for kind, ids in stage.deleted.items():
            world.deleted[kind].extend(ids)
        return outcome

    def _changed(self, stage: Stage, original: ContactRec) -> bool:
        contact = stage.contact
        if stage.deleted or stage.new_phones or contact.values() != original.values():
            return True
        for key, sms in stage.sms.items():
            if self.world.phones[key].is_sms != sms:
                return True
        lists: tuple[tuple[list[Any], list[Any]], ...] = (
            (contact.emails, original.emails),
            (contact.phones, original.phones),
            (contact.addresses, original.addresses),
        )
        for mine, theirs in lists:
            if len(mine) != len(theirs) or any(
                a.id != b.id or a.values() != b.values() for a, b in zip(mine, theirs, strict=True)
            ):
                return True
        if (contact.account is None) != (original.account is None):
            return True
        if (
            contact.account is not None
            and original.account is not None
            and contact.account.values() != original.account.values()
        ):
            return True
        if contact.links.keys() != original.links.keys():
            return True
        for sid, link in contact.links.items():
            theirs_details = original.links[sid].details
            if len(link.details) != len(theirs_details) or any(
                a.id != b.id or a.values() != b.values()
                for a, b in zip(link.details, theirs_details, strict=True)
            ):
                return True
        return stage.slots_changed
