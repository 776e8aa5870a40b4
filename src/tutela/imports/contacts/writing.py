"""Writing the accepted groups: deletions, then inserts in bulk, then updates in bulk.

Unique rules (one primary email, one contact per priority and per original type for a student,
usernames and account emails) hold for the final state but may not hold half-way through a
bulk update, so records whose unique values change are first moved out of the way (phase 1)
and given their final values after the inserts (phase 2).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.utils import timezone

from tutela.accounts.models import Account
from tutela.accounts.services import imported_password
from tutela.core.bulk import insert_rows
from tutela.imports.contacts.state import (
    AccountRec,
    AddressRec,
    ContactPhoneRec,
    ContactRec,
    DetailRec,
    EmailRec,
    LinkRec,
    World,
    chunks,
)
from tutela.people.models import (
    Address,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Phone,
    StudentContact,
    StudentContactDetail,
)

SHIFT = 1_000_000
BATCH = 1000


def _delete(model: type[models.Model], ids: Sequence[int]) -> None:
    for batch in chunks(sorted(set(ids))):
        model._default_manager.filter(pk__in=batch).delete()


def _update(model: type[models.Model], pk_values: list[tuple[Any, dict[str, Any]]]) -> None:
    """Bulk updates grouped by the set of fields that change."""
    by_fields: dict[tuple[str, ...], list[models.Model]] = {}
    for pk, values in pk_values:
        obj = model(pk=pk)
        for name, value in values.items():
            setattr(obj, name, value)
        by_fields.setdefault(tuple(sorted(values)), []).append(obj)
    for fields, objs in by_fields.items():
        model._default_manager.bulk_update(objs, list(fields), batch_size=BATCH)


def _diff(rec: Any, mapping: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields of ``rec`` whose values differ from those loaded, by model attname."""
    changed = {}
    for name, old, new in zip(rec.FIELDS, rec.orig, rec.values(), strict=True):
        if old != new:
            changed[(mapping or {}).get(name, name)] = new
    return changed


