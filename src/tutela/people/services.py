"""State changes to schools, students, contacts and their links, one transaction each.

Every function takes keyword-only arguments and an explicit ``actor`` (the account making the
change, or ``command_line_user()`` for a ``tutela`` command) so that the audit trail names who
did it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import account_of, actor_name, audited, log_summary
from tutela.core.phones import phone_digits, strip_extension
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.details import ranges_overlap
from tutela.people.models import (
    Address,
    Code,
    CodeType,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Language,
    LinkRestriction,
    NotDuplicates,
    OriginalContactType,
    Phone,
    RestrictionKind,
    School,
    Student,
    StudentContact,
    StudentContactDetail,
)


class ServiceError(ValueError):
    """A change that breaks a rule of the district's data; the message says which."""


class OutsideScope(ServiceError):
    """The change would reach students outside the actor's scope; screens answer 403."""


def require_whole_contact(*, actor: Actor, contact: Contact, change: str) -> None:
    """Refuse to ``change`` a contact unless every one of its students is in ``actor``'s scope.

    Changing a person (their account, a merge) changes what they see at every school they have
    a child at: a school's staff may not act for another school's family.
    """
    if not Scope.of(actor).covers_contact(contact):
        raise OutsideScope(
            f"{contact} has students at a school outside yours: only a district admin may {change}."
        )


def _code(code_type: CodeType, text: str | None) -> Code | None:
    if not text:
        return None
    try:
        return CodeBook.load().match(code_type, text)
    except CodeProblem as problem:
        raise ServiceError(str(problem)) from None


def _next_place(rows: QuerySet[Any], field: str) -> int:
    """The place after the last of ``rows`` in their order ``field``; 1 when there are none."""
    top: int | None = rows.aggregate(top=Max(field))["top"]
    return (top or 0) + 1


def add_code(
    *, actor: Actor, code_type: str, code: str, display_name: str = "", parent: str | None = None
) -> Code:
    """Add a value to a code set; states need their country as parent."""
    try:
        kind = CodeType(next(t for t in CodeType if t.value.lower() == code_type.lower()))
    except StopIteration:
        known = ", ".join(t.value for t in CodeType)
        raise ServiceError(f"unknown code set {code_type!r}; known: {known}") from None
    code = code.strip()
    if not code:
        raise ServiceError("a code cannot be blank")
    for what, text, field in (
        ("a code", code, "code"),
        ("a display name", display_name, "display_name"),
    ):
        limit = getattr(Code._meta.get_field(field), "max_length", None)
        if limit is not None and len(text) > limit:
            raise ServiceError(f"{what} is at most {limit} characters, not {len(text)}")
    parent_code = None
    if kind == CodeType.STATE:
        if not parent:
            raise ServiceError("a State code needs --parent COUNTRY")
        parent_code = Code.objects.filter(code_type=CodeType.COUNTRY, code__iexact=parent).first()
        if parent_code is None:
            raise ServiceError(f"{parent!r} is not a Country code")
    elif parent:
        raise ServiceError("only State codes have a parent")
    clash = Code.objects.filter(code_type=kind, code__iexact=code, parent=parent_code)
    if clash.exists():
        raise ServiceError(f"{kind} already has the code {clash.get().code!r}")
    with audited(actor), transaction.atomic():
        return Code.objects.create(
            code_type=kind, code=code, display_name=display_name or code, parent=parent_code
        )


def save_student(
    *,
    actor: Actor,
    student_number: str,
    first_name: str,
    last_name: str,
    school_number: str,
    school_name: str = "",
    middle_name: str = "",
    grade_level: str = "",
    enroll_status: int = 0,
) -> Student:
    """Create or update one student by student number, creating the school if needed."""
    with audited(actor), transaction.atomic():
        school, _ = School.objects.get_or_create(
            school_number=school_number, defaults={"name": school_name}
        )
        student, _ = Student.objects.update_or_create(
            student_number=student_number,
            defaults={
                "first_name": first_name,
                "middle_name": middle_name,
                "last_name": last_name,
                "school": school,
                "grade_level": grade_level,
                "enroll_status": enroll_status,
            },
        )
        return student


def create_contact(
    *,
    actor: Actor,
    last_name: str,
    first_name: str = "",
    middle_name: str = "",
    prefix: str | None = None,
    suffix: str | None = None,
    gender: str | None = None,
    state_contact_id: str = "",
    employer: str = "",
    exclude_from_state_reporting: bool = True,
    is_active: bool = False,
    preferred_language: str = Language.ENGLISH,
) -> Contact:
    """Create a contact; codes are given as text and matched against their code sets."""
    preferred_language = _language(preferred_language)
    fields = _names_and_codes(
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        prefix=prefix,
        suffix=suffix,
        gender=gender,
        state_contact_id=state_contact_id,
        employer=employer,
        exclude_from_state_reporting=exclude_from_state_reporting,
        is_active=is_active,
    )
    with audited(actor), transaction.atomic():
        return Contact.objects.create(**fields, preferred_language=preferred_language)


def _names_and_codes(
    *,
    last_name: str,
    first_name: str,
    middle_name: str,
    prefix: str | None,
    suffix: str | None,
    gender: str | None,
    state_contact_id: str,
    employer: str,
    exclude_from_state_reporting: bool,
    is_active: bool,
) -> dict[str, object]:
    """A contact's names and codes as stored, the one rule for creating and correcting them:
    text trimmed, a last name required, codes matched against their code sets."""
    if not last_name.strip():
        raise ServiceError("a contact needs a last name")
    return {
        "last_name": last_name.strip(),
        "first_name": first_name.strip(),
        "middle_name": middle_name.strip(),
        "prefix": _code(CodeType.PREFIX, prefix),
        "suffix": _code(CodeType.SUFFIX, suffix),
        "gender": _code(CodeType.GENDER, gender),
        "state_contact_id": state_contact_id.strip(),
        "employer": employer.strip(),
        "exclude_from_state_reporting": exclude_from_state_reporting,
        "is_active": is_active,
    }


UNIQUE_ID_MAX = Contact._meta.get_field("unique_id").max_length or 64


