"""``tutela import edfi PATH``: schools, students, contacts and links from Ed-Fi XML.

Each record that becomes something in Tutela is one row of the run, named by its file and
line: a ``School``, a ``Student``, a ``Contact`` (or 3.x ``Parent``) and a
``StudentContactAssociation`` (or ``StudentParentAssociation``). Rows are independent: a
bad record is rejected alone, and a bad value inside a good one (an email that is not an
address) is left out with a warning while the rest imports.

A student's school is its ``StudentSchoolAssociation``, else the school most of its
attendance events name, else ``--school N``. Descriptors map to the district's code sets by
their code value, ignoring case; one a code set lacks leaves its field unset and is counted in
``unmapped_descriptors``. Students are written by the students import's own rules
(``StudentImporter.apply``).
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from tutela.core.audit import account_of, actor_name
from tutela.core.bulk import CHUNK, chunks
from tutela.core.columns import ColumnMap
from tutela.core.emails import email_problem
from tutela.core.phones import phone_digits
from tutela.core.tabular import FileProblem, Table
from tutela.imports.edfi.reading import (
    ASSOCIATION,
    PERSON,
    Interchanges,
    Record,
    descriptor_value,
    read_interchanges,
)
from tutela.imports.engine import CheckedRow, Group, ImportContext, ImportKind, Touch, value_of
from tutela.imports.students import StudentImporter, StudentRow
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.details import pick_active_detail
from tutela.people.models import (
    Address,
    CodeType,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    LinkRestriction,
    Phone,
    RestrictionKind,
    School,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.people.services import unique_id_problem

HEADERS = ["Element", "File", "Line", "ID"]
NAME_MAX = Contact._meta.get_field("last_name").max_length or 100
EMAIL_MAX = ContactEmail._meta.get_field("address").max_length or 254
NOTE_MAX = StudentContact._meta.get_field("restricted_note").max_length or 500
TRUE = {"true", "1"}


@dataclass(frozen=True)
class SchoolValue:
    school_number: str
    name: str


@dataclass(frozen=True)
class EmailValue:
    address: str
    email_type: int | None
    is_primary: bool


@dataclass(frozen=True)
class PhoneValue:
    number: str
    digits: str
    phone_type: int | None
    is_sms: bool


@dataclass(frozen=True)
class AddressValue:
    street: str
    line_two: str
    city: str
    state: int | None
    postal_code: str
    address_type: int | None


@dataclass(frozen=True)
class ContactValue:
    unique_id: str
    first_name: str
    middle_name: str
    last_name: str
    prefix: int | None
    gender: int | None
    emails: tuple[EmailValue, ...]
    phones: tuple[PhoneValue, ...]
    addresses: tuple[AddressValue, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class LinkValue:
    student_number: str
    contact_unique_id: str
    relationship: int | None
    priority: int | None
    lives_with: bool
    emergency: bool
    custody: bool
    primary: bool
    restricted: bool
    note: str


Value = SchoolValue | StudentRow | ContactValue | LinkValue
Checked = CheckedRow[Value]


class EdfiTable(Table):
    """The records of the interchanges as rows: their element, file, line and ID."""

    def __init__(self, path: Path, found: Interchanges) -> None:
        self.found = found
        records = found.records
        rows = (
            (n, [r.element, r.place.file, str(r.place.line), _identity(r)])
            for n, r in enumerate(records, start=1)
        )
        super().__init__(path, list(HEADERS), rows, lambda n: str(records[n - 1].place))


def _identity(record: Record) -> str:
    if record.element == "School":
        return record.get("SchoolId")
    if record.element == "Student":
        return record.get("StudentUniqueId")
    if record.element in PERSON:
        return record.get(f"{record.element}UniqueId")
    if record.element == "StudentSchoolAssociation":
        return record.get("StudentReference/StudentIdentity/StudentUniqueId")
    return ""


class EdfiImporter(ImportKind[Checked]):
    """Schools, students, contacts and their links from Ed-Fi interchanges."""

    kind = "edfi"
    fields = tuple(HEADERS)
    counter_names = (
        "schools_added",
        "students_added",
        "students_updated",
        "contacts_added",
        "contacts_updated",
        "links_added",
        "links_updated",
    )
    one_row_per_group = True
    related_rows = False
    lists = ("unmapped_descriptors",)
    spreadsheet = False
    upload_suffixes = (".zip", ".xml")

    def __init__(self) -> None:
        self._found = Interchanges()
        self._unmapped: Counter[tuple[str, str]] = Counter()

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--school",
            metavar="N",
            help="the school (its number) of students the files give no school for",
        )

    def options_from(self, given: Mapping[str, Any]) -> dict[str, Any]:
        return {"school": (given.get("school") or "").strip() or None}

    def read(self, path: Path) -> Table:
        return EdfiTable(path, read_interchanges(path))

    def columns(self, table: Table, context: ImportContext) -> tuple[Table, ColumnMap]:
        assert isinstance(table, EdfiTable)
        self._found = table.found
        return table, ColumnMap(
            {name: i for i, name in enumerate(HEADERS)}, {n: n for n in HEADERS}
        )

    def reader(
        self, columns: ColumnMap, context: ImportContext
    ) -> Callable[[int, list[str]], Checked]:
        found = self._found
        book = CodeBook.load()
        unmapped: Counter[tuple[str, str]] = Counter()
        context.result.lists["unmapped_descriptors"] = []
        school_names = {
            r.get("SchoolId"): r.get("NameOfInstitution")
            for r in found.records
            if r.element == "School" and r.get("SchoolId")
        }
        fallback: str | None = context.options.get("school")
        if (
            fallback
            and fallback not in school_names
            and not School.objects.filter(school_number=fallback).exists()
        ):
            raise FileProblem(
                f"--school {fallback}: is not a school of the district nor of the files"
            )
        enrolled = {
            r.get("StudentReference/StudentIdentity/StudentUniqueId"): r.get(
                "SchoolReference/SchoolIdentity/SchoolId"
            )
            for r in found.records
            if r.element == "StudentSchoolAssociation"
        }
        attended: dict[str, Counter[str]] = defaultdict(Counter)
        for (student, school), count in found.attendance.items():
            attended[student][school] += count
        by_ref = {r.ref_id: r for r in found.records if r.element in PERSON and r.ref_id}

        def code(code_type: CodeType, text: str, what: str) -> int | None:
            if not text:
                return None
            try:
                return book.match(code_type, descriptor_value(text)).pk
            except CodeProblem:
                unmapped[(what, text)] += 1
                return None

        def read(number: int, cells: list[str]) -> Checked:
            record = found.records[number - 1]
            if record.element == "School":
                return _school(number, record)
            if record.element == "Student":
                return _student(number, record, enrolled, attended, fallback, school_names)
            if record.element in PERSON:
                return _contact(number, record, code)
            if record.element in ASSOCIATION:
                return _link(number, record, by_ref, code)
            # A StudentSchoolAssociation: read for its student's school.
            return CheckedRow(number, ("enrollment", number), f"enrollment {cells[3]}", [], None)

        self._unmapped = unmapped
        return read

    def conflict(self, first: Checked, later: Checked) -> str | None:
        if first.value == later.value:
            return None
        where = _where(self._found, first.number)
        return f"{later.label} already appears at {where} with other values"

    def apply(self, groups: list[Group[Checked]], context: ImportContext) -> None:
        context.result.lists["unmapped_descriptors"] = [
            {"descriptor": text, "code_set": what, "count": count}
            for (what, text), count in sorted(self._unmapped.items())
        ]
        parts: dict[type, list[Group[Checked]]] = defaultdict(list)
        for group in groups:
            value = group.checked[0].value
            if value is None:
                group.done("skipped", "read for its student's school")
            else:
                parts[type(value)].append(group)
        apply_schools(parts[SchoolValue], context)
        StudentImporter().apply(parts[StudentRow], context)  # type: ignore[arg-type]
        _apply_contacts(parts[ContactValue], context)
        _apply_links(parts[LinkValue], context)


def _where(found: Interchanges, number: int) -> str:
    return str(found.records[number - 1].place)


def _school(number: int, record: Record) -> Checked:
    school_id = record.get("SchoolId")
    errors = [] if school_id else ["SchoolId is required"]
    label = f"school {school_id}"
    value = SchoolValue(school_id, record.get("NameOfInstitution")) if school_id else None
    return CheckedRow(number, ("school", school_id or number), label, errors, value)


def _student(
    number: int,
    record: Record,
    enrolled: dict[str, str],
    attended: dict[str, Counter[str]],
    fallback: str | None,
    school_names: dict[str, str],
) -> Checked:
    unique_id = record.get("StudentUniqueId")
    errors: list[str] = []
    label = f"student {unique_id}" if unique_id else f"student at line {record.place.line}"
    if not unique_id:
        errors.append("StudentUniqueId is required")
    first, last = record.get("Name/FirstName"), record.get("Name/LastSurname")
    if not last:
        errors.append("Name/LastSurname is required")
    for name, text in (("FirstName", first), ("LastSurname", last)):
        if len(text) > NAME_MAX:
            errors.append(f"Name/{name} is longer than {NAME_MAX} characters")
    school = enrolled.get(unique_id)
    if not school and attended.get(unique_id):
        school = attended[unique_id].most_common(1)[0][0]
    school = school or fallback or ""
    if not school:
        errors.append(
            "no school: no StudentSchoolAssociation or attendance event names one (give "
            "--school N for such students)"
        )
    birth_date: datetime.date | None = None
    birth_text = record.get("BirthDate") or record.get("BirthData/BirthDate")
    if birth_text:
        try:
            birth_date = datetime.date.fromisoformat(birth_text.strip())
        except ValueError:
            errors.append(f"BirthDate {birth_text[:40]!r} is not a date (YYYY-MM-DD)")
    if errors:
        return CheckedRow(number, ("student", unique_id or number), label, errors)
    value = StudentRow(
        student_number=unique_id,
        first_name=first,
        middle_name=record.get("Name/MiddleName"),
        last_name=last,
        school_number=school,
        school_name=school_names.get(school, ""),
        grade_level="",
        enroll_status=None,
        date_of_birth=birth_date,
    )
    return CheckedRow(number, ("student", unique_id), label, errors, value)


CodeOf = Callable[[CodeType, str, str], int | None]


def _contact(number: int, record: Record, code: CodeOf) -> Checked:
    element = record.element
    unique_id = record.get(f"{element}UniqueId")
    label = f"contact {unique_id}" if unique_id else f"contact at line {record.place.line}"
    errors: list[str] = []
    if not unique_id:
        errors.append(f"{element}UniqueId is required")
    else:
        problem = unique_id_problem(unique_id)
        if problem:
            errors.append(f"{element}UniqueId {problem}")
    first, middle = record.get("Name/FirstName"), record.get("Name/MiddleName")
    last = record.get("Name/LastSurname")
    if not last:
        errors.append("Name/LastSurname is required")
    for name, text in (("FirstName", first), ("MiddleName", middle), ("LastSurname", last)):
        if len(text) > NAME_MAX:
            errors.append(f"Name/{name} is longer than {NAME_MAX} characters")
    if errors:
        return CheckedRow(number, ("contact", unique_id or number), label, errors)
    warnings: list[str] = []
    emails: list[EmailValue] = []
    seen: set[str] = set()
    for part in record.lists.get("ElectronicMail", []):
        address = part.get("ElectronicMailAddress", "")
        problem = email_problem(address) if len(address) <= EMAIL_MAX else "it is too long"
        if problem:
            warnings.append(
                f"ElectronicMailAddress {address!r} of {label} is not a valid email address "
                f"({problem}): left out"
            )
            continue
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        kind = code(CodeType.EMAIL_TYPE, part.get("ElectronicMailType", ""), "EmailType")
        marked = part.get("PrimaryEmailAddressIndicator", "").lower() in TRUE
        emails.append(EmailValue(address, kind, marked))
    if emails and not any(e.is_primary for e in emails):
        emails[0] = EmailValue(emails[0].address, emails[0].email_type, True)
    elif sum(e.is_primary for e in emails) > 1:
        first_primary = next(i for i, e in enumerate(emails) if e.is_primary)
        emails = [
            EmailValue(e.address, e.email_type, i == first_primary) for i, e in enumerate(emails)
        ]
    phones: list[tuple[int, PhoneValue]] = []
    for index, part in enumerate(record.lists.get("Telephone", [])):
        number_text = part.get("TelephoneNumber", "")
        digits = phone_digits(number_text)
        if not digits:
            warnings.append(f"TelephoneNumber {number_text!r} has no digits: left out")
            continue
        kind = code(CodeType.PHONE_TYPE, part.get("TelephoneNumberType", ""), "PhoneType")
        sms = part.get("TextMessageCapabilityIndicator", "").lower() in TRUE
        order = part.get("OrderOfPriority", "")
        rank = int(order) if order.isdigit() else 1000 + index
        phones.append((rank, PhoneValue(number_text, digits, kind, sms)))
    phones.sort(key=lambda pair: pair[0])
    addresses: list[AddressValue] = []
    for part in record.lists.get("Address", []):
        street = part.get("StreetNumberName", "")
        if not street:
            warnings.append("an Address without StreetNumberName: left out")
            continue
        addresses.append(
            AddressValue(
                street=street[:200],
                line_two=part.get("ApartmentRoomSuiteNumber", "")[:200],
                city=part.get("City", "")[:100],
                state=code(CodeType.STATE, part.get("StateAbbreviation", ""), "State"),
                postal_code=part.get("PostalCode", "")[:20],
                address_type=code(
                    CodeType.ADDRESS_TYPE, part.get("AddressType", ""), "AddressType"
                ),
            )
        )
    prefix = code(CodeType.PREFIX, record.get("Name/PersonalTitlePrefix"), "Prefix")
    value = ContactValue(
        unique_id=unique_id,
        first_name=first,
        middle_name=middle,
        last_name=last,
        prefix=prefix,
        gender=code(CodeType.GENDER, record.get("Sex"), "Gender"),
        emails=tuple(emails),
        phones=tuple(p for _, p in phones),
        addresses=tuple(addresses),
        warnings=tuple(warnings),
    )
    return CheckedRow(number, ("contact", unique_id), label, [], value)


def _link(number: int, record: Record, by_ref: dict[str, Record], code: CodeOf) -> Checked:
    person = "Contact" if record.element == "StudentContactAssociation" else "Parent"
    student = record.get("StudentReference/StudentIdentity/StudentUniqueId")
    errors: list[str] = []
    if not student:
        errors.append("StudentReference/StudentIdentity/StudentUniqueId is required")
    contact = record.get(f"{person}Reference/{person}Identity/{person}UniqueId")
    ref = record.refs.get(f"{person}Reference", "")
    if not contact and ref:
        named = by_ref.get(ref)
        if named is None:
            errors.append(f"{person}Reference ref={ref!r} names no {person} of the files")
        else:
            contact = named.get(f"{named.element}UniqueId")
    elif not contact:
        errors.append(f"{person}Reference is required (a ref or a {person}Identity)")
    label = f"link {student or '?'} to {contact or ref or '?'}"
    note = record.get(f"{person}Restrictions")
    if len(note) > NOTE_MAX:
        errors.append(f"{person}Restrictions is longer than {NOTE_MAX} characters")
    priority_text = record.get(f"{person}Priority")
    if priority_text and not priority_text.isdigit():
        errors.append(f"{person}Priority {priority_text!r} is not a whole number")
    if errors:
        return CheckedRow(number, ("link", student, contact or ref or number), label, errors)

    def flag(name: str) -> bool:
        return record.get(name).lower() in TRUE

    value = LinkValue(
        student_number=student,
        contact_unique_id=contact,
        relationship=code(CodeType.RELATIONSHIP_TYPE, record.get("Relation"), "RelationshipType"),
        priority=int(priority_text) if priority_text else None,
        lives_with=flag("LivesWith"),
        emergency=flag("EmergencyContactStatus"),
        custody=flag("LegalGuardian"),
        primary=flag("PrimaryContactStatus"),
        restricted=bool(note),
        note=note,
    )
    return CheckedRow(number, ("link", student, contact), label, [], value)


def apply_schools(groups: list[Group[Checked]], context: ImportContext) -> None:
    """Schools by number (added, renamed or unchanged); the OneRoster import's too."""
    wanted = {value_of(g).school_number: (g, value_of(g)) for g in groups}  # type: ignore[union-attr]
    known = {s.school_number: s for s in School.objects.filter(school_number__in=list(wanted))}
    new, renamed = [], []
    for number, (group, value) in wanted.items():
        assert isinstance(value, SchoolValue)
        school = known.get(number)
        if school is None:
            if context.outside_scope(group, [Touch(f"school {number}", None)]):
                continue
            new.append(School(school_number=number, name=value.name))
            group.done("added")
        elif value.name and school.name != value.name:
            if context.outside_scope(group, [Touch(f"school {number}", school.pk)]):
                continue
            school.name = value.name
            renamed.append(school)
            group.done("updated")
        else:
            group.done("unchanged")
    School.objects.bulk_create(new)
    School.objects.bulk_update(renamed, ["name"])
    context.result.counters["schools_added"] += len(new)


