"""What the database holds about everything a file refers to, loaded in a few queries.

The planner works on these plain records in memory: each group changes a copy of its
contact, and the copy replaces the original only if the whole group is accepted. Every record
remembers the values it was loaded with so the writer can tell what to insert, update or
delete without asking the database again.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F

from tutela.accounts.models import Account
from tutela.core.bulk import CHUNK, AnyOf, chunks, one_of
from tutela.imports.contacts.columns import DETAIL_FLAGS
from tutela.imports.contacts.validation import ParsedRow
from tutela.people.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Phone,
    Student,
    StudentContact,
    StudentContactDetail,
)

R = TypeVar("R", bound="Record")

# A contact is known by its id, or for one this file creates, by "new:<Identifier>".
ContactKey = int | str
# Who holds a position a group of an earlier slice of the file claimed: always another
# contact than any group of this slice's (a contact is in one group of a file).
EARLIER: ContactKey = "earlier slice"


def fetch_in(sql: str, values: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql`` (whose ``{in_list}`` takes ``values``), a few thousand at a time.

    Plain SQL for the look-ups whose columns need no conversion: rows come back as the
    driver's tuples, without the ORM's per-row work.
    """
    # PostgreSQL takes the keys as one array, so a batch can be ten times bigger.
    size = 50_000 if connection.vendor == "postgresql" else CHUNK
    with connection.cursor() as cursor:
        for batch in chunks(values, size):
            test, params = one_of(connection, batch)
            cursor.execute(sql.format(in_list=test), params)
            yield from cursor.fetchall()


@contextmanager
def by_index() -> Iterator[None]:
    """Answer the look-ups made inside through the indexes of their keys, on PostgreSQL.

    A slice's look-ups name a few thousand keys, in tables that a big import fills in the same
    transaction. The planner prices each index probe as a read from disk and chose to read the
    whole table instead, in every slice: at a million students the resolve took 43 times the
    time it took at 100,000, the tables ten times bigger and the slices ten times as many.
    Probing the index costs a slice the same whatever the table's size. ``SET LOCAL``: if the
    import fails inside, its transaction's rollback undoes the setting.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
        )
        before = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


class Record:
    """A row held in memory; ``orig`` is its loaded values (``None`` for a new row)."""

    __slots__ = ()
    FIELDS: tuple[str, ...] = ()
    _get: Callable[[Any], Any] = staticmethod(lambda self: ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.FIELDS:
            getter = operator.attrgetter(*cls.FIELDS)
            if len(cls.FIELDS) == 1:
                cls._get = staticmethod(lambda self: (getter(self),))
            else:
                cls._get = staticmethod(getter)

    def values(self) -> tuple[Any, ...]:
        result: tuple[Any, ...] = self._get(self)
        return result

    def copy(self: R) -> R:
        """A shallow copy: ``copy.copy`` goes through ``__reduce_ex__``, three times slower,
        and a re-import copies every record of every contact."""
        twin = object.__new__(type(self))
        names: tuple[str, ...] = self.__slots__
        for name in names:
            object.__setattr__(twin, name, getattr(self, name))
        return twin

    def changed(self) -> bool:
        orig: tuple[Any, ...] | None = getattr(self, "orig")  # noqa: B009
        return orig is not None and orig != self.values()


@dataclass(slots=True, eq=False)
class PhoneRec(Record):
    """A shared phone record (one per digits and extension)."""

    id: int | None
    number: str
    digits: str
    extension: str
    is_sms: bool
    orig: tuple[Any, ...] | None = None
    FIELDS = ("is_sms",)


@dataclass(slots=True, eq=False)
class EmailRec(Record):
    id: int | None
    address: str
    email_type_id: int | None
    is_primary: bool
    order: int
    orig: tuple[Any, ...] | None = None
    FIELDS = ("address", "email_type_id", "is_primary", "order")


@dataclass(slots=True, eq=False)
class ContactPhoneRec(Record):
    id: int | None
    phone: PhoneRec
    phone_type_id: int | None
    priority_order: int
    is_preferred: bool
    orig: tuple[Any, ...] | None = None
    FIELDS = ("phone", "phone_type_id", "priority_order", "is_preferred")


@dataclass(slots=True, eq=False)
class AddressRec(Record):
    """A contact's address link and its address record, held together."""

    id: int | None
    address_id: int | None
    street: str
    line_two: str = ""
    unit: str = ""
    city: str = ""
    state_id: int | None = None
    postal_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_type_id: int | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    priority_order: int = 0
    orig: tuple[Any, ...] | None = None
    ADDRESS_FIELDS = (
        "street",
        "line_two",
        "unit",
        "city",
        "state_id",
        "postal_code",
        "latitude",
        "longitude",
    )
    LINK_FIELDS = ("address_type_id", "start_date", "end_date", "priority_order")
    FIELDS = ADDRESS_FIELDS + LINK_FIELDS

    def address_changed(self) -> bool:
        return self.orig is not None and self.orig[:8] != self.values()[:8]

    def link_changed(self) -> bool:
        return self.orig is not None and self.orig[8:] != self.values()[8:]