def unique_id_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a contact's Unique ID (already stripped), or ``None``.

    The one rule for the contact card, the parent import and the association import: up to
    64 characters, no control characters (a tab or line break pasted from a spreadsheet).
    Letter case is kept and counts: ``p100`` and ``P100`` are two people, as in the SIS.
    """
    if len(text) > UNIQUE_ID_MAX:
        return f"is longer than {UNIQUE_ID_MAX} characters ({len(text)})"
    if any(not character.isprintable() for character in text):
        return "holds a control character (a tab or a line break)"
    return None


def set_unique_id(*, actor: Actor, contact: Contact, unique_id: str) -> Contact:
    """Give a contact its district-wide Unique ID, or clear it with a blank.

    Another contact holding the same ID is refused, naming it: one ID, one person. Staff change
    it only when their scope covers all of the contact's students, as for any change to a person.
    """
    value = unique_id.strip()
    problem = unique_id_problem(value)
    if problem:
        raise ServiceError(f"Unique ID {problem}")
    require_whole_contact(actor=actor, contact=contact, change="change their Unique ID")
    if value:
        holder = Contact.objects.filter(unique_id=value).exclude(pk=contact.pk).first()
        if holder is not None:
            raise ServiceError(
                f"Unique ID {value!r} already belongs to contact #{holder.pk} {holder}"
            )
    if contact.unique_id == value:
        return contact
    with audited(actor), transaction.atomic():
        contact.unique_id = value
        try:
            with transaction.atomic():
                contact.save(update_fields=["unique_id"])
        except IntegrityError:
            # Another change took the ID between the check and the write.
            raise ServiceError(f"Unique ID {value!r} already belongs to another contact") from None
        return contact


def _language(code: str) -> str:
    """A language code Tutela writes in (``en``, ``es``), read in any case."""
    cleaned = (code or "").strip().lower()
    if cleaned not in Language.values:
        known = ", ".join(Language.values)
        raise ServiceError(f"unknown language {code!r}: use one of {known}")
    return cleaned


def set_preferred_language(*, actor: Actor, contact: Contact, language: str) -> Contact:
    """Record the language a family reads (``en`` or ``es``): letters, emails and AutoCreate
    runs that ask for each contact's own language write to them in it.

    A preference, not a change to what the family sees: the parent may set their own, and any
    staff whose scope reaches the contact (one of their children) may set it.
    """
    chosen = _language(language)
    own = getattr(actor, "contact_id", None) == contact.pk
    if not own and not Scope.of(actor).contacts().filter(pk=contact.pk).exists():
        raise OutsideScope(f"{contact} is not a contact of a student you may see")
    with audited(actor), transaction.atomic():
        contact.preferred_language = chosen
        contact.save(update_fields=["preferred_language"])
    return contact


def validate_email_address(address: str) -> str:
    """Syntax only (no DNS look-up): districts import addresses offline."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ServiceError(
            gettext("%(address)r is not a valid email address: %(reason)s")
            % {"address": address, "reason": error}
        ) from None


def add_email(
    *,
    actor: Actor,
    contact: Contact,
    address: str,
    email_type: str | None = None,
    is_primary: bool = False,
) -> ContactEmail:
    """Add an email to a contact: a primary one goes first and bumps the rest down."""
    address = validate_email_address(address)
    if contact.emails.filter(address__iexact=address).exists():
        raise ServiceError(f"{address} is already one of this contact's emails")
    with audited(actor), transaction.atomic():
        emails = contact.emails.select_for_update()
        if is_primary:
            # Row by row (a contact has a handful of emails), so the audit trail shows the old
            # primary losing its flag and every email moving down.
            for other in emails.order_by("-order"):
                other.is_primary = False
                other.order += 1
                other.save(update_fields=["is_primary", "order"])
            order = 1
        else:
            order = _next_place(emails, "order")
        return ContactEmail.objects.create(
            contact=contact,
            address=address,
            email_type=_code(CodeType.EMAIL_TYPE, email_type),
            is_primary=is_primary,
            order=order,
        )


def shared_phone(*, number: str, extension: str = "") -> Phone:
    """The one phone record for this number and extension, created on first use."""
    number = strip_extension(number)
    digits = phone_digits(number)
    if not digits:
        raise ServiceError(gettext("%(number)r has no digits") % {"number": number})
    phone, _ = Phone.objects.get_or_create(
        digits=digits, extension=extension.strip(), defaults={"number": number}
    )
    return phone


def add_phone(
    *,
    actor: Actor,
    contact: Contact,
    number: str,
    extension: str = "",
    phone_type: str | None = None,
    priority_order: int | None = None,
    is_sms: bool | None = None,
    is_preferred: bool = False,
) -> ContactPhone:
    """Link a contact to a phone (shared with anyone else who uses it); last by default."""
    with audited(actor), transaction.atomic():
        phone = shared_phone(number=number, extension=extension)
        if is_sms is not None and phone.is_sms != is_sms:
            phone.is_sms = is_sms
            phone.save(update_fields=["is_sms"])
        links = contact.phones.select_for_update()
        if priority_order is None:
            priority_order = _next_place(links, "priority_order")
        return ContactPhone.objects.create(
            contact=contact,
            phone=phone,
            phone_type=_code(CodeType.PHONE_TYPE, phone_type),
            priority_order=priority_order,
            is_preferred=is_preferred,
        )


def add_address(
    *,
    actor: Actor,
    contact: Contact,
    street: str,
    line_two: str = "",
    unit: str = "",
    city: str = "",
    state: str | None = None,
    postal_code: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address_type: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    priority_order: int | None = None,
) -> ContactAddress:
    """Give a contact an address, dated and ordered (last by default)."""
    if start_date and end_date and start_date > end_date:
        raise ServiceError("an address cannot end before it starts")
    with audited(actor), transaction.atomic():
        address = Address.objects.create(
            street=street,
            line_two=line_two,
            unit=unit,
            city=city,
            state=_code(CodeType.STATE, state),
            postal_code=postal_code,
            latitude=latitude,
            longitude=longitude,
        )
        links = contact.addresses.select_for_update()
        if priority_order is None:
            priority_order = _next_place(links, "priority_order")
        return ContactAddress.objects.create(
            contact=contact,
            address=address,
            address_type=_code(CodeType.ADDRESS_TYPE, address_type),
            start_date=start_date,
            end_date=end_date,
            priority_order=priority_order,
        )