class Writer:
    """Turns the planner's final state into as few statements as possible."""

    def __init__(
        self,
        world: World,
        timings: dict[str, float] | None = None,
        phase: Callable[[str], None] | None = None,
    ) -> None:
        self.world = world
        self.timings = timings if timings is not None else {}
        self.phase = phase

    def _timed(self, name: str, action: Callable[[], None]) -> None:
        start = time.perf_counter()
        action()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def insert(
        self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> list[int]:
        start = time.perf_counter()
        ids = insert_rows(model, fields, rows)
        name = f"  insert {model._meta.model_name}"
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        if self.phase:
            self.phase(f"writing: {model._meta.model_name} inserted")
        return ids

    def write(self) -> None:
        if self.phase:
            self.phase("writing")
        self._timed("write: delete", self._deletes)
        self._timed("write: make room", self._phase_one)
        self._timed("write: insert", self._inserts)
        self._timed("write: update", self._updates)

    # -- deletions ---------------------------------------------------------------------------

    def _deletes(self) -> None:
        deleted = self.world.deleted
        _delete(Account, deleted["account"])
        _delete(StudentContactDetail, deleted["detail"])
        _delete(StudentContact, deleted["link"])
        _delete(ContactEmail, deleted["email"])
        _delete(ContactPhone, deleted["contact_phone"])
        _delete(ContactAddress, deleted["contact_address"])
        _delete(Contact, deleted["contact"])
        # An address record goes once no contact uses it any more.
        for batch in chunks(sorted(set(deleted["address"]))):
            Address.objects.filter(pk__in=batch, contact_links__isnull=True).delete()

    # -- phase 1: out of the way -------------------------------------------------------------

    def _phase_one(self) -> None:
        emails: list[tuple[int, dict[str, Any]]] = []
        accounts: list[tuple[int, dict[str, Any]]] = []
        for contact in self.world.contacts.values():
            for email in contact.emails:
                if email.id is not None and email.changed():
                    values: dict[str, Any] = {"is_primary": False}
                    if email.address != email.orig[0]:  # type: ignore[index]
                        values["address"] = f"#import#{email.id}"
                    emails.append((email.id, values))
            account = contact.account
            if account is not None and account.id is not None and account.changed():
                values = {}
                if account.username != account.orig[0]:  # type: ignore[index]
                    values["username"] = f"#import#{account.id}"
                if account.email != account.orig[1]:  # type: ignore[index]
                    values["email"] = ""
                if values:
                    accounts.append((account.id, values))
        links: list[tuple[int, dict[str, Any]]] = []
        for view in self.world.views.values():
            for slot in view.slots.values():
                if slot.link_id is None:
                    continue
                old_priority, old_type = self.world.link_orig[slot.link_id]
                values = {}
                if slot.priority != old_priority:
                    values["contact_priority_order"] = SHIFT + slot.priority
                if slot.original_type != old_type:
                    values["original_contact_type"] = ""
                if values:
                    links.append((slot.link_id, values))
        _update(ContactEmail, emails)
        _update(Account, accounts)
        _update(StudentContact, links)

    # -- inserts -----------------------------------------------------------------------------

    def _inserts(self) -> None:
        world = self.world
        contacts = [c for c in world.contacts.values() if c.id is None]
        ids = self.insert(Contact, ContactRec.FIELDS, [c.values() for c in contacts])
        for contact, pk in zip(contacts, ids, strict=True):
            contact.id = pk
        phones = [p for p in world.phones.values() if p.id is None]
        ids = self.insert(
            Phone,
            ("number", "digits", "extension", "is_sms"),
            [(p.number, p.digits, p.extension, p.is_sms) for p in phones],
        )
        for phone, pk in zip(phones, ids, strict=True):
            phone.id = pk
        every = list(world.contacts.values())
        new_addresses: list[tuple[int | None, AddressRec]] = [
            (c.id, a) for c in every for a in c.addresses if a.id is None
        ]
        ids = self.insert(
            Address,
            AddressRec.ADDRESS_FIELDS,
            [a.values()[:8] for _, a in new_addresses],
        )
        for (_, address), pk in zip(new_addresses, ids, strict=True):
            address.address_id = pk
        ids = self.insert(
            ContactAddress,
            ("contact_id", "address_id", *AddressRec.LINK_FIELDS),
            [(cid, a.address_id, *a.values()[8:]) for cid, a in new_addresses],
        )
        for (_, address), pk in zip(new_addresses, ids, strict=True):
            address.id = pk
        new_emails: list[tuple[int | None, EmailRec]] = [
            (c.id, e) for c in every for e in c.emails if e.id is None
        ]
        ids = self.insert(
            ContactEmail,
            ("contact_id", *EmailRec.FIELDS),
            [(cid, *e.values()) for cid, e in new_emails],
        )
        for (_, email), pk in zip(new_emails, ids, strict=True):
            email.id = pk
        new_phone_links: list[tuple[int | None, ContactPhoneRec]] = [
            (c.id, p) for c in every for p in c.phones if p.id is None
        ]
        ids = self.insert(
            ContactPhone,
            ("contact_id", "phone_id", "phone_type_id", "priority_order", "is_preferred"),
            [
                (cid, p.phone.id, p.phone_type_id, p.priority_order, p.is_preferred)
                for cid, p in new_phone_links
            ],
        )
        for (_, link), pk in zip(new_phone_links, ids, strict=True):
            link.id = pk
        self._insert_links(every)
        self._insert_accounts(every)

    def _insert_links(self, every: list[ContactRec]) -> None:
        world = self.world
        new_links: list[tuple[ContactRec, LinkRec]] = [
            (c, link) for c in every for link in c.links.values() if link.id is None
        ]
        rows = []
        for contact, link in new_links:
            slot = world.views[link.student_id].slots[contact.key]
            rows.append((link.student_id, contact.id, slot.priority, slot.original_type))
        ids = self.insert(
            StudentContact,
            ("student_id", "contact_id", "contact_priority_order", "original_contact_type"),
            rows,
        )
        for (contact, link), pk in zip(new_links, ids, strict=True):
            link.id = pk
            world.views[link.student_id].slots[contact.key].link_id = pk
        new_details: list[tuple[int | None, DetailRec]] = [
            (link.id, d)
            for c in every
            for link in c.links.values()
            for d in link.details
            if d.id is None
        ]
        ids = self.insert(
            StudentContactDetail,
            ("link_id", *DetailRec.FIELDS),
            [(lid, *d.values()) for lid, d in new_details],
        )
        for (_, detail), pk in zip(new_details, ids, strict=True):
            detail.id = pk

    def _insert_accounts(self, every: list[ContactRec]) -> None:
        new_accounts: list[tuple[ContactRec, AccountRec]] = [
            (c, c.account) for c in every if c.account is not None and c.account.id is None
        ]
        now = timezone.now()
        # Without the district's default password no password is set: "!" marks it unusable
        # until the parent activates or resets.
        default = imported_password() if new_accounts else None
        ids = self.insert(
            Account,
            (
                "contact_id",
                "username",
                "email",
                "is_active",
                "state_guardian_number",
                "first_name",
                "last_name",
                "password",
                "date_joined",
                "is_imported",
                "must_change_password",
            ),
            [
                (
                    c.id,
                    a.username,
                    a.email,
                    a.is_active,
                    a.state_guardian_number,
                    c.first_name[:150],
                    c.last_name[:150],
                    default[0] if default else "!" + secrets.token_hex(20),
                    now,
                    True,
                    default[1] if default else False,
                )
                for c, a in new_accounts
            ],
        )
        for (_, account), pk in zip(new_accounts, ids, strict=True):
            account.id = pk

    # -- updates -----------------------------------------------------------------------------

    def _updates(self) -> None:
        world = self.world
        Changes = list[tuple[Any, dict[str, Any]]]
        contacts: Changes = []
        emails: Changes = []
        phone_links: Changes = []
        addresses: Changes = []
        address_links: Changes = []
        details: Changes = []
        accounts: Changes = []
        codes = {"prefix_id": "prefix_id", "suffix_id": "suffix_id", "gender_id": "gender_id"}
        for contact in world.contacts.values():
            if contact.orig is None:
                continue
            if contact.changed():
                contacts.append((contact.id, _diff(contact, codes)))
            for email in contact.emails:
                if email.id is not None and email.orig is not None and email.changed():
                    values = dict(zip(EmailRec.FIELDS, email.values(), strict=True))
                    emails.append((email.id, values))
            for phone in contact.phones:
                if phone.orig is not None and phone.changed():
                    values = _diff(phone)
                    if "phone" in values:
                        values["phone_id"] = values.pop("phone").id
                    phone_links.append((phone.id, values))
            for address in contact.addresses:
                if address.orig is None:
                    continue
                if address.address_changed():
                    values = {
                        k: v for k, v in _diff(address).items() if k in AddressRec.ADDRESS_FIELDS
                    }
                    addresses.append((address.address_id, values))
                if address.link_changed():
                    values = {
                        k: v for k, v in _diff(address).items() if k in AddressRec.LINK_FIELDS
                    }
                    address_links.append((address.id, values))
            for link in contact.links.values():
                for detail in link.details:
                    if detail.orig is not None and detail.changed():
                        details.append((detail.id, _diff(detail)))
            account = contact.account
            if account is not None and account.orig is not None and account.changed():
                accounts.append((account.id, _diff(account)))
        links: list[tuple[int, dict[str, Any]]] = []
        for view in world.views.values():
            for slot in view.slots.values():
                if slot.link_id is None or slot.link_id not in world.link_orig:
                    continue
                if (slot.priority, slot.original_type) != world.link_orig[slot.link_id]:
                    links.append(
                        (
                            slot.link_id,
                            {
                                "contact_priority_order": slot.priority,
                                "original_contact_type": slot.original_type,
                            },
                        )
                    )
        phones = [
            (p.id, {"is_sms": p.is_sms})
            for p in world.phones.values()
            if p.orig is not None and p.changed()
        ]
        _update(Contact, contacts)
        _update(Phone, phones)
        _update(Address, addresses)
        _update(ContactAddress, address_links)
        _update(ContactEmail, emails)
        _update(ContactPhone, phone_links)
        _update(StudentContact, links)
        _update(StudentContactDetail, details)
        _update(Account, accounts)
