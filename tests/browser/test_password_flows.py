"""A parent with a temporary password must choose their own first; a parent who forgot their
password sets a new one from the emailed link. Both end on the portal with their own child."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import build_cast
from tests.conftest import SMTPInbox
from tutela.accounts.services import set_temporary_password

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEMPORARY = "given out at the front desk"
CHOSEN = "blue herons at low tide"


def test_a_temporary_password_must_be_changed_before_the_portal_opens(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast()
    set_temporary_password(actor=cast.dana, account=cast.hana, password=TEMPORARY)
    page = browser.new_page()
    sign_in(page, live_server.url, "hana.hill", TEMPORARY)
    page.wait_for_url(f"{live_server.url}/accounts/password/")
    assert "Your password is temporary" in page.inner_text("main")
    assert_accessible(page)
    # Nothing else opens until it is changed: not even a typed portal URL.
    page.goto(f"{live_server.url}/portal/students/{cast.holly.pk}/")
    page.wait_for_url(f"{live_server.url}/accounts/password/")

    page.fill("#id_old_password", TEMPORARY)
    page.fill("#id_new_password1", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")
    names = page.locator("tr.student").all_inner_texts()
    assert len(names) == 1 and "Holly Hill" in names[0]

    # The new password works on the next visit, the temporary one no longer does.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "hana.hill", TEMPORARY)
    assert page.url.startswith(f"{live_server.url}/accounts/sign-in/")
    sign_in(page, live_server.url, "hana.hill", CHOSEN)
    page.wait_for_url(f"{live_server.url}/portal/")


def test_a_forgotten_password_is_reset_from_the_emailed_link(
    live_server: Any, smtp_server: SMTPInbox, browser: Any, settings: Any, immediate_queue: Any
) -> None:
    """The link is sent by the job queue after the answer (here at once, in this process)."""
    settings.TUTELA_BASE_URL = live_server.url
    build_cast(with_passwords=True)
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.click("text=Forgot your password?")
    page.wait_for_url(f"{live_server.url}/accounts/password/reset/")
    page.fill("#id_identifier", "HANA@example.org")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/password/reset/sent/")

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "hana@example.org"
    link = smtp_server.link_in(message)
    assert link.startswith(f"{live_server.url}/accounts/password/reset/")
    page.goto(link)
    assert_accessible(page)
    page.fill("#id_new_password1", CHOSEN)
    page.fill("#id_new_password2", CHOSEN)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/sign-in/")

    sign_in(page, live_server.url, "hana@example.org", CHOSEN)
    page.wait_for_url(f"{live_server.url}/portal/")
    body = page.inner_text("body")
    assert "Holly Hill" in body and "Hugo" not in body and "Lila" not in body
    assert page.goto(link).status == 410  # the link is spent