def make_room_for_priority(*, student: Student, position: int) -> None:
    """Move the student's contacts at ``position`` and after down by one.

    Row by row, last first, so that each moves into a free place (the priority is unique per
    student and the constraint is checked at once) and the audit trail records every move.
    """
    links = StudentContact.objects.filter(student=student, contact_priority_order__gte=position)
    for link in links.order_by("-contact_priority_order"):
        link.contact_priority_order += 1
        link.save(update_fields=["contact_priority_order"])


def link_student(
    *,
    actor: Actor,
    contact: Contact,
    student: Student,
    original_contact_type: str = "",
    contact_priority_order: int | None = None,
    relationship_type: str | None = None,
    relationship_note: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    has_custody: bool = False,
    lives_with: bool = False,
    allow_school_pickup: bool = False,
    is_emergency_contact: bool = False,
    receives_mailings: bool = False,
    allow_data_access: bool = False,
) -> StudentContact:
    """Link a contact to a student with a first detail record.

    A priority puts the contact at that position and moves the others down; none puts it
    last. A student has at most one contact of each original contact type.
    """
    kind = original_contact_type.strip().lower()
    if kind and kind not in OriginalContactType.values:
        raise ServiceError(
            f"{original_contact_type!r} is not an original contact type "
            f"({', '.join(OriginalContactType.values)})"
        )
    if start_date and end_date and start_date > end_date:
        raise ServiceError("a relationship cannot end before it starts")
    if contact_priority_order is not None and contact_priority_order < 1:
        raise ServiceError("contact priority order must be a positive whole number")
    with audited(actor), transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        if StudentContact.objects.filter(student=student, contact=contact).exists():
            raise ServiceError(f"{contact} is already linked to {student}")
        if (
            kind
            and StudentContact.objects.filter(student=student, original_contact_type=kind).exists()
        ):
            raise ServiceError(f"{student} already has {OriginalContactType.slot_phrase(kind)}")
        if contact_priority_order is None:
            position = _next_place(
                StudentContact.objects.filter(student=student), "contact_priority_order"
            )
        else:
            position = contact_priority_order
            make_room_for_priority(student=student, position=position)
        link = StudentContact.objects.create(
            student=student,
            contact=contact,
            contact_priority_order=position,
            original_contact_type=kind,
        )
        StudentContactDetail.objects.create(
            link=link,
            relationship_type=_code(CodeType.RELATIONSHIP_TYPE, relationship_type),
            relationship_note=relationship_note,
            start_date=start_date,
            end_date=end_date,
            has_custody=has_custody,
            lives_with=lives_with,
            allow_school_pickup=allow_school_pickup,
            is_emergency_contact=is_emergency_contact,
            receives_mailings=receives_mailings,
            allow_data_access=allow_data_access,
        )
        return link


def change_email_address(*, actor: Actor, email: ContactEmail, address: str) -> ContactEmail:
    """Correct one of a contact's email addresses (a parent fixing their own, or staff)."""
    address = validate_email_address(address)
    if email.address == address:
        return email
    clash = email.contact.emails.filter(address__iexact=address).exclude(pk=email.pk)
    if clash.exists():
        raise ServiceError(
            gettext("%(address)s is already one of this contact's emails") % {"address": address}
        )
    with audited(actor), transaction.atomic():
        email.address = address
        email.save(update_fields=["address"])
        return email


def change_phone_number(
    *, actor: Actor, contact_phone: ContactPhone, number: str, extension: str = ""
) -> ContactPhone:
    """Point one contact's phone entry at another number.

    Phones are shared records, so the contact moves to the (possibly new) record for the new
    number; the others who share the old number keep it unchanged.
    """
    with audited(actor), transaction.atomic():
        phone = shared_phone(number=number, extension=extension)
        if phone.pk != contact_phone.phone_id:
            contact_phone.phone = phone
            contact_phone.save(update_fields=["phone"])
        return contact_phone


def _same_address(a: Address, b: Address) -> bool:
    def key(x: Address) -> tuple[str, ...]:
        return tuple(
            " ".join(str(v).lower().split())
            for v in (x.street, x.line_two, x.unit, x.city, x.postal_code, x.state_id)
        )

    return key(a) == key(b)


def check_merge(*, actor: Actor, duplicate: Contact, into: Contact) -> None:
    """Refuse a merge unless both contacts are wholly in ``actor``'s scope.

    A merge moves every link of the duplicate, with the data access staff chose, to the other
    contact: a school's staff would otherwise hand another school's child to one of their
    families, or pull another school's parent into their view (by first giving one of their
    own contacts that parent's email). The screens ask before offering the merge.
    """
    if duplicate.pk == into.pk:
        raise ServiceError("a contact cannot be merged into itself")
    for contact in (duplicate, into):
        require_whole_contact(actor=actor, contact=contact, change="merge these contacts")
    if duplicate.unique_id and into.unique_id and duplicate.unique_id != into.unique_id:
        # Other systems name each of them by its ID: one of the two IDs would stop naming anyone.
        raise ServiceError(
            f"{duplicate} and {into} have different Unique IDs ({duplicate.unique_id!r}, "
            f"{into.unique_id!r}): clear the wrong one first"
        )


def _chosen_detail(
    link: StudentContact, relationship: Code | None, allow_data_access: bool | None
) -> None:
    """Put the relationship and data access staff chose on the moved link's active detail; a
    link without any detail gets one, in force from today."""
    if relationship is None and allow_data_access is None:
        return
    detail = link.active_detail()
    if detail is None:
        detail = StudentContactDetail(link=link, start_date=datetime.date.today())
    if relationship is not None:
        detail.relationship_type = relationship
    if allow_data_access is not None:
        detail.allow_data_access = allow_data_access
    detail.save()


# What a merge may take from the duplicate when staff choose its value over the survivor's.
MERGE_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "prefix",
    "suffix",
    "gender",
    "state_contact_id",
    "employer",
    "preferred_language",
    "default_relationship",
)