def _contact_values(contact: ContactValue) -> dict[str, Any]:
    return {
        "first_name": contact.first_name,
        "middle_name": contact.middle_name,
        "last_name": contact.last_name,
        "prefix_id": contact.prefix,
        "gender_id": contact.gender,
    }


def _held(
    emails: list[ContactEmail], phones: list[ContactPhone], addresses: list[ContactAddress]
) -> tuple[tuple[Any, ...], ...]:
    """What a contact holds now, in the shape ``_wanted`` gives, to tell if it changed."""
    return (
        tuple(
            EmailValue(e.address, e.email_type_id, e.is_primary)
            for e in sorted(emails, key=lambda e: e.order)
        ),
        tuple(
            PhoneValue(p.phone.number, p.phone.digits, p.phone_type_id, p.phone.is_sms)
            for p in sorted(phones, key=lambda p: p.priority_order)
        ),
        tuple(
            AddressValue(
                a.address.street,
                a.address.line_two,
                a.address.city,
                a.address.state_id,
                a.address.postal_code,
                a.address_type_id,
            )
            for a in sorted(addresses, key=lambda a: a.priority_order)
        ),
    )


def _apply_contacts(groups: list[Group[Checked]], context: ImportContext) -> None:
    planned: list[tuple[Group[Checked], ContactValue]] = []
    for group in groups:
        value = value_of(group)
        assert isinstance(value, ContactValue)
        planned.append((group, value))
        if value.warnings:
            group.rows[0].warnings = list(value.warnings)
    existing: dict[str, Contact] = {}
    for batch in chunks(sorted({v.unique_id for _, v in planned})):
        existing.update((c.unique_id, c) for c in Contact.objects.filter(unique_id__in=batch))
    pks = [c.pk for c in existing.values()]
    emails: dict[int, list[ContactEmail]] = defaultdict(list)
    phones: dict[int, list[ContactPhone]] = defaultdict(list)
    addresses: dict[int, list[ContactAddress]] = defaultdict(list)
    for some in chunks(pks):
        for email in ContactEmail.objects.filter(contact_id__in=some):
            emails[email.contact_id].append(email)
        for phone in ContactPhone.objects.filter(contact_id__in=some).select_related("phone"):
            phones[phone.contact_id].append(phone)
        for place in ContactAddress.objects.filter(contact_id__in=some).select_related("address"):
            addresses[place.contact_id].append(place)
    new: list[Contact] = []
    changed: list[Contact] = []
    refill: list[tuple[Contact, ContactValue]] = []
    cleared: list[int] = []
    for group, value in planned:
        contact = existing.get(value.unique_id)
        fields = _contact_values(value)
        if contact is None:
            contact = Contact(unique_id=value.unique_id, is_active=True, **fields)
            new.append(contact)
            refill.append((contact, value))
            group.done("added")
            continue
        differs = any(getattr(contact, k) != v for k, v in fields.items())
        if differs:
            for key, field_value in fields.items():
                setattr(contact, key, field_value)
            changed.append(contact)
        held = _held(emails[contact.pk], phones[contact.pk], addresses[contact.pk])
        if held != (value.emails, value.phones, value.addresses):
            cleared.append(contact.pk)
            refill.append((contact, value))
            differs = True
        group.done("updated" if differs else "unchanged")
    Contact.objects.bulk_create(new, batch_size=CHUNK)
    Contact.objects.bulk_update(
        changed, ["first_name", "middle_name", "last_name", "prefix", "gender"], batch_size=CHUNK
    )
    for some in chunks(cleared):
        ContactEmail.objects.filter(contact_id__in=some).delete()
        ContactPhone.objects.filter(contact_id__in=some).delete()
        old = ContactAddress.objects.filter(contact_id__in=some)
        Address.objects.filter(pk__in=list(old.values_list("address_id", flat=True))).delete()
    _write_parts(refill)
    context.result.counters["contacts_added"] += len(new)
    context.result.counters["contacts_updated"] += sum(
        1 for group, _ in planned if group.rows[0].outcome == "updated"
    )