@dataclass(slots=True, eq=False)
class DetailRec(Record):
    id: int | None
    relationship_type_id: int | None = None
    relationship_note: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    has_custody: bool = False
    lives_with: bool = False
    allow_school_pickup: bool = False
    is_emergency_contact: bool = False
    receives_mailings: bool = False
    allow_data_access: bool = False
    orig: tuple[Any, ...] | None = None
    FIELDS = ("relationship_type_id", "relationship_note", "start_date", "end_date", *DETAIL_FLAGS)


@dataclass(slots=True, eq=False)
class LinkRec:
    """A contact's link to a student; its priority and type live in the student's view."""

    id: int | None
    student_id: int
    details: list[DetailRec] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class AccountRec(Record):
    id: int | None
    username: str
    email: str
    is_active: bool
    state_guardian_number: str
    orig: tuple[Any, ...] | None = None
    FIELDS = ("username", "email", "is_active", "state_guardian_number")


@dataclass(slots=True, eq=False)
class ContactRec(Record):
    id: int | None
    key: ContactKey
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    prefix_id: int | None = None
    suffix_id: int | None = None
    gender_id: int | None = None
    state_contact_id: str = ""
    employer: str = ""
    exclude_from_state_reporting: bool = True
    is_active: bool = False
    orig: tuple[Any, ...] | None = None
    emails: list[EmailRec] = field(default_factory=list)
    phones: list[ContactPhoneRec] = field(default_factory=list)
    addresses: list[AddressRec] = field(default_factory=list)
    links: dict[int, LinkRec] = field(default_factory=dict)
    account: AccountRec | None = None
    FIELDS = (
        "last_name",
        "first_name",
        "middle_name",
        "prefix_id",
        "suffix_id",
        "gender_id",
        "state_contact_id",
        "employer",
        "exclude_from_state_reporting",
        "is_active",
    )

    def clone(self) -> ContactRec:
        """A copy whose child records can be changed without touching this one."""
        twin = self.copy()
        twin.emails = [e.copy() for e in self.emails]
        twin.phones = [p.copy() for p in self.phones]
        twin.addresses = [a.copy() for a in self.addresses]
        twin.links = {
            sid: LinkRec(link.id, link.student_id, [d.copy() for d in link.details])
            for sid, link in self.links.items()
        }
        twin.account = None if self.account is None else self.account.copy()
        return twin


@dataclass(slots=True)
class Slot:
    """One contact's place among a student's contacts."""

    link_id: int | None
    priority: int
    original_type: str


@dataclass(slots=True)
class StudentView:
    """A student's contacts in order, with the priorities this file has set explicitly."""

    slots: dict[ContactKey, Slot] = field(default_factory=dict)
    claimed: dict[int, tuple[ContactKey, int]] = field(default_factory=dict)  # by row


