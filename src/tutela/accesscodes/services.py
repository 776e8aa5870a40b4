"""Every change around parent access codes: issuing, resetting, redeeming, registering, adding a
child, and deciding the restricted-student queue.

Guarding against guessing is part of redeeming: every entry is recorded (without what was
typed), failures are limited per address and per account within a window, and a burst of wrong
guesses at many different codes blocks the address for longer. Attempt records are committed
before a refusal is raised, so callers must not wrap ``redeem_code`` in their own transaction.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tutela.accesscodes.codes import new_code, normalise_entry
from tutela.accesscodes.models import (
    FAILED_OUTCOMES,
    AccessCode,
    AddressBlock,
    AttemptOutcome,
    AttemptPurpose,
    CodeAttempt,
    PendingLink,
    PendingStatus,
    RegistrationRequest,
)
from tutela.accounts.models import SecurityEventKind
from tutela.accounts.selectors import link_visible_to
from tutela.accounts.services import hash_token, record_event
from tutela.core.audit import actor_name, audited, log_summary
from tutela.people.details import covers
from tutela.people.models import Contact, School, Student, StudentContact, StudentContactDetail
from tutela.people.services import (
    ServiceError,
    add_email,
    create_contact,
    link_student,
    validate_email_address,
)

logger = logging.getLogger(__name__)

CHUNK = 5000


class AccessCodeError(Exception):
    """A code entry that cannot go further; the message is safe to show to the person."""


class CodesDisabled(AccessCodeError):
    """The district has switched parent access codes off."""


class CodeRefused(AccessCodeError):
    """Too many failed entries: refused without looking at the code, right or wrong."""


class CodeNotAccepted(AccessCodeError):
    """No current code matches what was typed."""


# ---------------------------------------------------------------------------------------------
# Issuing and resetting


def default_expiry(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When a code issued now expires under the district setting (``None``: never)."""
    days = settings.ACCESS_CODE_VALID_DAYS
    if not days:
        return None
    return (now or timezone.now()) + datetime.timedelta(days=days)


def _unused_codes(count: int) -> list[str]:
    """``count`` fresh codes that no code ever issued uses, checked against the table."""
    fresh: set[str] = set()
    while len(fresh) < count:
        batch = {new_code() for _ in range(min(CHUNK, count - len(fresh)))} - fresh
        taken = set(AccessCode.objects.filter(code__in=batch).values_list("code", flat=True))
        fresh |= batch - taken
    return list(fresh)