@dataclass
class MergeReport:
    """What a merge did, or would do (a dry run): what came from where, for the audit record,
    the command's output and the staff screen's message."""

    survivor: int
    merged: int
    merged_name: str
    dry_run: bool = False
    lines: list[str] = dataclasses.field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)

    def as_record(self) -> dict[str, Any]:
        return {"survivor": self.survivor, "merged": self.merged, "what": self.lines}


class _DryRun(Exception):
    """Raised inside a dry run's transaction so that everything it did is rolled back."""


def _last_signed_in(account: Any) -> datetime.datetime:
    return account.last_login or datetime.datetime.min.replace(tzinfo=datetime.UTC)


def merge_contacts(
    *,
    actor: Actor,
    duplicate: Contact,
    into: Contact,
    relationship_type: str | None = None,
    allow_data_access: bool | None = None,
    take: Collection[str] = (),
    keep_account: Any | None = None,
    dry_run: bool = False,
) -> MergeReport:
    """Fold ``duplicate`` into ``into``: one person, one contact, one account.

    Every email, phone, address and student link of the duplicate moves to ``into`` (the same
    email, phone or address is not doubled). A student both were linked to keeps ``into``'s
    link and its detail history; the duplicate's details are added where their dates overlap
    none of it, otherwise ``into``'s win and the report says so; a restriction on either link
    is kept. Moved links get the relationship and data access staff chose (``_chosen_detail``).
    ``take`` names the fields (``MERGE_FIELDS``) whose value comes from the duplicate; any other
    field ``into`` has blank is filled from it.

    Accounts: when only one has an account it ends on ``into``; when both do, the one signed
    in most recently (or ``keep_account``) survives on ``into``, the other is disabled and its
    sessions end. One transaction, audited, with one summary record of what came from where;
    ``dry_run`` does it all and rolls it back, returning the same report. Both contacts must be
    wholly in the actor's scope (``check_merge``).
    """
    check_merge(actor=actor, duplicate=duplicate, into=into)
    unknown = set(take) - set(MERGE_FIELDS)
    if unknown:
        raise ServiceError(f"cannot take {', '.join(sorted(unknown))} from the duplicate")
    relationship = _code(CodeType.RELATIONSHIP_TYPE, relationship_type)
    report = MergeReport(
        survivor=into.pk, merged=duplicate.pk, merged_name=str(duplicate), dry_run=dry_run
    )
    try:
        with audited(actor), transaction.atomic():
            Contact.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).count()
            _merge_links(duplicate, into, relationship, allow_data_access, report)
            _merge_channels(duplicate, into, report)
            _merge_fields(duplicate, into, set(take), report)
            _merge_accounts(actor, duplicate, into, keep_account, report)
            duplicate.delete()
            report.say(f"contact #{report.merged} ({report.merged_name}) removed")
            log_summary(
                instance=into,
                action="merged contact",
                count=1,
                scope=f"contact #{report.merged} into #{report.survivor}",
                merge=report.as_record(),
            )
            if dry_run:
                raise _DryRun()
    except _DryRun:
        duplicate.pk = report.merged  # ``delete()`` cleared it; the row is back
        for contact in (duplicate, into):
            contact.refresh_from_db()
    return report


def _merge_links(
    duplicate: Contact,
    into: Contact,
    relationship: Code | None,
    allow_data_access: bool | None,
    report: MergeReport,
) -> None:
    kept = {link.student_id: link for link in into.student_links.prefetch_related("details")}
    for link in list(duplicate.student_links.select_related("student").prefetch_related("details")):
        number = link.student.student_number
        survivor_link = kept.get(link.student_id)
        if survivor_link is None:
            link.contact = into
            link.save(update_fields=["contact"])
            _chosen_detail(link, relationship, allow_data_access)
            report.say(f"student {number}: link moved from #{duplicate.pk}")
            continue
        _combine_details(link, survivor_link, number, report)
        slot = link.original_contact_type
        restricted, note = link.restricted, link.restricted_note
        _move_restrictions(link, survivor_link, number, report)
        link.delete()
        changed = []
        if restricted and not survivor_link.restricted:
            survivor_link.restricted = True
            survivor_link.restricted_note = note
            changed += ["restricted", "restricted_note"]
            report.say(f"student {number}: restriction kept from #{duplicate.pk}")
        if slot and not survivor_link.original_contact_type:
            survivor_link.original_contact_type = slot
            changed.append("original_contact_type")
        if changed:
            survivor_link.save(update_fields=changed)
        _close_priority_gaps(link.student)


def _move_restrictions(
    link: StudentContact, survivor_link: StudentContact, number: str, report: MergeReport
) -> None:
    """The duplicate link's restriction history joins the survivor's link, so who restricted
    the student, and why, is never lost; while the survivor's own restriction is in force it
    stands, and the duplicate's one in force is kept as the survivor's earlier record."""
    survivor_in_force = survivor_link.restrictions.filter(lifted_at__isnull=True).exists()
    for restriction in link.restrictions.order_by("restricted_at"):
        if restriction.lifted_at is None and survivor_in_force:
            report.say(
                f"student {number}: both links restricted; the survivor's restriction stands "
                f"(#{link.contact_id}'s: {restriction.note})"
            )
            continue
        restriction.link = survivor_link
        restriction.save(update_fields=["link"])
        survivor_in_force = survivor_in_force or restriction.lifted_at is None


def _combine_details(
    link: StudentContact, survivor_link: StudentContact, number: str, report: MergeReport
) -> None:
    """The duplicate's details join the survivor's history where no date overlaps it."""
    history = list(survivor_link.details.all())
    for detail in link.details.all():
        dates = f"{detail.start_date or 'the start'} to {detail.end_date or 'now'}"
        if any(ranges_overlap(detail, mine) for mine in history):
            report.say(
                f"student {number}: #{link.contact_id}'s detail from {dates} overlaps "
                f"#{survivor_link.contact_id}'s: #{survivor_link.contact_id}'s kept"
            )
            continue
        detail.link = survivor_link
        detail.save(update_fields=["link"])
        history.append(detail)
        report.say(f"student {number}: detail from {dates} added from #{link.contact_id}")


