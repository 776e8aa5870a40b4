"""Two-step sign-in: setting it up, signing in with a code or a recovery code, the lockout
counting wrong codes, staff required to set it up, and a district admin's reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.cast import PASSWORD, Cast
from tests.conftest import Run
from tutela.accounts import two_step
from tutela.accounts.models import Account, SecurityEvent, SecurityEventKind
from tutela.accounts.services import AccountError
from tutela.people.services import OutsideScope


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    """The app's code now (``later``: that many 30-second steps on, as an app shows next)."""
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift + later))


def enrol(account: Account) -> list[str]:
    two_step.start_two_step(actor=account, account=account)
    device = two_step.pending_app(account)
    assert device is not None
    return two_step.confirm_two_step(actor=account, account=account, code=code_of(device))


def app_of(account: Account) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.get(user=account, confirmed=True)
    return device


def sign_in_password(client: Client, username: str) -> Any:
    return client.post("/accounts/sign-in/", {"username": username, "password": PASSWORD})


def test_staff_set_it_up_on_the_security_page(client: Client, cast: Cast) -> None:
    client.force_login(cast.dana)
    page = client.get("/accounts/security/").content.decode()
    assert "Set up two-step sign-in" in page
    assert client.post("/accounts/security/", {"action": "start"}).status_code == 302
    page = client.get("/accounts/security/").content.decode()
    device = two_step.pending_app(cast.dana)
    assert device is not None
    assert "<svg" in page and two_step.secret_of(device) in page
    wrong = client.post("/accounts/security/", {"action": "confirm", "code": "000000"})
    assert two_step.WRONG_CODE in wrong.content.decode() and not two_step.is_on(cast.dana)
    done = client.post("/accounts/security/", {"action": "confirm", "code": code_of(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert two_step.is_on(cast.dana) and two_step.recovery_codes_left(cast.dana) == 10
    # Shown once: the page afterwards only counts them.
    again = client.get("/accounts/security/").content.decode()
    assert codes[0] not in again and "Recovery codes left: 10" in again
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.TWO_STEP_ON, account=cast.dana, actor=cast.dana
    ).exists()


def test_the_password_alone_no_longer_signs_in(client: Client, cast_with_passwords: Cast) -> None:
    cast = cast_with_passwords
    enrol(cast.dana)
    answer = sign_in_password(client, "dana")
    assert answer.status_code == 302 and answer.url == "/accounts/sign-in/code/"
    assert client.get("/staff/").status_code == 302  # not signed in yet
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.SIGNED_IN).exists()
    page = client.get("/accounts/sign-in/code/")
    assert "Enter your sign-in code" in page.content.decode()
    signed = client.post("/accounts/sign-in/code/", {"code": code_of(app_of(cast.dana), later=1)})
    assert signed.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SIGNED_IN, account=cast.dana)


def test_a_recovery_code_signs_in_once(client: Client, cast_with_passwords: Cast) -> None:
    cast = cast_with_passwords
    codes = enrol(cast.hana)
    sign_in_password(client, "hana.hill")
    assert client.post("/accounts/sign-in/code/", {"code": codes[3].upper()}).status_code == 302
    assert client.get("/portal/").status_code == 200
    assert two_step.recovery_codes_left(cast.hana) == 9
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY_CODE_USED).count() == 1
    client.logout()
    sign_in_password(client, "hana.hill")
    again = client.post("/accounts/sign-in/code/", {"code": codes[3]})
    assert again.status_code == 200 and two_step.WRONG_CODE in again.content.decode()


def test_wrong_codes_count_towards_the_lockout(
    client: Client, cast_with_passwords: Cast, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    cast = cast_with_passwords
    enrol(cast.sam)
    sign_in_password(client, "sam")
    first = client.post("/accounts/sign-in/code/", {"code": "123456"})
    assert first.status_code == 200
    locked = client.post("/accounts/sign-in/code/", {"code": "654321"})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, account=cast.sam)
    # Locked: neither the password nor a right code gets in now.
    assert sign_in_password(client, "sam").status_code == 429
    assert client.get("/staff/").status_code == 302


