"""Two-step sign-in in headless Chromium, each page checked with axe-core: a member of staff
who must use it sets it up from the QR page's secret (the test plays the authenticator app),
keeps the recovery codes, and signs in with the app's code; a parent turns it on by choice."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def key_of(secret: str) -> bytes:
    key = secret.replace(" ", "")
    return base64.b32decode(key + "=" * (-len(key) % 8))


def app_code(secret: str) -> str:
    """What an authenticator app shows now for the secret typed in by hand."""
    return str(totp(key_of(secret))).zfill(6)


def next_app_code(secret: str, username: str) -> str:
    """The app's next code the server takes: not one already spent, and on the server's idea
    of the app's clock (it learns the app's drift from the codes it accepts, so a code typed
    just as a 30-second step ended moves it back one step)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = TOTP(key_of(secret), drift=device.drift).t()
    return str(totp(key_of(secret), drift=device.drift + max(0, device.last_t + 1 - now))).zfill(6)


def set_up(page: Any) -> tuple[str, list[str]]:
    """From the security page: start, read the secret, confirm; the secret and the codes."""
    page.get_by_role("button", name="Set up two-step sign-in").click()
    page.wait_for_load_state()
    assert page.locator("main figure svg").count() == 1
    assert_accessible(page)
    secret = page.inner_text("#two-step-secret")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(app_code(secret))
    page.get_by_role("button", name="Confirm the code and turn on two-step sign-in").click()
    page.wait_for_load_state()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    return secret, codes


def test_staff_must_set_it_up_then_sign_in_with_the_apps_code(
    live_server: Any, browser: Any, settings: Any
) -> None:
    settings.TUTELA_STAFF_MFA = "required"
    build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url(f"{live_server.url}/accounts/security/")
    assert "must set up two-step sign-in" in page.inner_text("main")
    assert_accessible(page)
    # No staff page opens before it is set up.
    page.goto(f"{live_server.url}/staff/accounts/")
    page.wait_for_url(f"{live_server.url}/accounts/security/")

    secret, codes = set_up(page)
    page.get_by_role("link", name="I have kept my recovery codes: continue").click()
    page.wait_for_url(f"{live_server.url}/staff/")

    page.context.clear_cookies()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url(f"{live_server.url}/accounts/sign-in/code/")
    assert_accessible(page)
    code_box = page.get_by_label("Code from your authenticator app, or a recovery code")
    code_box.fill("000000")
    page.get_by_role("button", name="Check the code and sign in").click()
    page.wait_for_load_state()
    assert "That code is not right" in page.inner_text("main")
    assert_accessible(page)
    # The code used to set it up is spent: the app's next one signs in.
    code_box.fill(next_app_code(secret, "sam"))
    page.get_by_role("button", name="Check the code and sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/")

    # Without the phone: a recovery code, once.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(codes[0])
    page.get_by_role("button", name="Check the code and sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/")


def test_a_parent_turns_it_on_from_the_portal(live_server: Any, browser: Any) -> None:
    build_cast(with_passwords=True)
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "hana.hill", PASSWORD)
    page.wait_for_url(f"{live_server.url}/portal/")
    page.get_by_role("link", name="Two-step sign-in").click()
    page.wait_for_load_state()
    assert_accessible(page)
    secret, _ = set_up(page)
    page.goto(f"{live_server.url}/accounts/security/")
    assert "Recovery codes left: 10" in page.inner_text("main")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server.url, "hana.hill", PASSWORD)
    page.wait_for_url(f"{live_server.url}/accounts/sign-in/code/")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        next_app_code(secret, "hana.hill")
    )
    page.get_by_role("button", name="Check the code and sign in").click()
    page.wait_for_url(f"{live_server.url}/portal/")