@dataclass
class World:
    """Everything the planner needs, and the deletions and creations accepted so far."""

    contacts: dict[ContactKey, ContactRec] = field(default_factory=dict)
    students: dict[str, int] = field(default_factory=dict)
    student_numbers: dict[int, str] = field(default_factory=dict)
    views: dict[int, StudentView] = field(default_factory=dict)
    link_orig: dict[int, tuple[int, str]] = field(default_factory=dict)
    phones: dict[tuple[str, str], PhoneRec] = field(default_factory=dict)
    usernames: dict[str, ContactKey] = field(default_factory=dict)
    account_emails: dict[str, ContactKey] = field(default_factory=dict)
    deleted: dict[str, list[int]] = field(
        default_factory=lambda: {
            "contact": [],
            "email": [],
            "contact_phone": [],
            "contact_address": [],
            "address": [],
            "link": [],
            "detail": [],
            "account": [],
        }
    )

    def release_names(self, key: ContactKey, account: AccountRec) -> None:
        """The account's username and email are free again, if ``key`` is who holds them."""
        if self.usernames.get(account.username.lower()) == key:
            del self.usernames[account.username.lower()]
        if account.email and self.account_emails.get(account.email.lower()) == key:
            del self.account_emails[account.email.lower()]

    def view(self, student_id: int) -> StudentView:
        found = self.views.get(student_id)
        if found is None:
            found = self.views[student_id] = StudentView()
        return found


def load_world(rows: list[ParsedRow]) -> World:
    """Load the contacts, students, phones and accounts ``rows`` name, in a few queries."""
    world = World()
    ids: set[int] = set()
    numbers: set[str] = set()
    digits: set[str] = set()
    usernames: set[str] = set()
    emails: set[str] = set()
    for row in rows:
        if row.key[0] == "id" and row.key[1].isdigit() and not row.errors:
            ids.add(int(row.key[1]))  # an ID too big for the database is a row error
        if row.student is not None and isinstance(row.student.student_number, str):
            numbers.add(row.student.student_number)
        if row.phone is not None and row.phone.digits:
            digits.add(row.phone.digits)
        username = row.account.get("account_username")
        if isinstance(username, str):
            usernames.add(username.lower())
        email = row.account.get("account_email")
        if isinstance(email, str):
            emails.add(email.lower())
    _load_contacts(world, ids)
    students = Student._meta.db_table
    for pk, number in fetch_in(
        f"SELECT id, student_number FROM {students} WHERE student_number {{in_list}}",  # noqa: S608
        sorted(numbers),
    ):
        world.students[number] = pk
        world.student_numbers[pk] = number
    student_ids = set(world.student_numbers)
    for contact in world.contacts.values():
        student_ids.update(contact.links)
    # Students a row reaches only by StudentContactAssocID: their numbers, for messages.
    for pk, number in fetch_in(
        f"SELECT id, student_number FROM {students} WHERE id {{in_list}}",  # noqa: S608
        sorted(student_ids - world.student_numbers.keys()),
    ):
        world.student_numbers[pk] = number
    _load_views(world, student_ids)
    phones = Phone._meta.db_table
    for pk, number, digit, ext, sms in fetch_in(
        f"SELECT id, number, digits, extension, is_sms FROM {phones} "  # noqa: S608
        "WHERE digits {in_list}",
        sorted(digits),
    ):
        if (digit, ext) not in world.phones:
            world.phones[(digit, ext)] = PhoneRec(pk, number, digit, ext, bool(sms), (bool(sms),))
    _load_accounts(world, usernames, emails)
    return world