def _distinct_codes(count: int) -> list[str]:
    """``count`` fresh codes, distinct among themselves (not checked against the table)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        fresh.add(new_code())
    return list(fresh)


def _issue(
    students: QuerySet[Student],
    *,
    actor: Any,
    expires_at: datetime.datetime | None,
    action: str,
    scope: str,
) -> int:
    """Revoke the current codes of ``students`` and give each a new one, in bulk.

    A new code clashes with one of N codes ever issued with odds N / 2^60 (one in ten million
    for a district that has issued a hundred thousand), so codes are inserted unchecked and the
    unique constraint catches the rare clash, after which that batch is drawn again, checked.

    The writes are set-based, so auditlog sees no row: each school touched gets one summary
    entry instead (``action``, how many codes were issued and revoked, ``scope``), naming the
    actor of the surrounding ``audited(actor)`` and never a code.
    """
    now = timezone.now()
    expiry = expires_at if expires_at is not None else default_expiry(now)
    rows = list(students.order_by().values_list("pk", "school_id"))
    ids = [pk for pk, _ in rows]
    issued = Counter(school_id for _, school_id in rows)
    creator = actor if getattr(actor, "pk", None) else None
    current = AccessCode.objects.filter(
        revoked_at__isnull=True, student_id__in=students.order_by().values("pk")
    )
    revoked = Counter(
        dict(
            current.order_by()
            .values_list("student__school_id")
            .annotate(n=Count("pk"))
            .values_list("student__school_id", "n")
        )
    )
    current.update(revoked_at=now)
    insert = partial(
        _insert_codes, now=now, creator_id=creator.pk if creator else None, expires_at=expiry
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            with transaction.atomic():
                insert(list(zip(chunk, _distinct_codes(len(chunk)), strict=True)))
        except IntegrityError:
            insert(list(zip(chunk, _unused_codes(len(chunk)), strict=True)))
    for school in School.objects.filter(pk__in=issued.keys()).order_by("pk"):
        log_summary(
            instance=school,
            action=action,
            count=issued[school.pk],
            scope=scope,
            revoked=revoked[school.pk],
            expires_at=expiry.isoformat() if expiry else None,
        )
    return len(ids)


def _insert_codes(
    rows: list[tuple[int, str]],
    *,
    now: datetime.datetime,
    creator_id: int | None,
    expires_at: datetime.datetime | None,
) -> None:
    """Insert (student id, code) rows: PostgreSQL's COPY, else one prepared statement.

    ``bulk_create`` spends ~0.3 ms a row building SQL in Python; a district-wide reset is
    100,000 rows.
    """
    table = connection.ops.quote_name(AccessCode._meta.db_table)
    columns = "(student_id, code, created_at, created_by_id, expires_at)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own cursor: Django's wrapper has no COPY, so map its errors here.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy,
            ):
                for student_id, code in rows:
                    copy.write_row((student_id, code, now, creator_id, expires_at))
            return
        created = connection.ops.adapt_datetimefield_value(now)
        expiry = connection.ops.adapt_datetimefield_value(expires_at)
        cursor.executemany(
            f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [(student_id, code, created, creator_id, expiry) for student_id, code in rows],
        )


def _usable_now(now: datetime.datetime) -> Q:
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def generate_codes(
    *,
    actor: Any,
    school: School | None = None,
    missing_only: bool = False,
    expires_at: datetime.datetime | None = None,
) -> int:
    """Give every student (of ``school``, if given) a new code; the number of codes issued.

    Without ``missing_only`` a student's existing code is replaced and stops working. With it,
    only students without a usable code (none yet, expired, or used up) get one: the way to
    cover new enrolments and, with single-use codes, the next guardian.
    """
    with audited(actor), transaction.atomic():
        students = Student.objects.all()
        if school is not None:
            students = students.filter(school=school)
        if missing_only:
            usable = AccessCode.objects.filter(_usable_now(timezone.now()))
            students = students.exclude(pk__in=usable.values("student_id"))
        scope = f"school {school.school_number}" if school else "the district"
        if missing_only:
            scope += ", students without a usable code"
        issued = _issue(
            students,
            actor=actor,
            expires_at=expires_at,
            action="access codes generated",
            scope=scope,
        )
    logger.info(
        "access codes: %d issued (school %s, missing only %s) by %s",
        issued,
        school.school_number if school else "all",
        missing_only,
        actor_name(actor) or "the system",
    )
    return issued


def reset_codes(
    *,
    actor: Any,
    school: School | None = None,
    student: Student | None = None,
    expires_at: datetime.datetime | None = None,
) -> int:
    """Replace the codes of one student, a school, or (neither given) the whole district.

    The old codes stop working at once, including in registrations still waiting for their
    email link.
    """
    if school is not None and student is not None:
        raise ServiceError("reset one student or one school, not both")
    with audited(actor), transaction.atomic():
        if student is not None:
            # One student: through the ORM, so the audit trail records the reset by name.
            now = timezone.now()
            for current in AccessCode.objects.filter(student=student, revoked_at__isnull=True):
                current.revoked_at = now
                current.save(update_fields=["revoked_at"])
            AccessCode.objects.create(
                student=student,
                code=_unused_codes(1)[0],
                created_by=actor if getattr(actor, "pk", None) else None,
                expires_at=expires_at if expires_at is not None else default_expiry(now),
            )
            return 1
        students = Student.objects.all()
        if school is not None:
            students = students.filter(school=school)
        replaced = _issue(
            students,
            actor=actor,
            expires_at=expires_at,
            action="access codes reset",
            scope=f"school {school.school_number}" if school else "the district",
        )
    logger.info(
        "access codes: %d reset (school %s) by %s",
        replaced,
        school.school_number if school else "all",
        actor_name(actor) or "the system",
    )
    return replaced


# ---------------------------------------------------------------------------------------------
# Redeeming, with the guard against guessing


def _digest(entry: str) -> str:
    """A keyed digest of what was typed: counts distinct guesses without keeping them."""
    canonical = normalise_entry(entry) or " ".join(entry.split()).upper()
    return salted_hmac("tutela.accesscodes.attempt", canonical).hexdigest()[:32]


def _record(
    outcome: AttemptOutcome,
    *,
    purpose: AttemptPurpose,
    remote_address: str | None,
    account: Any,
    entry: str = "",
    student: Student | None = None,
) -> CodeAttempt:
    return CodeAttempt.objects.create(
        outcome=outcome,
        purpose=purpose,
        remote_address=remote_address,
        account=account if getattr(account, "pk", None) else None,
        entry_digest=_digest(entry) if entry else "",
        student=student,
    )


def failures_within_window(
    *, remote_address: str | None, account: Any, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """Failed entries in the current window from this address and by this account."""
    since = (now or timezone.now()) - datetime.timedelta(
        seconds=settings.ACCESS_CODE_FAILURE_WINDOW
    )
    failed = CodeAttempt.objects.filter(created_at__gt=since, outcome__in=FAILED_OUTCOMES)
    by_address = failed.filter(remote_address=remote_address).count() if remote_address else 0
    by_account = failed.filter(account=account).count() if getattr(account, "pk", None) else 0
    return by_address, by_account


def _check_burst(remote_address: str | None, now: datetime.datetime) -> None:
    """Many different codes tried from one address block it for the block time.

    Entries refused by the hourly limit count too: a parent who mistypes stops when told to
    wait, while someone walking the code space keeps sending new codes. So ten wrong codes are
    only the hourly limit (which lifts after the window), and the block is for what follows.
    """
    if not remote_address or not settings.ACCESS_CODE_BURST_CODES:
        return
    since = now - datetime.timedelta(seconds=settings.ACCESS_CODE_BURST_WINDOW)
    distinct = (
        CodeAttempt.objects.filter(
            remote_address=remote_address,
            created_at__gt=since,
            outcome__in=(*FAILED_OUTCOMES, AttemptOutcome.REFUSED),
        )
        .aggregate(n=Count("entry_digest", distinct=True))
        .get("n")
        or 0
    )
    if distinct >= settings.ACCESS_CODE_BURST_CODES:
        AddressBlock.objects.create(
            remote_address=remote_address,
            blocked_until=now + datetime.timedelta(seconds=settings.ACCESS_CODE_BLOCK_SECONDS),
            distinct_failures=distinct,
        )
        logger.warning(
            "access codes: blocked %s after wrong guesses at %d different codes",
            remote_address,
            distinct,
        )


TOO_MANY = (
    "Too many codes that did not work were entered. For your child's safety, code entry is "
    "paused; please try again in an hour or ask the school for help."
)
BLOCKED = (
    "Code entry from this network is paused because of many wrong codes. Please ask the "
    "school for help."
)
NOT_RECOGNISED = "That access code was not recognised. Check it against the school's letter."
NOT_CURRENT = "That access code is no longer valid. Ask the school for a new one."


def redeem_code(
    *,
    entry: str,
    purpose: AttemptPurpose,
    remote_address: str | None,
    account: Any = None,
) -> AccessCode:
    """The current code a person typed, or ``AccessCodeError`` saying why not.

    Limits are checked before the code is looked at, so once an address or account has used
    up its failures even a right code is refused until the window has passed.
    """
    if not settings.ACCESS_CODES_ENABLED:
        raise CodesDisabled("Parent access codes are not in use in this district.")
    now = timezone.now()
    context: dict[str, Any] = {
        "purpose": purpose,
        "remote_address": remote_address,
        "account": account,
    }
    with transaction.atomic():
        if (
            remote_address
            and AddressBlock.objects.filter(
                remote_address=remote_address, blocked_until__gt=now
            ).exists()
        ):
            _record(AttemptOutcome.BLOCKED, **context)
            refusal: AccessCodeError | None = CodeRefused(BLOCKED)
        else:
            by_address, by_account = failures_within_window(
                remote_address=remote_address, account=account, now=now
            )
            limit = settings.ACCESS_CODE_MAX_FAILURES
            if by_address >= limit or by_account >= limit:
                _record(AttemptOutcome.REFUSED, entry=entry, **context)
                _check_burst(remote_address, now)
                logger.warning(
                    "access codes: refused entry from %s (account %s) after %d failures",
                    remote_address or "unknown address",
                    getattr(account, "pk", None),
                    max(by_address, by_account),
                )
                refusal = CodeRefused(TOO_MANY)
            else:
                refusal = None
        if refusal is None:
            stored = normalise_entry(entry)
            code = (
                AccessCode.objects.select_related("student", "student__school")
                .filter(code=stored)
                .first()
                if stored
                else None
            )
            if code is None:
                _record(AttemptOutcome.WRONG, entry=entry, **context)
                _check_burst(remote_address, now)
                refusal = CodeNotAccepted(NOT_RECOGNISED)
            elif not code.is_usable(now):
                _record(AttemptOutcome.UNUSABLE, entry=entry, student=code.student, **context)
                refusal = CodeNotAccepted(NOT_CURRENT)
            else:
                _record(AttemptOutcome.ACCEPTED, student=code.student, **context)
                return code
    raise refusal


# ---------------------------------------------------------------------------------------------
# Linking an account to a student


@dataclass(frozen=True)
class LinkOutcome:
    """What a right code led to: a link with data access, or a wait in the restricted queue."""

    student: Student
    link: StudentContact | None = None
    pending: PendingLink | None = None

    @property
    def is_pending(self) -> bool:
        return self.pending is not None


def student_is_restricted(student: Student) -> bool:
    return StudentContact.objects.filter(student=student, restricted=True).exists()


def _relationship() -> str | None:
    """The district's default relationship for a registered parent, if it is a known code."""
    from tutela.people.codesets import CodeBook, CodeProblem
    from tutela.people.models import CodeType

    wanted = settings.ACCESS_CODE_RELATIONSHIP.strip()
    if not wanted:
        return None
    try:
        CodeBook.load().match(CodeType.RELATIONSHIP_TYPE, wanted)
    except CodeProblem:
        logger.warning(
            "TUTELA_ACCESS_CODE_RELATIONSHIP %r is not a RelationshipType code; linking "
            "without a relationship",
            wanted,
        )
        return None
    return wanted


