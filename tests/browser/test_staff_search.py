"""Staff find people from the staff home's box in real Chromium: a contact by a phone number
typed with other punctuation, a child's contacts by the student number; every page passes
axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tutela.core.audit import command_line_user
from tutela.people.services import add_phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_find_a_contact_by_a_phone_number_typed_with_other_punctuation(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    add_phone(actor=command_line_user(), contact=cast.leo_contact, number="(512) 555-0142")
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/")
    assert_accessible(page)
    page.fill("#q", "+1 512.555.0142")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/search/?q=*")
    main = page.inner_text("main")
    assert "1 contact matches" in main and "Lake, Leo" in main
    assert "Hill, Hana" not in main
    assert_accessible(page)
    page.click("text=Lake, Leo")
    page.wait_for_url(f"{live_server.url}/staff/contacts/{cast.leo_contact.pk}/")
    assert "(512) 555-0142" in page.inner_text("main")


def test_a_school_admin_finds_a_childs_contacts_by_student_number_at_her_school_only(
    live_server: Any, browser: Any
) -> None:
    build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.fill("#q", "3001")
    page.click("main button[type=submit]")
    main = page.inner_text("main")
    assert "Lake, Leo" in main and "Unlinked, Una" in main and "Lake, Lila" in main
    assert_accessible(page)
    page.fill("#q", "2001")  # Holly, at Hillcrest
    page.click("main button[type=submit]")
    main = page.inner_text("main")
    assert "0 contacts match" in main and "Hill" not in main.replace("“2001”", "")
