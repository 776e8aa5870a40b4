"""State changes to portal accounts: creating, enabling, first sign-in, passwords.

Each function takes keyword-only arguments and an explicit ``actor`` where a person acts (the
parent themselves, staff, or ``command_line_user()`` for a ``tutela`` command), runs in one
transaction and records a security event. Emails are sent when the transaction commits.

Staff act on a parent's account only when their scope covers every child of the parent's
contact (``people.services.require_whole_contact``): a password set by one school's staff
would open another school's child's records.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tutela.accounts.backends import find_account, recorded_identifier, unknown_identifier
from tutela.accounts.models import (
    AccessToken,
    Account,
    SecurityEvent,
    SecurityEventKind,
    TokenPurpose,
)
from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import actor_name, audited
from tutela.core.bulk import CHUNK
from tutela.notifications.email import (
    Email,
    compose_email,
    deliver,
    recipient_language,
    send_email,
)
from tutela.notifications.vocabulary import EmailContext
from tutela.people.models import Contact, ContactEmail
from tutela.people.services import OutsideScope, ServiceError, require_whole_contact

# PowerSchool's own words, which district staff already know from PowerSchool.
USERNAME_NOT_AVAILABLE = "Username not available"
EMAIL_IN_USE = "The account email address is already in use by another access account"


class AccountError(ServiceError):
    """A change to an account that breaks a rule; the message says which."""


class EmailInUse(AccountError):
    """The account email belongs to another account: usually a sibling's contact, a duplicate."""

    def __init__(self, existing: Account) -> None:
        super().__init__(EMAIL_IN_USE)
        self.existing = existing


class UsernameNotAvailable(AccountError):
    def __init__(self) -> None:
        super().__init__(USERNAME_NOT_AVAILABLE)


class InvalidLink(AccountError):
    """A link that is unknown, used, voided, expired, or for a disabled account."""

    def __init__(self) -> None:
        super().__init__("This link is not valid any more: it was used, replaced or has expired.")


def record_event(
    kind: SecurityEventKind,
    *,
    account: Account | None = None,
    actor: Actor | None = None,
    identifier: str = "",
    ip_address: str | None = None,
    recorded: str | None = None,
) -> SecurityEvent:
    """Write one security event (sign-in, failure, lockout, reset, password change...).

    ``recorded``: what to keep of the identifier, already decided (``recorded_identifier``).
    """
    if recorded is None:
        recorded = recorded_identifier(identifier, account) or (account.username if account else "")
    return SecurityEvent.objects.create(
        kind=kind,
        account=account,
        actor=actor if isinstance(actor, Account) and actor.pk else None,
        actor_name=actor_name(actor),
        identifier=recorded[:254],
        ip_address=ip_address or None,
    )


def check_password_rules(password: str, account: Account | None = None) -> None:
    """NIST 800-63B rules from AUTH_PASSWORD_VALIDATORS; one message listing every problem."""
    try:
        validate_password(password, account)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None


def imported_password() -> tuple[str, bool] | None:
    """The stored password of a parent account an import creates, and whether it must be
    changed at the first sign-in; ``None`` when the district set no default password.

    The default is hashed once per import and that hash is given to every new account: one
    Argon2 hash per account would take hours for a district, and the accounts share the
    password anyway. ``TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY`` (on by default) forces the
    change, since everyone who got the letter knows the password.
    """
    default = settings.TUTELA_IMPORTED_DEFAULT_PASSWORD
    if not default:
        return None
    try:
        validate_password(default)
    except ValidationError as error:
        raise ImproperlyConfigured(
            f"TUTELA_IMPORTED_DEFAULT_PASSWORD: {' '.join(error.messages)}"
        ) from None
    return make_password(default), settings.TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_scope_over(actor: Actor, account: Account) -> None:
    """Refuse to change ``account`` unless ``actor``'s scope covers every child of its contact;
    an account without a contact (a staff account) is the district's to change."""
    if account.contact is not None:
        require_whole_contact(actor=actor, contact=account.contact, change="change their account")
    elif not Scope.of(actor).district_wide:
        raise OutsideScope(f"only a district admin may change {account.username}")