def _merge_channels(duplicate: Contact, into: Contact, report: MergeReport) -> None:
    """Emails, phones and addresses only the duplicate had move to ``into``, after its own."""
    addresses = {e.address.lower() for e in into.emails.all()}
    next_order = _next_place(into.emails.all(), "order")
    for email in duplicate.emails.all():
        if email.address.lower() in addresses:
            continue
        email.contact, email.is_primary, email.order = into, False, next_order
        email.save(update_fields=["contact", "is_primary", "order"])
        report.say(f"email {email.address} moved from #{duplicate.pk}")
        next_order += 1
    phones = set(into.phones.values_list("phone_id", flat=True))
    next_priority = _next_place(into.phones.all(), "priority_order")
    for contact_phone in duplicate.phones.select_related("phone"):
        if contact_phone.phone_id in phones:
            continue
        contact_phone.contact, contact_phone.priority_order = into, next_priority
        contact_phone.is_preferred = (
            contact_phone.is_preferred and not into.phones.filter(is_preferred=True).exists()
        )
        contact_phone.save(update_fields=["contact", "priority_order", "is_preferred"])
        report.say(f"phone {contact_phone.phone} moved from #{duplicate.pk}")
        next_priority += 1
    kept = [link.address for link in into.addresses.select_related("address")]
    next_priority = _next_place(into.addresses.all(), "priority_order")
    for contact_address in duplicate.addresses.select_related("address"):
        if any(_same_address(contact_address.address, a) for a in kept):
            continue
        contact_address.contact, contact_address.priority_order = into, next_priority
        contact_address.save(update_fields=["contact", "priority_order"])
        report.say(f"address {contact_address.address} moved from #{duplicate.pk}")
        next_priority += 1


def _merge_fields(duplicate: Contact, into: Contact, take: set[str], report: MergeReport) -> None:
    changed = []
    for name in MERGE_FIELDS:
        theirs, mine = getattr(duplicate, name), getattr(into, name)
        if theirs != mine and theirs and (name in take or not mine):
            setattr(into, name, theirs)
            changed.append(name)
            report.say(f"{name} {theirs} taken from #{duplicate.pk} (was {mine or 'blank'})")
    if duplicate.unique_id and not into.unique_id:
        # The ID names one contact at a time: the duplicate gives it up before it moves.
        into.unique_id, duplicate.unique_id = duplicate.unique_id, ""
        duplicate.save(update_fields=["unique_id"])
        changed.append("unique_id")
        report.say(f"Unique ID {into.unique_id} taken from #{duplicate.pk}")
    schools = list(duplicate.schools.exclude(pk__in=into.schools.values("pk")))
    if schools:
        into.schools.add(*schools)
        report.say(f"schools {', '.join(str(s) for s in schools)} added from #{duplicate.pk}")
    if duplicate.is_active and not into.is_active:
        into.is_active = True
        changed.append("is_active")
    if changed:
        into.save(update_fields=changed)


def _merge_accounts(
    actor: Actor, duplicate: Contact, into: Contact, keep: Any | None, report: MergeReport
) -> None:
    """One account for the person: the chosen or most recently used one, on ``into``."""
    from tutela.accounts.models import Account, SecurityEventKind
    from tutela.accounts.services import end_sessions, record_event

    # Read again, under lock: who signed in last is decided by the database, not a copy.
    accounts = {
        a.contact_id: a
        for a in Account.objects.select_for_update().filter(contact__in=[duplicate, into])
    }
    theirs, mine = accounts.get(duplicate.pk), accounts.get(into.pk)
    if theirs is None:
        return
    if mine is not None:
        if keep is not None and keep.pk not in (theirs.pk, mine.pk):
            raise ServiceError(f"{keep} is not an account of {duplicate} or {into}")
        chosen = keep or max((mine, theirs), key=_last_signed_in)
        loser = theirs if chosen.pk == mine.pk else mine
        # The disabled account keeps its history but no longer names the person.
        loser.contact, loser.is_active = None, False
        loser.save(update_fields=["contact", "is_active"])
        end_sessions(loser)
        record_event(SecurityEventKind.ACCOUNT_DISABLED, account=loser, actor=actor)
        report.say(f"account {loser.username} disabled and its sessions ended")
        if chosen.pk == mine.pk:
            return
    theirs.contact = into
    theirs.save(update_fields=["contact"])
    into.account = theirs
    report.say(f"account {theirs.username} moved from #{duplicate.pk}")


def mark_not_duplicates(*, actor: Actor, one: Contact, other: Contact) -> NotDuplicates:
    """Staff decided two contacts the search paired are two people: never list them again.

    Both must be contacts ``actor`` may open (a school's staff decide for their families).
    """
    if one.pk == other.pk:
        raise ServiceError("a contact is always the same person as itself")
    for contact in (one, other):
        require_contact_in_scope(actor=actor, contact=contact)
    a, b = sorted((one.pk, other.pk))
    with audited(actor), transaction.atomic():
        decision, _ = NotDuplicates.objects.get_or_create(
            contact_a_id=a, contact_b_id=b, defaults={"decided_by": actor_name(actor)[:200]}
        )
        return decision


# --- the contact card: staff correct a contact's own records ---------------------------------


def require_contact_in_scope(*, actor: Actor, contact: Contact) -> None:
    """Refuse to change a contact's own records unless ``actor`` may open the contact.

    Names, emails, phones and addresses describe the person, whom every school of the family
    shares (PowerSchool keeps one contact per person): any school that sees the contact may
    correct them. What the person may *see* (their account, their links) has stricter rules.
    """
    scope = Scope.of(actor)
    if not scope.district_wide and not scope.contacts().filter(pk=contact.pk).exists():
        raise OutsideScope(f"{contact} is not a contact of your students")


def update_contact(
    *,
    actor: Actor,
    contact: Contact,
    last_name: str,
    first_name: str = "",
    middle_name: str = "",
    prefix: str | None = None,
    suffix: str | None = None,
    gender: str | None = None,
    state_contact_id: str = "",
    employer: str = "",
    exclude_from_state_reporting: bool = True,
    is_active: bool = False,
) -> Contact:
    """Correct a contact's names and codes (the card's "names and codes" section)."""
    require_contact_in_scope(actor=actor, contact=contact)
    fields = _names_and_codes(
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        prefix=prefix,
        suffix=suffix,
        gender=gender,
        state_contact_id=state_contact_id,
        employer=employer,
        exclude_from_state_reporting=exclude_from_state_reporting,
        is_active=is_active,
    )
    with audited(actor), transaction.atomic():
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.save()
        return contact


