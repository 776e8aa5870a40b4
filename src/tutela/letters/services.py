"""Preparing a run of letters home: who gets one, in which language, and the links they carry.

``prepare_letters`` is the one state change behind the ``tutela letters`` command and the staff
screen. An activation letter carries a new single-use link (``TokenPurpose.LETTER_ACTIVATION``,
valid ``TUTELA_LETTER_LINK_DAYS``); preparing letters for a parent again voids the links of
their earlier letters, so only the newest paper works. An access-code letter prints the
student's usable code, and a student without one is given one first.

The raw links exist only in the returned ``LetterRun``, in memory, until it is printed: the
database keeps SHA-256 hashes, and nothing here logs a link or a code.
"""

from __future__ import annotations

import csv
import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from tutela.accesscodes.codes import format_code
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.services.issuing import issue_missing_codes
from tutela.accounts.models import AccessToken, Account, TokenPurpose
from tutela.accounts.scopes import Actor, Scope
from tutela.accounts.services import hash_token
from tutela.core.audit import audited, log_summary
from tutela.core.bulk import insert_rows
from tutela.letters.models import LetterKind, LetterTemplate
from tutela.notifications.email import portal_url
from tutela.notifications.vocabulary import EmailContext
from tutela.people.models import CONTACT_LANGUAGE, Language, School, Student, StudentContact
from tutela.people.selectors import links_granting_access
from tutela.people.services import OutsideScope, ServiceError
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.plan import CREATE
from tutela.sections.models import Section

LANGUAGE_CHOICES = (*Language.values, CONTACT_LANGUAGE)
# Rows per query: well under every database's limit on parameters.
CHUNK = 500