def _contact_email(contact: Contact, email: str | None) -> ContactEmail:
    emails = list(contact.emails.all())
    if not emails:
        raise AccountError(f"{contact} has no email address: add one before creating an account")
    if email is None:
        primary = next((e for e in emails if e.is_primary), None)
        return primary or emails[0]
    for candidate in emails:
        if candidate.address.lower() == email.strip().lower():
            return candidate
    raise AccountError(f"{email} is not one of {contact}'s email addresses")


def _checked_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise AccountError("a username cannot be blank")
    longest = Account._meta.get_field("username").max_length or 150
    if len(name) > longest:
        raise AccountError(f"a username is at most {longest} characters")
    return name


def check_sign_in_names(*, username: str, address: str) -> str:
    """The new account's username, checked; refused when another account signs in with it or
    with the address.

    People sign in with a username or an account email, so each spelling may name one account
    only: a username that is another account's email would take its sign-in away.
    """
    name = _checked_username(username)
    existing = (
        Account.objects.filter(email__iexact=address).first()
        or Account.objects.filter(username__iexact=address).first()
    )
    if existing is not None:
        raise EmailInUse(existing)
    if Account.objects.filter(Q(username__iexact=name) | Q(email__iexact=name)).exists():
        raise UsernameNotAvailable()
    return name


def save_new_account(account: Account) -> None:
    """Insert a checked new account; a name or address taken meanwhile is the usual error."""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        # Another request took the name or address between the check and the insert.
        taken = Account.objects.filter(email__iexact=account.email).first()
        if account.email and taken is not None:
            raise EmailInUse(taken) from None
        raise UsernameNotAvailable() from None


def create_account(
    *,
    actor: Actor,
    contact: Contact,
    username: str | None = None,
    email: str | None = None,
    send_activation: bool = False,
    temporary_password: str | None = None,
    imported: bool = False,
) -> Account:
    """Give a contact its one portal account, enabled, on one of the contact's emails.

    The username defaults to the account email (PowerSchool's advice: it prevents conflicts).
    The contact must already be linked to a student. With ``send_activation`` the parent is
    emailed a link to choose a password; with ``temporary_password`` the parent must change it
    at first sign-in (for imported accounts only when the district says imported passwords are
    temporary).
    """
    if send_activation and temporary_password:
        raise AccountError("choose an activation link or a temporary password, not both")
    if Account.objects.filter(contact=contact).exists():
        raise AccountError(f"{contact} already has an account")
    if not contact.student_links.exists():
        raise AccountError(f"{contact} is not linked to any student yet")
    require_whole_contact(actor=actor, contact=contact, change="give them an account")
    chosen = _contact_email(contact, email)
    address = chosen.address
    name = check_sign_in_names(username=username or address, address=address)
    if temporary_password is not None:
        check_password_rules(temporary_password, Account(username=name, email=address))
    with audited(actor), transaction.atomic():
        account = Account(
            username=name,
            email=address,
            contact=contact,
            first_name=contact.first_name,
            last_name=contact.last_name,
            is_active=True,
            is_imported=imported,
        )
        if temporary_password is not None:
            account.set_password(temporary_password)
            account.must_change_password = (
                settings.TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY if imported else True
            )
        else:
            account.set_unusable_password()
        save_new_account(account)
        record_event(SecurityEventKind.ACCOUNT_CREATED, account=account, actor=actor)
        if temporary_password is not None:
            record_event(SecurityEventKind.TEMPORARY_PASSWORD_SET, account=account, actor=actor)
        if send_activation:
            _send_activation_link(actor=actor, account=account)
        return account