def update_email(
    *, actor: Actor, email: ContactEmail, address: str, email_type: str | None = None
) -> ContactEmail:
    """Correct one of a contact's emails and its type (staff, on the card)."""
    require_contact_in_scope(actor=actor, contact=email.contact)
    kind = _code(CodeType.EMAIL_TYPE, email_type)
    with audited(actor), transaction.atomic():
        change_email_address(actor=actor, email=email, address=address)
        if email.email_type_id != (kind.pk if kind else None):
            email.email_type = kind
            email.save(update_fields=["email_type"])
        return email


def make_primary_email(*, actor: Actor, email: ContactEmail) -> ContactEmail:
    """Make this the contact's primary email: it moves first, the others keep their order."""
    require_contact_in_scope(actor=actor, contact=email.contact)
    with audited(actor), transaction.atomic():
        emails = list(email.contact.emails.select_for_update().order_by("order"))
        # The old primary loses its flag first: one primary per contact is a constraint.
        for other in emails:
            if other.is_primary and other.pk != email.pk:
                other.is_primary = False
                other.save(update_fields=["is_primary"])
        ordered = [email] + [e for e in emails if e.pk != email.pk]
        for place, row in enumerate(ordered, start=1):
            if (row.order, row.is_primary) != (place, row.pk == email.pk):
                row.order, row.is_primary = place, row.pk == email.pk
                row.save(update_fields=["order", "is_primary"])
        return email


def remove_email(*, actor: Actor, email: ContactEmail) -> None:
    """Remove one of a contact's emails; the next one becomes primary if this one was.

    The email a portal account signs in and is reached with cannot go: the parent would be
    left with an account email the district no longer knows.
    """
    contact = email.contact
    require_contact_in_scope(actor=actor, contact=contact)
    account = getattr(contact, "account", None)
    if account is not None and account.email.lower() == email.address.lower():
        raise ServiceError(
            f"{email.address} is the account email of {account.username}: "
            "change the account email before removing it"
        )
    with audited(actor), transaction.atomic():
        was_primary = email.is_primary
        email.delete()
        following = contact.emails.order_by("order").first()
        if was_primary and following is not None:
            following.is_primary = True
            following.save(update_fields=["is_primary"])


def update_phone(
    *,
    actor: Actor,
    contact_phone: ContactPhone,
    number: str,
    extension: str = "",
    phone_type: str | None = None,
    priority_order: int | None = None,
    is_sms: bool = False,
    is_preferred: bool = False,
) -> ContactPhone:
    """Correct one of a contact's phones: number, extension, type, priority, SMS, preferred.

    The number is a shared record: a new number moves only this contact to it, while SMS
    belongs to the number itself and so changes for everyone who shares it.
    """
    require_contact_in_scope(actor=actor, contact=contact_phone.contact)
    if priority_order is not None and priority_order < 1:
        raise ServiceError("a phone's priority must be a positive whole number")
    kind = _code(CodeType.PHONE_TYPE, phone_type)
    with audited(actor), transaction.atomic():
        change_phone_number(
            actor=actor, contact_phone=contact_phone, number=number, extension=extension
        )
        phone = contact_phone.phone
        if phone.is_sms != is_sms:
            phone.is_sms = is_sms
            phone.save(update_fields=["is_sms"])
        contact_phone.phone_type = kind
        contact_phone.is_preferred = is_preferred
        if priority_order is not None:
            contact_phone.priority_order = priority_order
        contact_phone.save(update_fields=["phone_type", "is_preferred", "priority_order"])
        if is_preferred:
            # One preferred phone per contact: the others lose the flag.
            others = contact_phone.contact.phones.filter(is_preferred=True)
            for other in others.exclude(pk=contact_phone.pk):
                other.is_preferred = False
                other.save(update_fields=["is_preferred"])
        return contact_phone


def remove_phone(*, actor: Actor, contact_phone: ContactPhone) -> None:
    """Remove a phone from one contact; the number itself goes once nobody uses it."""
    require_contact_in_scope(actor=actor, contact=contact_phone.contact)
    with audited(actor), transaction.atomic():
        phone = contact_phone.phone
        contact_phone.delete()
        if not phone.contact_links.exists():
            phone.delete()


def update_address(
    *,
    actor: Actor,
    contact_address: ContactAddress,
    street: str,
    line_two: str = "",
    unit: str = "",
    city: str = "",
    state: str | None = None,
    postal_code: str = "",
    address_type: str | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    priority_order: int | None = None,
) -> ContactAddress:
    """Correct one of a contact's addresses, its type, dates and place in the order."""
    require_contact_in_scope(actor=actor, contact=contact_address.contact)
    if not street.strip():
        raise ServiceError("an address needs a street")
    if start_date and end_date and start_date > end_date:
        raise ServiceError("an address cannot end before it starts")
    if priority_order is not None and priority_order < 1:
        raise ServiceError("an address's priority must be a positive whole number")
    with audited(actor), transaction.atomic():
        address = contact_address.address
        if address.contact_links.exclude(pk=contact_address.pk).exists():
            # Someone else lives at the old address too: this contact gets a record of its own.
            address.pk = None
        address.street, address.line_two, address.unit = street.strip(), line_two, unit
        address.city, address.postal_code = city, postal_code
        address.state = _code(CodeType.STATE, state)
        address.save()
        contact_address.address = address
        contact_address.address_type = _code(CodeType.ADDRESS_TYPE, address_type)
        contact_address.start_date, contact_address.end_date = start_date, end_date
        if priority_order is not None:
            contact_address.priority_order = priority_order
        contact_address.save()
        return contact_address


def remove_address(*, actor: Actor, contact_address: ContactAddress) -> None:
    """Remove one of a contact's addresses (each contact has its own address record)."""
    require_contact_in_scope(actor=actor, contact=contact_address.contact)
    with audited(actor), transaction.atomic():
        address = contact_address.address
        contact_address.delete()
        if not address.contact_links.exists():
            address.delete()