def _write_parts(refill: list[tuple[Contact, ContactValue]]) -> None:
    """The emails, phones and addresses of contacts added or changed, in bulk."""
    digits = sorted({p.digits for _, v in refill for p in v.phones})
    known: dict[str, Phone] = {}
    for batch in chunks(digits):
        known.update((p.digits, p) for p in Phone.objects.filter(digits__in=batch, extension=""))
    numbers = {p.digits: p for _, v in refill for p in v.phones}
    Phone.objects.bulk_create(
        [
            Phone(number=numbers[d].number, digits=d, is_sms=numbers[d].is_sms)
            for d in digits
            if d not in known
        ],
        batch_size=CHUNK,
    )
    for batch in chunks([d for d in digits if d not in known]):
        known.update((p.digits, p) for p in Phone.objects.filter(digits__in=batch, extension=""))
    new_emails, new_phones, new_places, new_addresses = [], [], [], []
    for contact, value in refill:
        for order, email in enumerate(value.emails, start=1):
            new_emails.append(
                ContactEmail(
                    contact=contact,
                    address=email.address,
                    email_type_id=email.email_type,
                    is_primary=email.is_primary,
                    order=order,
                )
            )
        for order, phone in enumerate(value.phones, start=1):
            new_phones.append(
                ContactPhone(
                    contact=contact,
                    phone=known[phone.digits],
                    phone_type_id=phone.phone_type,
                    priority_order=order,
                    is_preferred=order == 1,
                )
            )
        for order, address in enumerate(value.addresses, start=1):
            record = Address(
                street=address.street,
                line_two=address.line_two,
                city=address.city,
                state_id=address.state,
                postal_code=address.postal_code,
            )
            new_addresses.append(record)
            new_places.append(
                ContactAddress(
                    contact=contact,
                    address=record,
                    address_type_id=address.address_type,
                    priority_order=order,
                )
            )
    ContactEmail.objects.bulk_create(new_emails, batch_size=CHUNK)
    ContactPhone.objects.bulk_create(new_phones, batch_size=CHUNK)
    Address.objects.bulk_create(new_addresses, batch_size=CHUNK)
    for place in new_places:
        place.address_id = place.address.pk
    ContactAddress.objects.bulk_create(new_places, batch_size=CHUNK)


