"""Two-step sign-in: after the password, a code from an authenticator app (TOTP, django-otp)
or one of the account's single-use recovery codes.

Staff must set it up when ``TUTELA_STAFF_MFA=required`` (production's default): a stolen staff
password alone must not open every family of a school. Parents may set it up on their own.
The secret and the recovery codes are shown only to the account's owner, on the page that made
them, and never reach a log or the audit trail (django-otp's tables are not audited: each
change here is a security event instead).
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tutela.accounts.models import Account, SecurityEventKind
from tutela.accounts.scopes import Actor, Scope
from tutela.accounts.services import AccountError, record_event
from tutela.core.audit import audited
from tutela.people.services import OutsideScope

APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"
WRONG_CODE = "That code is not right. Type the 6 digits your app shows now, or a recovery code."


def is_staff(account: Account) -> bool:
    return account.contact_id is None and Scope.of(account).staff


def is_required(account: Account) -> bool:
    """Whether ``account`` may reach nothing before setting up two-step sign-in."""
    return settings.TUTELA_STAFF_MFA == "required" and is_staff(account)


def is_offered(account: Account) -> bool:
    """Parents may always set it up; staff unless the district turned it off for staff."""
    return settings.TUTELA_STAFF_MFA != "off" or not is_staff(account)


def is_on(account: Account) -> bool:
    """Whether signing in as ``account`` asks for a code after the password."""
    return TOTPDevice.objects.filter(user=account, confirmed=True).exists()


def pending_app(account: Account) -> TOTPDevice | None:
    """The app being set up: made, its code not confirmed yet."""
    return TOTPDevice.objects.filter(user=account, confirmed=False).first()


def recovery_codes_left(account: Account) -> int:
    return StaticToken.objects.filter(device__user=account, device__confirmed=True).count()


def secret_of(device: TOTPDevice) -> str:
    """The secret as an app's manual entry asks for it: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The app's set-up link as an inline SVG QR code (no style, no script: the CSP holds)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=4,
            title="QR code for your authenticator app",
            svgclass=None,
            lineclass=None,
            svgid="two-step-qr",
        )
    )


def _require_self_or_offered(actor: Actor, account: Account) -> None:
    if actor != account:
        raise OutsideScope("only the account's owner sets up its two-step sign-in")
    if not is_offered(account):
        raise AccountError("Two-step sign-in is turned off for staff in this district.")


def start_two_step(*, actor: Actor, account: Account) -> TOTPDevice:
    """A new secret for the owner's app, waiting for a code that proves the app has it."""
    _require_self_or_offered(actor, account)
    if is_on(account):
        raise AccountError("Two-step sign-in is already on for this account.")
    with audited(actor), transaction.atomic():
        for device in TOTPDevice.objects.filter(user=account, confirmed=False):
            device.delete()
        device = TOTPDevice(user=account, name=APP_DEVICE, confirmed=False)
        device.save()
        return device


def _new_recovery_codes(account: Account) -> list[str]:
    for old in StaticDevice.objects.filter(user=account):
        old.delete()
    device = StaticDevice.objects.create(user=account, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TUTELA_MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_two_step(
    *, actor: Actor, account: Account, code: str, ip: str | None = None
) -> list[str]:
    """Turn two-step sign-in on once the app's code matches; the recovery codes it returns
    are shown once, then only their count is known."""
    _require_self_or_offered(actor, account)
    with audited(actor), transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=account, confirmed=False).first()
        )
        if device is None:
            raise AccountError("Start setting up two-step sign-in again: no app is waiting.")
        if not device.verify_token(code.strip().replace(" ", "")):
            raise AccountError(WRONG_CODE)
        device.confirmed = True
        device.save()
        codes = _new_recovery_codes(account)
        record_event(SecurityEventKind.TWO_STEP_ON, account=account, actor=actor, ip_address=ip)
        return codes


def replace_recovery_codes(*, actor: Actor, account: Account, ip: str | None = None) -> list[str]:
    """New recovery codes for the owner; the earlier ones stop working."""
    _require_self_or_offered(actor, account)
    if not is_on(account):
        raise AccountError("Two-step sign-in is not on for this account.")
    with audited(actor), transaction.atomic():
        codes = _new_recovery_codes(account)
        record_event(
            SecurityEventKind.RECOVERY_CODES_REPLACED, account=account, actor=actor, ip_address=ip
        )
        return codes


def check_code(*, account: Account, code: str, ip: str | None = None) -> bool:
    """Whether ``code`` is the app's current code or an unused recovery code (used up here)."""
    token = code.strip().replace(" ", "").lower()
    if not token:
        return False
    with audited(account), transaction.atomic():
        device = match_token(account, token)
        if isinstance(device, StaticDevice):
            record_event(
                SecurityEventKind.RECOVERY_CODE_USED, account=account, actor=account, ip_address=ip
            )
        return device is not None


def _remove_devices(account: Account) -> None:
    for device in TOTPDevice.objects.filter(user=account):
        device.delete()
    for recovery in StaticDevice.objects.filter(user=account):
        recovery.delete()


def turn_off_two_step(*, actor: Actor, account: Account, code: str, ip: str | None = None) -> None:
    """The owner turns it off, proving it with a code; staff who must use it cannot."""
    if actor != account:
        raise OutsideScope("only the account's owner turns off its two-step sign-in")
    if is_required(account):
        raise AccountError("Staff of this district must use two-step sign-in.")
    if not check_code(account=account, code=code, ip=ip):
        raise AccountError(WRONG_CODE)
    with audited(actor), transaction.atomic():
        _remove_devices(account)
        record_event(SecurityEventKind.TWO_STEP_OFF, account=account, actor=actor, ip_address=ip)


def reset_two_step(*, actor: Actor, account: Account) -> None:
    """A district admin clears someone's two-step sign-in (a lost phone, no recovery code
    left): the next sign-in asks only the password, and staff who must use it set it up again."""
    if not Scope.of(actor).is_district_admin:
        raise OutsideScope("only a district admin may reset someone's two-step sign-in")
    with audited(actor), transaction.atomic():
        _remove_devices(account)
        record_event(SecurityEventKind.TWO_STEP_RESET, account=account, actor=actor)