@dataclass(frozen=True)
class LetterRequest:
    """Which letters: a kind, the students (school, grades, a section, the accounts an
    AutoCreate run created) and a language (``en``, ``es`` or each contact's own)."""

    kind: str
    school: School | None = None
    grades: tuple[str, ...] = ()
    section: Section | None = None
    autocreate_job: AutoCreateJob | None = None
    language: str = Language.ENGLISH

    def describe(self) -> str:
        parts = [f"school {self.school.school_number}" if self.school else "every school"]
        if self.grades:
            parts.append("grade " + ", ".join(self.grades))
        if self.section is not None:
            parts.append(f"section {self.section.section_id}")
        if self.autocreate_job is not None:
            parts.append(f"accounts created by AutoCreate run #{self.autocreate_job.pk}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Letter:
    """One page: its language, the values its text is filled with, and the link its QR code
    opens (the activation link, or registration with the code filled in)."""

    language: str
    values: EmailContext
    link: str
    key: str  # the contact id or the student number: what the mail-merge row is about


@dataclass
class LetterRun:
    """The letters of one run, in print order, and what preparing them did."""

    kind: str
    letters: list[Letter] = field(default_factory=list)
    voided: int = 0  # earlier letters' links that stopped working
    codes_issued: int = 0  # students who had no usable access code and were given one
    outside_scope: int = 0  # parents left out: they have children beyond the actor's schools


class LetterError(ServiceError):
    """A request for letters that cannot be printed; the message says why."""


def letter_templates() -> dict[tuple[str, str], LetterTemplate]:
    """Every letter text by (kind, language)."""
    return {(t.kind, t.language): t for t in LetterTemplate.objects.all()}


def registration_link(code: str = "") -> str:
    """The registration page on the district's own address, with a code filled in if given."""
    link = settings.TUTELA_BASE_URL + reverse("accesscodes:register")
    return f"{link}?code={format_code(code)}" if code else link


def activation_link(raw_token: str) -> str:
    return settings.TUTELA_BASE_URL + reverse("accounts:activate", kwargs={"token": raw_token})


def _students(actor: Actor, request: LetterRequest) -> QuerySet[Student]:
    """The selected students the actor's schools cover (school staff and district admins)."""
    scope = Scope.of(actor)
    if not scope.is_school_staff:
        raise OutsideScope("letters are printed by school and district staff")
    students = scope.school_students()
    if request.school is not None:
        if not scope.covers_school(request.school.pk):
            raise OutsideScope(f"school {request.school.school_number} is not one of yours")
        students = students.filter(school=request.school)
    if request.grades:
        students = students.filter(grade_level__in=list(request.grades))
    if request.section is not None:
        if not scope.covers_school(request.section.school_id):
            raise OutsideScope(f"section {request.section.section_id} is not one of yours")
        students = students.filter(sections=request.section)
    return students


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _language(request: LetterRequest, preferred: str | None) -> str:
    if request.language == CONTACT_LANGUAGE:
        return preferred if preferred in Language.values else Language.ENGLISH
    return request.language


def _created_by(job: AutoCreateJob) -> set[int]:
    """The contacts whose accounts a real AutoCreate run created, from its saved plan."""
    if job.simulate or job.status != AutoCreateJob.Status.DONE:
        raise LetterError(f"AutoCreate run #{job.pk} is not a finished real run")
    with job.open_plan_csv() as plan:
        rows = csv.DictReader(plan)
        return {int(row["contact"]) for row in rows if row["action"] == CREATE and row["contact"]}


def _awaiting_activation(account: Account) -> bool:
    """An enabled account whose parent has not chosen a password yet: an activation link for
    anyone else would let whoever holds the paper replace a password in use."""
    return account.is_active and (not account.has_usable_password() or account.must_change_password)


@dataclass
class Recipients:
    """The parents an activation run writes to, with their selected students' names."""

    accounts: list[Account]
    students: dict[int, list[str]]  # by contact id
    outside_scope: int = 0


def activation_recipients(*, actor: Actor, request: LetterRequest) -> Recipients:
    """The parents of the selected students whose accounts wait for activation, in print
    order (by name); parents with children beyond a school admin's schools are left out
    (counted), as for any change to a person's account."""
    students = _students(actor, request)
    # A letter names only the children its parent may see: never one a court order keeps
    # from them (the access rule's one home).
    links = (
        links_granting_access()
        .filter(student__in=students.values("pk"))
        .order_by("student__last_name", "student__first_name")
    )
    names: dict[int, list[str]] = {}
    for contact_id, first, last in links.values_list(
        "contact_id", "student__first_name", "student__last_name"
    ):
        name = f"{first} {last}".strip()
        if name not in names.setdefault(contact_id, []):
            names[contact_id].append(name)
    wanted = list(names)
    if request.autocreate_job is not None:
        created = _created_by(request.autocreate_job)
        wanted = [c for c in wanted if c in created]
    scope = Scope.of(actor)
    accounts: list[Account] = []
    for ids in _chunks(wanted):
        found = Account.objects.filter(contact_id__in=ids).select_related("contact")
        accounts.extend(a for a in found if _awaiting_activation(a))
    outside = 0
    if not scope.district_wide:
        whole: set[int] = set()
        for ids in _chunks([a.contact_id for a in accounts if a.contact_id]):
            whole |= set(scope.whole_contacts().filter(pk__in=ids).values_list("pk", flat=True))
        outside = sum(1 for a in accounts if a.contact_id not in whole)
        accounts = [a for a in accounts if a.contact_id in whole]
    accounts.sort(key=_by_name)
    return Recipients(accounts=accounts, students=names, outside_scope=outside)


def _by_name(account: Account) -> tuple[str, str, int]:
    contact = account.contact
    assert contact is not None
    return (contact.last_name.lower(), contact.first_name.lower(), contact.pk)


def _outstanding(account_ids: list[int]) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(
        account_id__in=account_ids,
        purpose=TokenPurpose.LETTER_ACTIVATION,
        used_at__isnull=True,
        voided_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def letters_already_printed(*, actor: Actor, request: LetterRequest) -> int:
    """How many of the run's parents hold an earlier letter whose link still works: printing
    again voids those links, which the staff screen says before it does."""
    if request.kind != LetterKind.ACTIVATION:
        return 0
    ids = [a.pk for a in activation_recipients(actor=actor, request=request).accounts]
    return sum(
        _outstanding(chunk).values("account_id").distinct().count() for chunk in _chunks(ids)
    )


def _activation_letters(actor: Actor, request: LetterRequest, run: LetterRun) -> None:
    recipients = activation_recipients(actor=actor, request=request)
    accounts, names = recipients.accounts, recipients.students
    run.outside_scope = recipients.outside_scope
    now = timezone.now()
    expires = now + datetime.timedelta(days=settings.TUTELA_LETTER_LINK_DAYS)
    account_ids = [a.pk for a in accounts]
    for ids in _chunks(account_ids):
        # Set-based (a run is a school's worth of families): one summary entry below.
        run.voided += _outstanding(ids).update(voided_at=now)
    rows = []
    for account in accounts:
        raw = secrets.token_urlsafe(32)
        rows.append((account.pk, TokenPurpose.LETTER_ACTIVATION.value, hash_token(raw), expires))
        contact = account.contact
        assert contact is not None
        link = activation_link(raw)
        run.letters.append(
            Letter(
                language=_language(request, contact.preferred_language),
                values={
                    "parent_name": str(contact) or account.get_full_name() or account.username,
                    "username": account.username,
                    "students": ", ".join(names.get(contact.pk, [])),
                    "activation_link": link,
                    "link_expires_on": timezone.localdate(expires).isoformat(),
                },
                link=link,
                key=str(contact.pk),
            )
        )
    # Not the big-load upkeep: dropping the tokens' foreign key would lock the accounts table.
    insert_rows(
        AccessToken,
        ("account_id", "purpose", "token_hash", "expires_at"),
        rows,
        may_drop_indexes=False,
    )
    if accounts:
        log_summary(
            instance=request.autocreate_job or request.school or accounts[0],
            action="activation letters printed",
            count=len(accounts),
            scope=request.describe(),
            voided=run.voided,
            expires_at=expires.isoformat(),
        )


def _first_contact_languages(student_ids: list[int]) -> dict[int, str]:
    """Each student's first contact's language (the lowest priority number): the family's."""
    languages: dict[int, str] = {}
    for ids in _chunks(student_ids):
        ordered = (
            StudentContact.objects.filter(student_id__in=ids)
            .order_by("student_id", "contact_priority_order", "id")
            .values_list("student_id", "contact__preferred_language")
        )
        for student_id, language in ordered:
            languages.setdefault(student_id, language)
    return languages


def _access_code_letters(actor: Actor, request: LetterRequest, run: LetterRun) -> None:
    students = _students(actor, request)
    run.codes_issued = issue_missing_codes(
        actor=actor, students=students, scope=f"letters for {request.describe()}"
    )
    rows = list(
        students.order_by("school__school_number", "grade_level", "last_name", "first_name", "pk")
        .values_list("pk", "student_number", "first_name", "last_name", "school__name")
        .distinct()
    )
    ids = [row[0] for row in rows]
    codes: dict[int, str] = {}
    now = timezone.now()
    for chunk in _chunks(ids):
        usable = AccessCode.objects.filter(student_id__in=chunk, revoked_at__isnull=True)
        for student_id, code, expires_at in usable.values_list("student_id", "code", "expires_at"):
            if expires_at is None or expires_at > now:
                codes[student_id] = code
    languages = _first_contact_languages(ids) if request.language == CONTACT_LANGUAGE else {}
    for pk, number, first, last, school_name in rows:
        code = codes[pk]
        link = registration_link(code)
        run.letters.append(
            Letter(
                language=_language(request, languages.get(pk)),
                values={
                    "student_name": f"{first} {last}".strip(),
                    "school_name": school_name,
                    "access_code": format_code(code),
                    "registration_link": link,
                },
                link=link,
                key=number,
            )
        )


def prepare_letters(*, actor: Actor, request: LetterRequest) -> LetterRun:
    """Choose the letters of ``request`` and give each what it prints, in one transaction.

    Activation letters go to the parents of the selected students whose accounts wait for
    their first password (one letter a parent, whatever their number of children); access-code
    letters to each selected student. School staff reach their schools' students, and parents
    none of whose children are beyond those schools.
    """
    if request.kind not in LetterKind.values:
        raise LetterError(f"unknown kind of letter {request.kind!r}")
    if request.language not in LANGUAGE_CHOICES:
        raise LetterError(f"unknown language {request.language!r}")
    if request.autocreate_job is not None and request.kind != LetterKind.ACTIVATION:
        raise LetterError("an AutoCreate run's accounts get activation letters only")
    run = LetterRun(kind=request.kind)
    with audited(actor), transaction.atomic():
        if request.kind == LetterKind.ACTIVATION:
            _activation_letters(actor, request, run)
        else:
            _access_code_letters(actor, request, run)
    return run


def preview_values(kind: str) -> EmailContext:
    """Stand-in values for a template preview: an invented family, a link that opens nothing."""
    if kind == LetterKind.ACTIVATION:
        return {
            "parent_name": "Maria Example",
            "username": "maria@example.org",
            "students": "Ana Example, Luis Example",
            "activation_link": activation_link("PREVIEW-NOT-A-REAL-LINK"),
            "link_expires_on": (
                timezone.localdate() + datetime.timedelta(days=settings.TUTELA_LETTER_LINK_DAYS)
            ).isoformat(),
        }
    return {
        "student_name": "Ana Example",
        "school_name": "Example Elementary",
        "access_code": "PREV-IEW0-0000",
        "registration_link": registration_link(),
    }


def district_values() -> EmailContext:
    """What every letter may name: the district and the portal's address."""
    return {"district_name": settings.TUTELA_DISTRICT_NAME, "portal_url": portal_url()}