def _grant_link(*, actor: Any, account: Any, student: Student) -> StudentContact:
    """Link the account's contact to the student with data access, or grant it on a link."""
    contact: Contact = account.contact
    link = StudentContact.objects.filter(student=student, contact=contact).first()
    if link is None:
        link = link_student(
            actor=actor,
            contact=contact,
            student=student,
            relationship_type=_relationship(),
            allow_data_access=True,
        )
    else:
        today = datetime.date.today()
        detail = link.active_detail(today)
        if detail is None:
            StudentContactDetail.objects.create(link=link, allow_data_access=True)
        elif not covers(detail, today):
            # No grant is in force (the last one ended, or the next has not begun): the code
            # starts one today, keeping the recorded relationship, up to the next one if any.
            StudentContactDetail.objects.create(
                link=link,
                start_date=today,
                end_date=(
                    detail.start_date - datetime.timedelta(days=1)
                    if detail.start_date and detail.start_date > today
                    else None
                ),
                relationship_type_id=detail.relationship_type_id,
                allow_data_access=True,
            )
        elif not detail.allow_data_access:
            detail.allow_data_access = True
            detail.save(update_fields=["allow_data_access"])
    transaction.on_commit(lambda: notify_other_guardians(student=student, new_account=account))
    return link


def _link_or_queue(*, actor: Any, account: Any, code: AccessCode) -> LinkOutcome:
    student = code.student
    if student_is_restricted(student):
        pending, _ = PendingLink.objects.get_or_create(
            student=student,
            contact=account.contact,
            status=PendingStatus.PENDING,
            defaults={"account": account, "access_code": code},
        )
        return LinkOutcome(student=student, pending=pending)
    return LinkOutcome(
        student=student, link=_grant_link(actor=actor, account=account, student=student)
    )