def _load_contacts(world: World, ids: set[int]) -> None:
    contacts: dict[ContactKey, ContactRec] = {}
    for batch in chunks(sorted(ids)):
        for values in Contact.objects.filter(AnyOf(F("pk"), batch)).values_list(
            "pk", *ContactRec.FIELDS
        ):
            rec = ContactRec(values[0], values[0], *values[1:])
            rec.orig = rec.values()
            contacts[rec.id] = rec  # type: ignore[index]
    found = sorted(k for k in contacts if isinstance(k, int))
    for batch in chunks(found):
        for pk, cid, address, type_id, primary, order in (
            ContactEmail.objects.filter(AnyOf(F("contact_id"), batch))
            .order_by("order", "pk")
            .values_list("pk", "contact_id", "address", "email_type_id", "is_primary", "order")
        ):
            email = EmailRec(pk, address, type_id, primary, order)
            email.orig = email.values()
            contacts[cid].emails.append(email)
        for pk, cid, phone_id, number, digit, ext, sms, type_id, priority, preferred in (
            ContactPhone.objects.filter(AnyOf(F("contact_id"), batch))
            .order_by("priority_order", "pk")
            .values_list(
                "pk",
                "contact_id",
                "phone_id",
                "phone__number",
                "phone__digits",
                "phone__extension",
                "phone__is_sms",
                "phone_type_id",
                "priority_order",
                "is_preferred",
            )
        ):
            shared = world.phones.get((digit, ext))
            if shared is None:
                shared = world.phones[(digit, ext)] = PhoneRec(
                    phone_id, number, digit, ext, sms, (sms,)
                )
            link = ContactPhoneRec(pk, shared, type_id, priority, preferred)
            link.orig = link.values()
            contacts[cid].phones.append(link)
        for values in (
            ContactAddress.objects.filter(AnyOf(F("contact_id"), batch))
            .order_by("priority_order", "pk")
            .values_list(
                "pk",
                "contact_id",
                "address_id",
                *(f"address__{name}" for name in AddressRec.ADDRESS_FIELDS),
                *AddressRec.LINK_FIELDS,
            )
        ):
            place = AddressRec(values[0], values[2], *values[3:])
            place.orig = place.values()
            contacts[values[1]].addresses.append(place)
        links: dict[int, LinkRec] = {}
        for pk, cid, sid in StudentContact.objects.filter(
            AnyOf(F("contact_id"), batch)
        ).values_list("pk", "contact_id", "student_id"):
            links[pk] = contacts[cid].links[sid] = LinkRec(pk, sid)
        for batch_links in chunks(sorted(links)):
            for values in (
                StudentContactDetail.objects.filter(AnyOf(F("link_id"), batch_links))
                .order_by("pk")
                .values_list("pk", "link_id", *DetailRec.FIELDS)
            ):
                detail = DetailRec(values[0], *values[2:])
                detail.orig = detail.values()
                links[values[1]].details.append(detail)
        for values in Account.objects.filter(AnyOf(F("contact_id"), batch)).values_list(
            "pk", "contact_id", *AccountRec.FIELDS
        ):
            account = AccountRec(values[0], *values[2:])
            account.orig = account.values()
            contacts[values[1]].account = account
            world.usernames[account.username.lower()] = values[1]
            if account.email:
                world.account_emails[account.email.lower()] = values[1]
    world.contacts.update(contacts)


def _load_views(world: World, student_ids: set[int]) -> None:
    links = StudentContact._meta.db_table
    for pk, sid, cid, priority, kind in fetch_in(
        "SELECT id, student_id, contact_id, contact_priority_order, original_contact_type "  # noqa: S608
        f"FROM {links} WHERE student_id {{in_list}}",
        sorted(student_ids),
    ):
        world.view(sid).slots[cid] = Slot(pk, priority, kind)
        world.link_orig[pk] = (priority, kind)


def _load_accounts(world: World, usernames: set[str], emails: set[str]) -> None:
    """Every account that signs in with a username or email the file names, whoever owns it:
    a new username may not be another account's email either, nor a new email its username."""
    table = Account._meta.db_table
    seen: set[int] = set()
    names = sorted(usernames | emails)
    # The unique index of account emails leaves out blank ones: saying so lets the database use
    # it (without, every slice of a big import read the whole accounts table). Said as the
    # index says it (``~Q(email="")``): SQLite uses a partial index only for a query that repeats
    # its condition, and ``email <> ''`` does not.
    for column, indexed in (("username", ""), ("email", " AND NOT (email = '')")):
        for pk, cid, username, email in fetch_in(
            f"SELECT id, contact_id, username, email FROM {table} "  # noqa: S608
            f"WHERE lower({column}) {{in_list}}{indexed}",
            names,
        ):
            if pk in seen:
                continue
            seen.add(pk)
            if cid is not None and cid in world.contacts:
                continue  # already known with its contact
            owner: ContactKey = cid if cid is not None else f"account:{pk}"
            world.usernames.setdefault(username.lower(), owner)
            if email:
                world.account_emails.setdefault(email.lower(), owner)
