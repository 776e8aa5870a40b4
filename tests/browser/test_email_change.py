"""A parent changes the email they sign in with, in real Chromium: the change waits for the
link emailed to the new address (through a real local SMTP server), then takes effect."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tests.conftest import SMTPInbox

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW = "hana.hill@example.net"


def test_a_parent_confirms_a_new_sign_in_email_from_the_link(
    live_server: Any, browser: Any, smtp_server: SMTPInbox, settings: Any
) -> None:
    settings.TUTELA_BASE_URL = live_server.url
    cast = build_cast(with_passwords=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server.url, "hana.hill", PASSWORD)
    page.goto(f"{live_server.url}/portal/my-details/")
    page.fill("#id_email", NEW)
    page.click("text=Save my details")
    main = page.inner_text("main")
    assert f"We emailed a link to {NEW}" in main and "Waiting for you to confirm" in main
    assert_accessible(page)
    cast.hana.refresh_from_db()
    assert cast.hana.email == "hana@example.org"

    confirm = next(m for m in smtp_server.wait_for(2) if m["To"] == NEW)
    page.goto(smtp_server.link_in(confirm))
    assert NEW in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Confirm my new email")
    page.wait_for_url(f"{live_server.url}/portal/my-details/")
    assert f"Your account email is now {NEW}" in page.inner_text("main")
    assert page.input_value("#id_email") == NEW
    cast.hana.refresh_from_db()
    assert cast.hana.email == NEW
