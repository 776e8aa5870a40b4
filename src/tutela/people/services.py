"""State changes to schools, students, contacts and their links, one transaction each.

Every function takes keyword-only arguments and an explicit ``actor`` (the account making the
change, or ``command_line_user()`` for a ``tutela`` command) so that the audit trail names who
did it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import audited
from tutela.core.phones import phone_digits, strip_extension
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.models import (
    Address,
    Code,
    CodeType,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Language,
    OriginalContactType,
    Phone,
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
    if not last_name.strip():
        raise ServiceError("a contact needs a last name")
    with audited(actor), transaction.atomic():
        return Contact.objects.create(
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            middle_name=middle_name.strip(),
            prefix=_code(CodeType.PREFIX, prefix),
            suffix=_code(CodeType.SUFFIX, suffix),
            gender=_code(CodeType.GENDER, gender),
            state_contact_id=state_contact_id,
            employer=employer,
            exclude_from_state_reporting=exclude_from_state_reporting,
            is_active=is_active,
            preferred_language=preferred_language,
        )


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
        raise ServiceError(f"{address!r} is not a valid email address: {error}") from None


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
            order = (emails.aggregate(top=Max("order"))["top"] or 0) + 1
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
        raise ServiceError(f"{number!r} has no digits")
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
            priority_order = (links.aggregate(top=Max("priority_order"))["top"] or 0) + 1
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
            priority_order = (links.aggregate(top=Max("priority_order"))["top"] or 0) + 1
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
        top = (
            StudentContact.objects.filter(student=student).aggregate(
                top=Max("contact_priority_order")
            )["top"]
            or 0
        )
        if contact_priority_order is None:
            position = top + 1
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
        raise ServiceError(f"{address} is already one of this contact's emails")
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


def merge_contacts(
    *,
    actor: Actor,
    duplicate: Contact,
    into: Contact,
    relationship_type: str | None = None,
    allow_data_access: bool | None = None,
) -> Contact:
    """Fold a duplicate contact into the contact that already exists for the same person.

    PowerSchool's fix for "email already in use": the duplicate's students are attached to the
    existing contact (with the relationship and data access staff chose, on the active detail),
    anything only the duplicate had (emails, phones, addresses, blank fields) is kept on the
    existing contact, and the duplicate is removed. Students both were linked to keep the
    existing contact's link. A portal account moves across when only the duplicate had one.
    Both contacts must be wholly in the actor's scope (``check_merge``).
    """
    check_merge(actor=actor, duplicate=duplicate, into=into)
    dup_account = getattr(duplicate, "account", None)
    if dup_account is not None and getattr(into, "account", None) is not None:
        raise ServiceError(
            f"both {duplicate} and {into} have portal accounts: disable and remove one first"
        )
    relationship = _code(CodeType.RELATIONSHIP_TYPE, relationship_type)
    with audited(actor), transaction.atomic():
        Contact.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk]).count()
        already = set(into.student_links.values_list("student_id", flat=True))
        for link in list(duplicate.student_links.prefetch_related("details")):
            if link.student_id in already:
                link.delete()
                continue
            link.contact = into
            link.save(update_fields=["contact"])
            _chosen_detail(link, relationship, allow_data_access)
        addresses = {e.address.lower() for e in into.emails.all()}
        next_order = (into.emails.aggregate(top=Max("order"))["top"] or 0) + 1
        for email in duplicate.emails.all():
            if email.address.lower() in addresses:
                continue
            email.contact, email.is_primary, email.order = into, False, next_order
            email.save(update_fields=["contact", "is_primary", "order"])
            next_order += 1
        phones = set(into.phones.values_list("phone_id", flat=True))
        next_priority = (into.phones.aggregate(top=Max("priority_order"))["top"] or 0) + 1
        for contact_phone in duplicate.phones.all():
            if contact_phone.phone_id in phones:
                continue
            contact_phone.contact, contact_phone.priority_order = into, next_priority
            contact_phone.is_preferred = (
                contact_phone.is_preferred and not into.phones.filter(is_preferred=True).exists()
            )
            contact_phone.save(update_fields=["contact", "priority_order", "is_preferred"])
            next_priority += 1
        kept = [link.address for link in into.addresses.select_related("address")]
        next_priority = (into.addresses.aggregate(top=Max("priority_order"))["top"] or 0) + 1
        for contact_address in duplicate.addresses.select_related("address"):
            if any(_same_address(contact_address.address, a) for a in kept):
                continue
            contact_address.contact, contact_address.priority_order = into, next_priority
            contact_address.save(update_fields=["contact", "priority_order"])
            next_priority += 1
        changed = []
        for field in (
            "first_name",
            "middle_name",
            "prefix",
            "suffix",
            "gender",
            "state_contact_id",
            "employer",
        ):
            if not getattr(into, field) and getattr(duplicate, field):
                setattr(into, field, getattr(duplicate, field))
                changed.append(field)
        if duplicate.is_active and not into.is_active:
            into.is_active = True
            changed.append("is_active")
        if changed:
            into.save(update_fields=changed)
        if dup_account is not None:
            dup_account.contact = into
            dup_account.save(update_fields=["contact"])
        duplicate.delete()
        return into