def _still_usable(code: AccessCode) -> AccessCode:
    """The code again, locked: a reset or another guardian's single use since it was checked
    wins (two parents racing for one single-use code cannot both have it)."""
    locked = (
        AccessCode.objects.select_for_update()
        .select_related("student", "student__school")
        .get(pk=code.pk)
    )
    if not locked.is_usable(timezone.now()):
        raise CodeNotAccepted(NOT_CURRENT)
    return locked


def _consume_if_single_use(code: AccessCode, account: Any) -> None:
    if not settings.ACCESS_CODE_SINGLE_USE:
        return
    now = timezone.now()
    code.used_at = now
    code.used_by = account
    code.revoked_at = now
    code.save(update_fields=["used_at", "used_by", "revoked_at"])


def has_data_access(*, account: Any, student: Student) -> bool:
    """Whether the portal already shows ``student`` to ``account`` (the portal's own rule)."""
    if getattr(account, "contact", None) is None:
        return False
    return link_visible_to(account=account, student_id=student.pk) is not None


def add_child(*, actor: Any, entry: str, remote_address: str | None) -> LinkOutcome:
    """A signed-in parent adds another student to their account with that student's code."""
    if getattr(actor, "contact", None) is None:
        raise ServiceError("only a parent's account can add a child")
    code = redeem_code(
        entry=entry,
        purpose=AttemptPurpose.ADD_CHILD,
        remote_address=remote_address,
        account=actor,
    )
    if has_data_access(account=actor, student=code.student):
        raise ServiceError(f"{code.student.first_name} is already on your account.")
    with audited(actor), transaction.atomic():
        code = _still_usable(code)
        outcome = _link_or_queue(actor=actor, account=actor, code=code)
        _consume_if_single_use(code, actor)
        return outcome


