"""A parent changes the email their account signs in with, as a confirmed step.

The portal's My details lets a parent correct their email. When that email is the account's
sign-in email, changing it at once would let a typo (or someone at an unattended computer)
lock the parent out: sign-in and password reset would go to an address nobody reads. So the
change waits: a link goes to the new address, the old address is told, and only opening the
link changes the contact's email and the account's sign-in email together (and the username
too, where it is the email, as seed accounts' logon ids are). Until then nothing changes.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tutela.accounts.models import AccessToken, Account, SecurityEventKind, TokenPurpose
from tutela.accounts.services import (
    AccountError,
    _issue_token,
    _valid_token,
    _void_tokens,
    link_account,
    record_event,
)
from tutela.core.audit import audited
from tutela.notifications.email import recipient_language, send_email
from tutela.notifications.vocabulary import EmailContext
from tutela.people.models import ContactEmail
from tutela.people.services import add_email, change_email_address, validate_email_address

IN_USE = gettext_lazy("This email address belongs to another account: ask your school for help.")


def _refuse_taken(account: Account, address: str) -> None:
    others = Account.objects.exclude(pk=account.pk)
    if others.filter(email__iexact=address).exists():
        raise AccountError(IN_USE)


def request_email_change(*, actor: Account, address: str) -> str:
    """Email a confirmation link to ``address`` and tell the current address; change nothing
    yet. Returns the address as it will be stored. An earlier request's link stops working."""
    address = validate_email_address(address)
    if address.lower() == actor.email.lower():
        raise AccountError(
            gettext("%(address)s is already your account email") % {"address": address}
        )
    _refuse_taken(actor, address)
    lifetime = datetime.timedelta(hours=settings.TUTELA_EMAIL_CHANGE_HOURS)
    with audited(actor), transaction.atomic():
        raw = _issue_token(actor, TokenPurpose.EMAIL_CHANGE, lifetime, new_email=address)
        record_event(SecurityEventKind.EMAIL_CHANGE_REQUESTED, account=actor, actor=actor)
        context: EmailContext = {
            "parent_name": actor.get_full_name() or actor.username,
            "username": actor.username,
            "new_email": address,
            "link_expires_at": timezone.localtime(timezone.now() + lifetime),
        }
        link = reverse("accounts:email-change-confirm", kwargs={"token": raw})
        send_email(
            to=address,
            template="email_change_confirm",
            context={**context, "email_change_link": settings.TUTELA_BASE_URL + link},
            language=recipient_language(actor),
        )
        if actor.email:
            # A courtesy that must not undo the request if the mail server refuses it.
            send_email(
                to=actor.email,
                template="email_change_notice",
                context=context,
                robust=True,
                language=recipient_language(actor),
            )
    return address


def pending_email_change(*, account: Account) -> str:
    """The new address waiting for confirmation, or ""."""
    token = (
        AccessToken.objects.filter(
            account=account,
            purpose=TokenPurpose.EMAIL_CHANGE,
            used_at__isnull=True,
            voided_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
    return token.new_email if token is not None else ""


def email_change_of(*, token: str) -> tuple[Account, str]:
    """The account and new address of a still-valid link (without using it up)."""
    account = link_account(token=token, purpose=TokenPurpose.EMAIL_CHANGE)
    return account, pending_email_change(account=account)


def _sign_in_email(account: Account) -> ContactEmail | None:
    """The contact's email record the account signs in with (else its first one)."""
    assert account.contact is not None
    emails = list(account.contact.emails.all())
    same = [e for e in emails if e.address.lower() == account.email.lower()]
    return next(iter(same or emails), None)


def confirm_email_change(*, token: str, ip: str | None = None) -> Account:
    """Use the link: the contact's email and the account's sign-in email become the new
    address; a username that was the old email follows it."""
    with transaction.atomic():
        found = _valid_token(token, TokenPurpose.EMAIL_CHANGE)
        account = found.account
        new = found.new_email
        _refuse_taken(account, new)
        with audited(account):
            if account.contact is not None:
                record = _sign_in_email(account)
                if record is None:
                    add_email(actor=account, contact=account.contact, address=new, is_primary=True)
                else:
                    change_email_address(actor=account, email=record, address=new)
            fields = ["email"]
            username_taken = Account.objects.filter(username__iexact=new).exclude(pk=account.pk)
            if account.username.lower() == account.email.lower() and not username_taken.exists():
                account.username = new
                fields.append("username")
            account.email = new
            account.save(update_fields=fields)
            found.used_at = timezone.now()
            found.save(update_fields=["used_at"])
            _void_tokens(account, purpose=TokenPurpose.EMAIL_CHANGE)
        record_event(SecurityEventKind.EMAIL_CHANGED, account=account, actor=account, ip_address=ip)
        return account