# --- a contact's students: who is linked, with which rights ----------------------------------


@dataclass(frozen=True)
class LinkRights:
    """The yes/no facts of a link's detail that staff choose: custody, pickup, portal access."""

    has_custody: bool = False
    lives_with: bool = False
    allow_school_pickup: bool = False
    is_emergency_contact: bool = False
    receives_mailings: bool = False
    allow_data_access: bool = False

    @classmethod
    def names(cls) -> list[str]:
        return [field.name for field in fields(cls)]

    def put_on(self, detail: StudentContactDetail) -> None:
        for field in fields(self):
            setattr(detail, field.name, getattr(self, field.name))


def require_school_of(*, actor: Actor, student: Student) -> None:
    """Refuse to change who is linked to ``student``, or with which rights, unless ``actor``
    covers the student's school: who may see a child is that school's office's decision (a
    teacher's sections are not enough)."""
    if not Scope.of(actor).covers_school(student.school_id):
        raise OutsideScope(
            f"{student} is at a school outside yours: only that school's staff or a district "
            "admin may change the student's contacts"
        )


def attach_student(
    *,
    actor: Actor,
    contact: Contact,
    student: Student,
    contact_priority_order: int | None = None,
    relationship_type: str | None = None,
    relationship_note: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    rights: LinkRights = LinkRights(),
) -> StudentContact:
    """PowerSchool's "Add Students": staff link one of their contacts to a student of their
    school (a sibling, usually), with a relationship and the link's rights."""
    require_school_of(actor=actor, student=student)
    require_contact_in_scope(actor=actor, contact=contact)
    return link_student(
        actor=actor,
        contact=contact,
        student=student,
        contact_priority_order=contact_priority_order,
        relationship_type=relationship_type,
        relationship_note=relationship_note,
        start_date=start_date,
        end_date=end_date,
        **asdict(rights),
    )


def create_contact_for_student(
    *,
    actor: Actor,
    student: Student | None,
    last_name: str,
    first_name: str = "",
    middle_name: str = "",
    email: str = "",
    email_type: str | None = None,
    phone: str = "",
    phone_type: str | None = None,
    relationship_type: str | None = None,
    rights: LinkRights = LinkRights(),
) -> Contact:
    """A new contact with its first email and phone, linked to ``student`` when given.

    School staff must name one of their school's students: a contact linked to nobody is
    reachable by district admins only, so it would vanish from the screen that made it.
    """
    if student is None:
        if not Scope.of(actor).district_wide:
            raise OutsideScope(
                "choose one of your school's students: a contact linked to no student can "
                "only be reached by a district admin"
            )
    else:
        require_school_of(actor=actor, student=student)
    with audited(actor), transaction.atomic():
        contact = create_contact(
            actor=actor, last_name=last_name, first_name=first_name, middle_name=middle_name
        )
        if email.strip():
            add_email(
                actor=actor, contact=contact, address=email, email_type=email_type, is_primary=True
            )
        if phone.strip():
            add_phone(actor=actor, contact=contact, number=phone, phone_type=phone_type)
        if student is not None:
            link_student(
                actor=actor,
                contact=contact,
                student=student,
                relationship_type=relationship_type,
                **asdict(rights),
            )
        return contact


def _check_dates(start: datetime.date | None, end: datetime.date | None) -> None:
    if start and end and start > end:
        raise ServiceError("a relationship cannot end before it starts")


def update_link_detail(
    *,
    actor: Actor,
    detail: StudentContactDetail,
    relationship_type: str | None = None,
    relationship_note: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    rights: LinkRights = LinkRights(),
) -> StudentContactDetail:
    """The pencil: correct one detail record of a link (its relationship, dates and rights).

    Data access off takes effect on the parent's next request: the portal reads the grant
    afresh every time.
    """
    require_school_of(actor=actor, student=detail.link.student)
    _check_dates(start_date, end_date)
    with audited(actor), transaction.atomic():
        detail.relationship_type = _code(CodeType.RELATIONSHIP_TYPE, relationship_type)
        detail.relationship_note = relationship_note
        detail.start_date, detail.end_date = start_date, end_date
        rights.put_on(detail)
        detail.save()
        return detail


def add_link_detail(
    *,
    actor: Actor,
    link: StudentContact,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    relationship_type: str | None = None,
    relationship_note: str = "",
    rights: LinkRights = LinkRights(),
) -> StudentContactDetail:
    """The pencil's new dated detail: from ``start_date`` these facts hold instead.

    The detail in force until then is ended the day before, so exactly one detail covers each
    day and the history stays ("custody from March", "no data access from today").
    """
    require_school_of(actor=actor, student=link.student)
    _check_dates(start_date, end_date)
    with audited(actor), transaction.atomic():
        for earlier in link.details.select_for_update():
            if earlier.start_date is not None and earlier.start_date >= start_date:
                raise ServiceError(
                    f"a detail already starts on {earlier.start_date}: edit it instead"
                )
            if earlier.end_date is None or earlier.end_date >= start_date:
                earlier.end_date = start_date - datetime.timedelta(days=1)
                earlier.save(update_fields=["end_date"])
        return StudentContactDetail.objects.create(
            link=link,
            relationship_type=_code(CodeType.RELATIONSHIP_TYPE, relationship_type),
            relationship_note=relationship_note,
            start_date=start_date,
            end_date=end_date,
            **asdict(rights),
        )


def end_link_detail(
    *, actor: Actor, detail: StudentContactDetail, end_date: datetime.date
) -> StudentContactDetail:
    """End a detail on ``end_date`` (inclusive): after it, that detail's rights no longer hold."""
    require_school_of(actor=actor, student=detail.link.student)
    _check_dates(detail.start_date, end_date)
    with audited(actor), transaction.atomic():
        detail.end_date = end_date
        detail.save(update_fields=["end_date"])
        return detail


def _close_priority_gaps(student: Student) -> None:
    """Renumber the student's contacts 1, 2, 3... in their order, row by row (audited)."""
    links = list(StudentContact.objects.filter(student=student).order_by("contact_priority_order"))
    for place, link in enumerate(links, start=1):
        if link.contact_priority_order != place:
            link.contact_priority_order = place
            link.save(update_fields=["contact_priority_order"])