# ---------------------------------------------------------------------------------------------
# Self-registration


def _send(template: str, context: dict[str, Any], to: str) -> None:
    """One message to one address: recipients never see each other."""
    context = {"district": settings.TUTELA_DISTRICT_NAME, **context}
    subject = " ".join(
        render_to_string(f"accesscodes/email/{template}_subject.txt", context).split()
    )
    body = render_to_string(f"accesscodes/email/{template}.txt", context)
    html = render_to_string(f"accesscodes/email/{template}.html", context)
    send_mail(subject, body, None, [to], html_message=html)


def _send_notice(template: str, context: dict[str, Any], to: str) -> bool:
    """A courtesy email after the change has committed: a mail server down must not turn the
    parent's finished registration into an error page. Logged without the address."""
    try:
        _send(template, context, to)
    except Exception:
        logger.exception("access codes: could not send the %s email", template)
        return False
    return True


def request_registration(
    *,
    entry: str,
    first_name: str,
    last_name: str,
    email: str,
    remote_address: str | None,
    link_for: Callable[[str], str],
) -> RegistrationRequest | None:
    """Check the code and email a verification link (built by ``link_for(token)``).

    When the address already has an account, the email says to sign in and use Add Child
    instead, and no request is made; the page shows the same words either way, so the form
    cannot be used to learn who has an account.
    """
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise ServiceError("Please give your first and last name.")
    address = validate_email_address(email)
    code = redeem_code(entry=entry, purpose=AttemptPurpose.REGISTER, remote_address=remote_address)
    if get_user_model().objects.filter(email__iexact=address).exists():
        transaction.on_commit(lambda: _send("already_registered", {}, address))
        return None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        request = RegistrationRequest.objects.create(
            access_code=code,
            first_name=first_name,
            last_name=last_name,
            email=address,
            token_hash=hash_token(token),
            remote_address=remote_address,
            expires_at=timezone.now() + datetime.timedelta(hours=settings.REGISTRATION_LINK_HOURS),
        )
        link = link_for(token)
        context = {
            "first_name": first_name,
            "link": link,
            "hours": settings.REGISTRATION_LINK_HOURS,
        }
        transaction.on_commit(lambda: _send("verify", context, address))
    return request