def _void_tokens(account: Account, *, purpose: TokenPurpose | None = None) -> None:
    """Void the account's outstanding links (of one purpose, or all).

    Row by row (an account has a handful), so the audit trail shows each link being voided,
    by whom; the token hash itself is excluded from the trail.
    """
    outstanding = AccessToken.objects.filter(
        account=account, used_at__isnull=True, voided_at__isnull=True
    )
    if purpose is not None:
        outstanding = outstanding.filter(purpose=purpose)
    now = timezone.now()
    for token in outstanding.select_for_update():
        token.voided_at = now
        token.save(update_fields=["voided_at"])


def _issue_token(
    account: Account, purpose: TokenPurpose, lifetime: datetime.timedelta, *, new_email: str = ""
) -> str:
    """A new random token for ``account``; earlier unused ones of the same purpose are voided."""
    now = timezone.now()
    _void_tokens(account, purpose=purpose)
    raw = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        account=account,
        purpose=purpose,
        token_hash=hash_token(raw),
        expires_at=now + lifetime,
        new_email=new_email,
    )
    return raw


def _link_context(
    account: Account, purpose: TokenPurpose, raw: str, lifetime: datetime.timedelta
) -> EmailContext:
    """The words of an activation or reset email: whom it greets, the link, its expiry."""
    url_name = (
        "accounts:activate"
        if purpose == TokenPurpose.ACTIVATION
        else "accounts:password-reset-confirm"
    )
    link = settings.TUTELA_BASE_URL + reverse(url_name, kwargs={"token": raw})
    context: EmailContext = {
        "parent_name": account.get_full_name() or account.username,
        "username": account.username,
        "link_expires_at": timezone.localtime(timezone.now() + lifetime),
    }
    if purpose == TokenPurpose.ACTIVATION:
        context["activation_link"] = link
    else:
        context["password_reset_link"] = link
    return context


def _send_link(*, account: Account, purpose: TokenPurpose) -> None:
    if purpose == TokenPurpose.ACTIVATION:
        lifetime = datetime.timedelta(days=settings.TUTELA_ACTIVATION_DAYS)
        # A parent's account is for the portal; an account of no contact is a staff person's.
        template = "activation" if account.contact_id else "staff_activation"
    else:
        lifetime = datetime.timedelta(hours=settings.TUTELA_PASSWORD_RESET_HOURS)
        template = "password_reset"
    raw = _issue_token(account, purpose, lifetime)
    context = _link_context(account, purpose, raw, lifetime)
    send_email(
        to=account.email,
        template=template,
        context=context,
        robust=purpose == TokenPurpose.PASSWORD_RESET,
        language=recipient_language(account),
    )


def _send_activation_link(*, actor: Actor, account: Account) -> None:
    _send_link(account=account, purpose=TokenPurpose.ACTIVATION)
    record_event(SecurityEventKind.ACTIVATION_SENT, account=account, actor=actor)


def send_new_accounts_activation(*, actor: Actor, accounts: Sequence[Account]) -> int:
    """Email each account an import just created its activation link; how many were queued.

    Set-based for a whole file: the tokens and the security events are written in bulk (new
    accounts have no earlier links to void), and the messages leave over shared connections
    once the import commits, so a dry run or a failed import sends nothing. An account
    without an account email is left out: there is nowhere to write. The accounts come with
    their contacts (the import made both), whose languages the messages are written in.
    """
    lifetime = datetime.timedelta(days=settings.TUTELA_ACTIVATION_DAYS)
    expires = timezone.now() + lifetime
    tokens: list[AccessToken] = []
    messages: list[Email] = []
    for account in accounts:
        if not account.email or not account.is_active:
            continue
        raw = secrets.token_urlsafe(32)
        tokens.append(
            AccessToken(
                account=account,
                purpose=TokenPurpose.ACTIVATION,
                token_hash=hash_token(raw),
                expires_at=expires,
            )
        )
        context = _link_context(account, TokenPurpose.ACTIVATION, raw, lifetime)
        language = recipient_language(account)
        messages.append(
            compose_email(
                to=account.email, template="activation", context=context, language=language
            )
        )
    with audited(actor), transaction.atomic():
        AccessToken.objects.bulk_create(tokens, batch_size=CHUNK)
        SecurityEvent.objects.bulk_create(
            [
                SecurityEvent(
                    kind=SecurityEventKind.ACTIVATION_SENT,
                    account=token.account,
                    actor=actor if isinstance(actor, Account) and actor.pk else None,
                    actor_name=actor_name(actor),
                    identifier=token.account.username[:254],
                )
                for token in tokens
            ],
            batch_size=CHUNK,
        )
        if messages:
            transaction.on_commit(lambda: deliver(messages))
    return len(messages)


