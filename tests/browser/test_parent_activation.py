"""A parent activates their account from the emailed link, signs in, and sees one child."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.cast import build_cast
from tests.conftest import SMTPInbox
from tutela.accounts.services import send_activation

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "lanterns over the quiet lake"


def test_a_parent_activates_from_the_email_and_sees_exactly_the_granted_student(
    live_server: Any, smtp_server: SMTPInbox, browser: Any, settings: Any
) -> None:
    settings.TUTELA_BASE_URL = live_server.url
    cast = build_cast()
    send_activation(actor=cast.dana, account=cast.hana)
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "hana@example.org"
    link = smtp_server.link_in(message)
    assert link.startswith(f"{live_server.url}/accounts/activate/")

    page = browser.new_page()
    page.goto(link)
    assert_accessible(page)
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/sign-in/")
    assert "You can sign in now" in page.content()

    page.fill("#id_username", "Hana@Example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")
    rows = page.locator("tr.student").all_inner_texts()
    assert len(rows) == 1
    assert "Holly Hill" in rows[0] and "Hillcrest Elementary" in rows[0]
    body = page.inner_text("body")
    assert "Hugo" not in body and "Lila" not in body

    page.click("text=Holly Hill")
    assert "Grade" in page.inner_text("main")
    assert_accessible(page)
    # The link is spent, and a guessed URL for the withheld sibling is 404.
    assert page.goto(link).status == 410
    assert page.goto(f"{live_server.url}/portal/students/{cast.hugo.pk}/").status == 404
    assert page.goto(f"{live_server.url}/portal/students/{cast.lila.pk}/").status == 404