def pending_registration(token: str) -> RegistrationRequest | None:
    """The open registration a link's token belongs to, or ``None`` if expired or used."""
    return (
        RegistrationRequest.objects.select_related("access_code__student")
        .filter(
            token_hash=hash_token(token), completed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


@dataclass(frozen=True)
class Registration:
    account: Any
    outcome: LinkOutcome


def register_with_code(*, token: str, password: str) -> Registration:
    """Finish a self-registration: contact, account and link to the student with data access.

    A contact already linked to the student with this email (and no account) is reused instead
    of creating a duplicate person. The code is checked again: a reset since the request stops
    it here.
    """
    request = pending_registration(token)
    if request is None:
        raise ServiceError("This link has expired or has already been used. Please start again.")
    code = request.access_code
    if not settings.ACCESS_CODES_ENABLED:
        raise CodesDisabled("Parent access codes are not in use in this district.")
    if not code.is_usable(timezone.now()):
        raise CodeNotAccepted(NOT_CURRENT)
    Account = get_user_model()
    if Account.objects.filter(email__iexact=request.email).exists():
        raise ServiceError("This email already has an account: sign in and use Add Child.")
    candidate = Account(
        username=request.email.lower(),
        email=request.email,
        first_name=request.first_name,
        last_name=request.last_name,
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from None
    with transaction.atomic():
        # Lock the request and the code: a double-submitted form or a reset in between must not
        # make two accounts or link with a dead code.
        request = RegistrationRequest.objects.select_for_update().get(pk=request.pk)
        if request.completed_at is not None:
            raise ServiceError("This link has already been used. Please sign in.")
        code = _still_usable(code)
        contact = (
            Contact.objects.filter(
                student_links__student=code.student,
                emails__address__iexact=request.email,
                account__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        candidate.is_active = True
        candidate.set_password(password)
        try:
            # The account comes first, so that everything after it is recorded as the
            # registering parent's own doing; only this first row has no actor yet.
            with audited(None), transaction.atomic():
                candidate.save()
        except IntegrityError:
            # Another registration took this email between the check and the insert.
            raise ServiceError(
                "This email already has an account: sign in and use Add Child."
            ) from None
        record_event(SecurityEventKind.ACCOUNT_CREATED, account=candidate, actor=candidate)
        with audited(candidate):
            if contact is None:
                contact = create_contact(
                    actor=candidate,
                    first_name=request.first_name,
                    last_name=request.last_name,
                    is_active=True,
                )
                add_email(actor=candidate, contact=contact, address=request.email, is_primary=True)
            candidate.contact = contact
            candidate.save(update_fields=["contact"])
            outcome = _link_or_queue(actor=candidate, account=candidate, code=code)
            _consume_if_single_use(code, candidate)
            request.completed_at = timezone.now()
            request.account = candidate
            request.save(update_fields=["completed_at", "account"])
    return Registration(account=candidate, outcome=outcome)


# ---------------------------------------------------------------------------------------------
# Telling the other guardians, and the restricted queue


def notify_other_guardians(*, student: Student, new_account: Any) -> int:
    """Email each other guardian who sees the student in the portal that someone new linked.

    The message names only the student (whom they already see) and the district: nothing
    about the new account's person, who may belong to another household. A guardian whose own
    link is restricted (a court order) is not told: the school decides what they learn.
    """
    links = (
        StudentContact.objects.filter(
            student=student, contact__account__is_active=True, restricted=False
        )
        .exclude(contact__account=new_account)
        .select_related("contact__account")
        .prefetch_related("details")
    )
    sent = 0
    today = datetime.date.today()
    for link in links:
        account = link.contact.account
        # Only a guardian whom the portal shows the student today is told about it.
        if not account.email or not link.grants_access(today):
            continue
        sent += _send_notice(
            "new_guardian",
            {"student_first_name": student.first_name, "school": student.school},
            account.email,
        )
    return sent


def _decide(pending: PendingLink, *, actor: Any, status: PendingStatus, note: str) -> None:
    if pending.status != PendingStatus.PENDING:
        raise ServiceError("this request has already been decided")
    pending.status = status
    pending.decided_at = timezone.now()
    pending.decided_by = actor if getattr(actor, "pk", None) else None
    pending.decision_note = note
    pending.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])


def approve_link(*, actor: Any, pending: PendingLink, note: str = "") -> StudentContact:
    """A school admin lets a restricted student's link go ahead."""
    with audited(actor), transaction.atomic():
        pending = PendingLink.objects.select_for_update().get(pk=pending.pk)
        _decide(pending, actor=actor, status=PendingStatus.APPROVED, note=note)
        link = _grant_link(actor=actor, account=pending.account, student=pending.student)
        email = pending.account.email
        context = {"approved": True, "student_first_name": pending.student.first_name}
        if email:
            transaction.on_commit(lambda: _send_notice("link_decided", context, email))
        return link


def deny_link(*, actor: Any, pending: PendingLink, note: str = "") -> None:
    """A school admin refuses a restricted student's link; the parent is told to call."""
    with audited(actor), transaction.atomic():
        pending = PendingLink.objects.select_for_update().get(pk=pending.pk)
        _decide(pending, actor=actor, status=PendingStatus.DENIED, note=note)
        email = pending.account.email
        context = {"approved": False, "school": pending.student.school}
        if email:
            transaction.on_commit(lambda: _send_notice("link_decided", context, email))