def remove_link(*, actor: Actor, link: StudentContact) -> None:
    """Unlink a contact from a student (with every detail); the others close up the order."""
    student = link.student
    require_school_of(actor=actor, student=student)
    with audited(actor), transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        link.delete()
        _close_priority_gaps(student)


def move_link(*, actor: Actor, link: StudentContact, position: int) -> StudentContact:
    """Put a contact at ``position`` among the student's contacts (1 is called first)."""
    student = link.student
    require_school_of(actor=actor, student=student)
    with audited(actor), transaction.atomic():
        Student.objects.select_for_update().filter(pk=student.pk).first()
        links = list(
            StudentContact.objects.filter(student=student).order_by("contact_priority_order")
        )
        position = max(1, min(position, len(links)))
        ordered = [other for other in links if other.pk != link.pk]
        ordered.insert(position - 1, link)
        # Move every row above the current top first, so no two share a place on the way.
        top = max(other.contact_priority_order for other in links)
        for place, row in enumerate(ordered, start=1):
            if row.contact_priority_order != place:
                row.contact_priority_order = top + place
                row.save(update_fields=["contact_priority_order"])
        for place, row in enumerate(ordered, start=1):
            if row.contact_priority_order != place:
                row.contact_priority_order = place
                row.save(update_fields=["contact_priority_order"])
        link.refresh_from_db()
        return link


def _restriction_text(text: str, field: str, *, required: str = "") -> str:
    """A restriction's note or document, trimmed; ``required`` says what a missing one is."""
    text = text.strip()
    if required and not text:
        raise ServiceError(f"say why: a note is required ({required})")
    column = LinkRestriction._meta.get_field(field)
    assert isinstance(column, CharField)
    limit = column.max_length or 500
    if len(text) > limit:
        label = "the document reference" if field == "document" else "the note"
        raise ServiceError(f"{label} is at most {limit} characters, not {len(text)}")
    return text


def restrict_link(
    *, actor: Actor, link: StudentContact, kind: str, note: str, document: str = ""
) -> LinkRestriction:
    """Restrict a link (a court order, a custody agreement): from the next request on, the
    contact sees nothing of the student anywhere (``StudentContact.grants_access``), and every
    access code request for the student waits in the restricted queue.

    Only staff of the student's school and district admins decide it. A link already
    restricted keeps its restriction: lift it first, so each one's history stays whole.
    """
    if not Scope.of(actor).staff:
        raise OutsideScope("only school and district admins may restrict a student's link")
    require_school_of(actor=actor, student=link.student)
    if kind not in RestrictionKind.values:
        raise ServiceError(f"kind {kind!r} is not one of {', '.join(RestrictionKind.values)}")
    note = _restriction_text(note, "note", required="the court order or custody note")
    document = _restriction_text(document, "document")
    with audited(actor), transaction.atomic():
        link = StudentContact.objects.select_for_update().get(pk=link.pk)
        if link.restricted or link.restrictions.filter(lifted_at__isnull=True).exists():
            raise ServiceError(f"the link {link} is already restricted: lift it first")
        restriction = LinkRestriction.objects.create(
            link=link,
            kind=kind,
            note=note,
            document=document,
            restricted_at=timezone.now(),
            restricted_by=account_of(actor),
            restricted_by_name=actor_name(actor),
        )
        link.restricted = True
        link.restricted_note = note
        link.save(update_fields=["restricted", "restricted_note"])
        return restriction


def lift_restriction(*, actor: Actor, link: StudentContact, note: str) -> LinkRestriction:
    """Lift the restriction in force on a link, saying why: a school admin of the student's
    school or a district admin only. The record stays, with who lifted it, when and why."""
    if not Scope.of(actor).staff:
        raise OutsideScope("only school and district admins may lift a restriction")
    require_school_of(actor=actor, student=link.student)
    note = _restriction_text(note, "lift_note", required="why the restriction ends")
    with audited(actor), transaction.atomic():
        link = StudentContact.objects.select_for_update().get(pk=link.pk)
        restriction = link.restrictions.filter(lifted_at__isnull=True).first()
        if restriction is None and not link.restricted:
            raise ServiceError(f"the link {link} is not restricted")
        if restriction is None:
            # A flag set before restrictions were recorded: its lifting is recorded all the same.
            restriction = LinkRestriction(
                link=link,
                kind=RestrictionKind.OTHER,
                note=link.restricted_note or "recorded before restrictions had a history",
                restricted_at=timezone.now(),
                restricted_by_name="unknown",
            )
        restriction.lifted_at = timezone.now()
        restriction.lifted_by = account_of(actor)
        restriction.lifted_by_name = actor_name(actor)
        restriction.lift_note = note
        restriction.save()
        link.restricted = False
        link.restricted_note = ""
        link.save(update_fields=["restricted", "restricted_note"])
        return restriction


def change_data_access(
    *, actor: Actor, link: StudentContact, allow: bool, day: datetime.date | None = None
) -> StudentContactDetail:
    """Grant or revoke the link's data access from ``day`` (today by default), by the
    dated-details rule: a new detail with the same facts from that day, or the detail that
    starts that day corrected. The history of who could see the child stays."""
    day = day or datetime.date.today()
    active = link.active_detail(day)
    if active is None:
        return add_link_detail(
            actor=actor, link=link, start_date=day, rights=LinkRights(allow_data_access=allow)
        )
    facts = {name: getattr(active, name) for name in LinkRights.names()}
    rights = LinkRights(**{**facts, "allow_data_access": allow})
    relationship = active.relationship_type.code if active.relationship_type else None
    if active.start_date == day:
        return update_link_detail(
            actor=actor,
            detail=active,
            relationship_type=relationship,
            relationship_note=active.relationship_note,
            start_date=active.start_date,
            end_date=active.end_date,
            rights=rights,
        )
    return add_link_detail(
        actor=actor,
        link=link,
        start_date=day,
        # A detail that ended before the day leaves the new one open-ended.
        end_date=active.end_date if active.end_date and active.end_date >= day else None,
        relationship_type=relationship,
        relationship_note=active.relationship_note,
        rights=rights,
    )