def send_activation(*, actor: Actor, account: Account) -> None:
    """Email a new activation link to the account email; any earlier link stops working."""
    _require_scope_over(actor, account)
    if not account.is_active:
        raise AccountError(f"{account.username} is disabled: enable it first")
    if not account.email:
        raise AccountError(f"{account.username} has no account email")
    with audited(actor), transaction.atomic():
        _send_activation_link(actor=actor, account=account)


def _valid_token(raw: str, purpose: TokenPurpose) -> AccessToken:
    # An activation link may have come by email or on a letter: both open the same page.
    purposes = (
        [TokenPurpose.ACTIVATION, TokenPurpose.LETTER_ACTIVATION]
        if purpose == TokenPurpose.ACTIVATION
        else [purpose]
    )
    token = (
        AccessToken.objects.select_for_update()
        .select_related("account")
        .filter(token_hash=hash_token(raw or ""), purpose__in=purposes)
        .first()
    )
    if (
        token is None
        or token.used_at is not None
        or token.voided_at is not None
        or token.expires_at <= timezone.now()
        or not token.account.is_active
    ):
        raise InvalidLink()
    return token


def link_account(*, token: str, purpose: TokenPurpose) -> Account:
    """The account a still-valid link belongs to (without using it up), else ``InvalidLink``."""
    with transaction.atomic():
        return _valid_token(token, purpose).account


def _use_token(
    *, token: str, purpose: TokenPurpose, password: str, event: SecurityEventKind, ip: str | None
) -> Account:
    with transaction.atomic():
        found = _valid_token(token, purpose)
        account = found.account
        check_password_rules(password, account)
        # The person holding the link acts as the account: the trail names them.
        with audited(account):
            account.set_password(password)
            account.must_change_password = False
            account.save(update_fields=["password", "must_change_password"])
            found.used_at = timezone.now()
            found.save(update_fields=["used_at"])
            # A password chosen through one link makes every other outstanding link pointless.
            _void_tokens(account)
        record_event(event, account=account, actor=account, ip_address=ip)
        return account


def activate_account(*, token: str, password: str, ip: str | None = None) -> Account:
    """Use an activation link: the parent chooses a password; the link is then spent."""
    return _use_token(
        token=token,
        purpose=TokenPurpose.ACTIVATION,
        password=password,
        event=SecurityEventKind.ACTIVATED,
        ip=ip,
    )


@dataclass(frozen=True)
class ResetRequest:
    """What a reset request names, resolved in the request: the account (if any) and what the
    security event keeps of what was typed (never a password typed in the wrong box)."""

    account_id: int | None
    recorded: str


def resolve_reset_request(identifier: str) -> ResetRequest:
    """The request's share of a password reset: the same work whether or not an account
    exists (one look-up, one keyed digest), so its time tells nothing. Sending the link is
    ``send_password_reset``'s, after the response, through the job queue."""
    account = find_account(identifier)
    digest = unknown_identifier(identifier)
    typed = (identifier or "").strip()
    return ResetRequest(account.pk if account else None, typed if account else digest)