DETAIL_FIELDS = (
    "relationship_type_id",
    "lives_with",
    "is_emergency_contact",
    "has_custody",
    "receives_mailings",
    "allow_data_access",
)


def _detail_facts(value: LinkValue) -> dict[str, Any]:
    """A link's facts: a restricted link (``ContactRestrictions``) grants no data access."""
    return {
        "relationship_type_id": value.relationship,
        "lives_with": value.lives_with,
        "is_emergency_contact": value.emergency,
        "has_custody": value.custody,
        "receives_mailings": value.primary,
        "allow_data_access": not value.restricted,
    }


def _record_restrictions(links: list[StudentContact], context: ImportContext) -> None:
    """Each link the file restricts (``ContactRestrictions``) gets its restriction's record, as
    a staff screen's would have: who, when, the kind (the file says none: "other") and the
    file's text as its note."""
    now = timezone.now()
    LinkRestriction.objects.bulk_create(
        [
            LinkRestriction(
                link=link,
                kind=RestrictionKind.OTHER,
                note=link.restricted_note,
                restricted_at=now,
                restricted_by=account_of(context.actor),
                restricted_by_name=actor_name(context.actor),
            )
            for link in links
        ],
        batch_size=CHUNK,
    )


def _apply_links(groups: list[Group[Checked]], context: ImportContext) -> None:
    planned: list[tuple[Group[Checked], LinkValue]] = []
    for group in groups:
        value = value_of(group)
        assert isinstance(value, LinkValue)
        planned.append((group, value))
    students: dict[str, Student] = {}
    for batch in chunks(sorted({v.student_number for _, v in planned})):
        students.update(
            (s.student_number, s) for s in Student.objects.filter(student_number__in=batch)
        )
    contacts: dict[str, int] = {}
    for batch in chunks(sorted({v.contact_unique_id for _, v in planned})):
        contacts.update(Contact.objects.filter(unique_id__in=batch).values_list("unique_id", "pk"))
    student_pks = sorted(s.pk for s in students.values())
    links: dict[tuple[int, int], StudentContact] = {}
    top: dict[int, int] = defaultdict(int)
    for some in chunks(student_pks):
        for known in StudentContact.objects.filter(student_id__in=some).prefetch_related("details"):
            links[(known.student_id, known.contact_id)] = known
            top[known.student_id] = max(top[known.student_id], known.contact_priority_order)
    today = datetime.date.today()
    ordered = sorted(enumerate(planned), key=lambda pair: (pair[1][1].priority or 10_000, pair[0]))
    new_links: list[StudentContact] = []
    new_details: list[StudentContactDetail] = []
    changed_links: list[StudentContact] = []
    restricted: list[StudentContact] = []
    changed_details: list[StudentContactDetail] = []
    memberships: set[tuple[int, int]] = set()
    for _, (group, value) in ordered:
        student = students.get(value.student_number)
        contact = contacts.get(value.contact_unique_id)
        if student is None or contact is None:
            missing = (
                f"student {value.student_number}"
                if student is None
                else f"contact {value.contact_unique_id}"
            )
            group.reject({group.rows[0].row: [f"{missing} is not in the district (not imported)"]})
            continue
        if context.outside_scope(
            group, [Touch(f"student {student.student_number}", student.school_id)]
        ):
            continue
        memberships.add((contact, student.school_id))
        facts = _detail_facts(value)
        link = links.get((student.pk, contact))
        if link is None:
            top[student.pk] += 1
            link = StudentContact(
                student=student,
                contact_id=contact,
                contact_priority_order=top[student.pk],
                restricted=value.restricted,
                restricted_note=value.note,
            )
            links[(student.pk, contact)] = link
            new_links.append(link)
            if value.restricted:
                restricted.append(link)
            new_details.append(StudentContactDetail(link=link, start_date=None, **facts))
            group.done("added")
            continue
        differs = False
        # A file restricts a link, never lifts one: lifting takes a school or district admin
        # and a note (people.services.lift_restriction), so a restriction in force stays
        # whatever a later file says, and keeps the note it was recorded with.
        if value.restricted and not link.restricted:
            link.restricted, link.restricted_note = True, value.note
            changed_links.append(link)
            restricted.append(link)
            differs = True
        detail = pick_active_detail(list(link.details.all()), today)
        if detail is None:
            new_details.append(StudentContactDetail(link=link, **facts))
            differs = True
        elif any(getattr(detail, k) != v for k, v in facts.items()):
            for key, fact in facts.items():
                setattr(detail, key, fact)
            changed_details.append(detail)
            differs = True
        group.done("updated" if differs else "unchanged")
        if differs:
            context.result.counters["links_updated"] += 1
    StudentContact.objects.bulk_create(new_links, batch_size=CHUNK)
    for detail in new_details:
        detail.link_id = detail.link.pk
    StudentContactDetail.objects.bulk_create(new_details, batch_size=CHUNK)
    StudentContact.objects.bulk_update(
        changed_links, ["restricted", "restricted_note"], batch_size=CHUNK
    )
    _record_restrictions(restricted, context)
    StudentContactDetail.objects.bulk_update(
        changed_details, [f.removesuffix("_id") for f in DETAIL_FIELDS], batch_size=CHUNK
    )
    Contact.schools.through.objects.bulk_create(
        [Contact.schools.through(contact_id=c, school_id=s) for c, s in sorted(memberships)],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    context.result.counters["links_added"] += len(new_links)
