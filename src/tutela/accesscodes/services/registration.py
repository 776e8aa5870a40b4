"""Self-registration with an access code: a verification email, then contact, account and link.

The registration page answers the same words whether or not the address already has an account,
so the form cannot be used to learn who has one.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tutela.accesscodes.models import AttemptPurpose, RegistrationRequest
from tutela.accesscodes.services.linking import (
    LinkOutcome,
    consume_if_single_use,
    link_or_queue,
    still_usable,
)
from tutela.accesscodes.services.redemption import (
    CODES_OFF,
    NOT_CURRENT,
    CodeNotAccepted,
    CodesDisabled,
    redeem_code,
)
from tutela.accounts.models import Account, SecurityEventKind
from tutela.accounts.services import hash_token, record_event
from tutela.core.audit import audited
from tutela.notifications.email import send_email
from tutela.people.duplicates import fold
from tutela.people.models import Contact, Student
from tutela.people.services import ServiceError, add_email, create_contact, validate_email_address


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
        raise ServiceError(_("Please give your first and last name."))
    address = validate_email_address(email)
    code = redeem_code(entry=entry, purpose=AttemptPurpose.REGISTER, remote_address=remote_address)
    if get_user_model().objects.filter(email__iexact=address).exists():
        send_email(to=address, template="already_registered", context={})
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
        send_email(
            to=address,
            template="finish_registration",
            context={
                "parent_name": first_name,
                "registration_link": link_for(token),
                "link_valid_hours": settings.REGISTRATION_LINK_HOURS,
            },
        )
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


def existing_contact(*, student: Student, email: str, last_name: str) -> Contact | None:
    """The contact a registering parent already is, so registering makes no second person.

    First a contact of the student with this email and no account. Then, since the same
    mother is often on file at a sibling's school, the one contact of the district with this
    email (any case) and no account, when its last name is the registrant's (folded for case
    and accents): the registrant proved the email is theirs by following the link sent to it.
    Two such contacts, or another last name, are left to the staff's duplicates queue rather
    than guessed between.
    """
    free = Contact.objects.filter(emails__address__iexact=email, account__isnull=True)
    own = free.filter(student_links__student=student).order_by("pk").first()
    if own is not None:
        return own
    elsewhere = list(free.distinct().order_by("pk")[:2])
    if len(elsewhere) == 1 and fold(elsewhere[0].last_name) == fold(last_name):
        return elsewhere[0]
    return None


@dataclass(frozen=True)
class Registration:
    account: Account
    outcome: LinkOutcome


def register_with_code(*, token: str, password: str) -> Registration:
    """Finish a self-registration: contact, account and link to the student with data access.

    A contact already linked to the student with this email (and no account), or else the
    district's one contact with this email and last name (``existing_contact``), is reused
    instead of creating a duplicate person. The code is checked again: a reset since the
    request stops it here.
    """
    request = pending_registration(token)
    if request is None:
        raise ServiceError(_("This link has expired or has already been used. Please start again."))
    code = request.access_code
    if not settings.ACCESS_CODES_ENABLED:
        raise CodesDisabled(CODES_OFF)
    if not code.is_usable(timezone.now()):
        raise CodeNotAccepted(NOT_CURRENT)
    Account = get_user_model()
    if Account.objects.filter(email__iexact=request.email).exists():
        raise ServiceError(_("This email already has an account: sign in and use Add Child."))
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
            raise ServiceError(_("This link has already been used. Please sign in."))
        code = still_usable(code)
        contact = existing_contact(
            student=code.student, email=request.email, last_name=request.last_name
        )
        candidate.is_active = True
        candidate.set_password(password)
        try:
            # The account comes first, so that everything after it is recorded as the
            # registering parent's own doing; only this first row has no actor yet.
            with transaction.atomic():
                candidate.save()
        except IntegrityError:
            # Another registration took this email between the check and the insert.
            raise ServiceError(
                _("This email already has an account: sign in and use Add Child.")
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
            outcome = link_or_queue(actor=candidate, account=candidate, code=code)
            consume_if_single_use(code, candidate)
            request.completed_at = timezone.now()
            request.account = candidate
            request.save(update_fields=["completed_at", "account"])
    return Registration(account=candidate, outcome=outcome)