def test_a_code_step_left_waiting_starts_again(client: Client, cast: Cast) -> None:
    answer = client.get("/accounts/sign-in/code/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/sign-in/"
    assert client.post("/accounts/sign-in/code/", {"code": "1"}).status_code == 302


def test_staff_who_must_use_it_reach_only_its_page_first(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.TUTELA_STAFF_MFA = "required"
    client.force_login(cast.sam)
    answer = client.get("/staff/")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/security/"
    assert "must set up two-step sign-in" in client.get("/accounts/security/").content.decode()
    enrol(cast.sam)
    assert client.get("/staff/").status_code == 200
    # Required staff cannot turn it off; parents are never sent to set it up.
    with pytest.raises(AccountError, match="must use two-step"):
        two_step.turn_off_two_step(actor=cast.sam, account=cast.sam, code="x")
    client.force_login(cast.hana)
    assert client.get("/portal/").status_code == 200


def test_off_means_staff_are_not_offered_it(client: Client, cast: Cast, settings: Any) -> None:
    settings.TUTELA_STAFF_MFA = "off"
    client.force_login(cast.sam)
    page = client.get("/accounts/security/").content.decode()
    assert "not offered to staff" in page
    with pytest.raises(AccountError, match="turned off"):
        two_step.start_two_step(actor=cast.sam, account=cast.sam)
    assert two_step.is_offered(cast.hana)


def test_a_parent_turns_it_off_with_a_code(client: Client, cast: Cast) -> None:
    codes = enrol(cast.hana)
    client.force_login(cast.hana)
    wrong = client.post("/accounts/security/", {"action": "off", "code": "nope"})
    assert two_step.WRONG_CODE in wrong.content.decode() and two_step.is_on(cast.hana)
    client.post("/accounts/security/", {"action": "off", "code": codes[0]})
    assert not two_step.is_on(cast.hana) and two_step.recovery_codes_left(cast.hana) == 0
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_STEP_OFF, account=cast.hana)


def test_new_recovery_codes_replace_the_old(client: Client, cast: Cast) -> None:
    old = enrol(cast.leo)
    client.force_login(cast.leo)
    new = client.post("/accounts/security/", {"action": "recovery"}).context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert not two_step.check_code(account=cast.leo, code=old[0])
    assert two_step.check_code(account=cast.leo, code=new[0])


def test_a_district_admin_resets_it(client: Client, cast: Cast) -> None:
    enrol(cast.sam)
    enrol(cast.hana)
    client.force_login(cast.dana)
    assert "Reset two-step sign-in" in client.get(f"/staff/people/{cast.sam.pk}/").content.decode()
    client.post(f"/staff/people/{cast.sam.pk}/reset-two-step/")
    client.post(f"/staff/accounts/{cast.hana.pk}/reset-two-step/")
    assert not two_step.is_on(cast.sam) and not two_step.is_on(cast.hana)
    resets = SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_STEP_RESET, actor=cast.dana)
    assert {event.account for event in resets} == {cast.sam, cast.hana}


def test_only_a_district_admin_resets_it(client: Client, cast: Cast) -> None:
    enrol(cast.leo)
    client.force_login(cast.sam)
    assert client.post(f"/staff/accounts/{cast.leo.pk}/reset-two-step/").status_code == 403
    assert client.post(f"/staff/people/{cast.dana.pk}/reset-two-step/").status_code == 403
    assert two_step.is_on(cast.leo)
    with pytest.raises(OutsideScope):
        two_step.reset_two_step(actor=cast.hana, account=cast.leo)
    with pytest.raises(OutsideScope):
        two_step.start_two_step(actor=cast.dana, account=cast.leo)


def test_the_admin_shows_no_two_step_secret(client: Client, cast: Cast) -> None:
    enrol(cast.sam)
    client.force_login(Account.objects.create(username="boss", is_staff=True, is_superuser=True))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert app_of(cast.sam).key not in client.get("/admin/").content.decode()


def test_the_command_line_resets_it(cast: Cast, tutela: Callable[..., Run]) -> None:
    enrol(cast.sam)
    run = tutela("accounts", "reset-two-step", "SAM")
    assert run.code == 0 and "Two-step sign-in of sam reset" in run.out
    assert not two_step.is_on(cast.sam)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TWO_STEP_RESET)
    assert event.account == cast.sam and "(command line)" in event.actor_name
    unknown = tutela("accounts", "reset-two-step", "nobody")
    assert unknown.code == 2 and "no account with username 'nobody'" in unknown.err


def test_a_spanish_reading_parent_reads_the_page_in_spanish(cast: Cast) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(cast.hana)
    page = client.get("/accounts/security/").content.decode()
    assert "Configurar el inicio de sesión en dos pasos" in page