def send_password_reset(*, request: ResetRequest, ip: str | None = None) -> None:
    """Email a reset link if the request names an enabled account allowed to reset.

    The person was told the same thing either way, so the answer never tells whether an
    account exists; only the security event records what happened.
    """
    account = Account.objects.filter(pk=request.account_id).first() if request.account_id else None
    allowed = (
        account is not None
        and account.is_active
        and bool(account.email)
        and (not account.is_imported or settings.TUTELA_IMPORTED_USERS_CAN_RESET_PASSWORD)
    )
    with transaction.atomic():
        if account is not None and allowed:
            _send_link(account=account, purpose=TokenPurpose.PASSWORD_RESET)
        record_event(
            SecurityEventKind.PASSWORD_RESET_REQUESTED,
            account=account if allowed else None,
            recorded=request.recorded,
            ip_address=ip,
        )


def request_password_reset(*, identifier: str, ip: str | None = None) -> None:
    """Both halves at once (the queued task's work included), for a caller that may wait."""
    send_password_reset(request=resolve_reset_request(identifier), ip=ip)


def reset_password(*, token: str, password: str, ip: str | None = None) -> Account:
    """Use a password-reset link to set a new password."""
    return _use_token(
        token=token,
        purpose=TokenPurpose.PASSWORD_RESET,
        password=password,
        event=SecurityEventKind.PASSWORD_RESET,
        ip=ip,
    )


def change_password(*, account: Account, new_password: str, ip: str | None = None) -> None:
    """The signed-in person changes their own password (the old one is checked by the form)."""
    check_password_rules(new_password, account)
    with audited(account), transaction.atomic():
        account.set_password(new_password)
        account.must_change_password = False
        account.save(update_fields=["password", "must_change_password"])
        record_event(
            SecurityEventKind.PASSWORD_CHANGED, account=account, actor=account, ip_address=ip
        )


def set_temporary_password(*, actor: Actor, account: Account, password: str) -> None:
    """Staff set a password the parent must change at the next sign-in."""
    _require_scope_over(actor, account)
    check_password_rules(password, account)
    with audited(actor), transaction.atomic():
        account.set_password(password)
        account.must_change_password = True
        account.save(update_fields=["password", "must_change_password"])
        _void_tokens(account)
        record_event(SecurityEventKind.TEMPORARY_PASSWORD_SET, account=account, actor=actor)


def disable_account(*, actor: Actor, account: Account) -> None:
    """A disabled account cannot sign in, and its open sessions stop working."""
    _set_active(actor, account, active=False)


def end_sessions(account: Account) -> int:
    """End every open session of ``account`` (a merge disabled it, so it must sign in nowhere).

    Sessions are stored in the database keyed by their own id, not the account's, so the
    unexpired ones are read and those naming the account deleted: a rare act (a merge), and
    the open sessions of a district are a few thousand at most.
    """
    from django.contrib.sessions.models import Session

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(account.pk):
            session.delete()
            ended += 1
    return ended


def enable_account(*, actor: Actor, account: Account) -> None:
    """An enabled account can sign in again."""
    _set_active(actor, account, active=True)


def _set_active(actor: Actor, account: Account, *, active: bool) -> None:
    _require_scope_over(actor, account)
    with audited(actor), transaction.atomic():
        account.is_active = active
        account.save(update_fields=["is_active"])
        kind = SecurityEventKind.ACCOUNT_ENABLED if active else SecurityEventKind.ACCOUNT_DISABLED
        record_event(kind, account=account, actor=actor)


def change_username(*, actor: Actor, account: Account, username: str) -> Account:
    """Staff give an account another username; PowerSchool's "Username not available" when
    another account signs in with that name or email (ignoring case)."""
    _require_scope_over(actor, account)
    name = _checked_username(username)
    if name == account.username:
        return account
    taken = Account.objects.filter(Q(username__iexact=name) | Q(email__iexact=name))
    if taken.exclude(pk=account.pk).exists():
        raise UsernameNotAvailable()
    with audited(actor), transaction.atomic():
        account.username = name
        try:
            with transaction.atomic():
                account.save(update_fields=["username"])
        except IntegrityError:
            # Another request took the name between our check and the update.
            raise UsernameNotAvailable() from None
        return account
