"""The site's layout in real Chromium: the parent portal fits a 390 px phone without sideways
scrolling, the stylesheet applies under the content security policy, and staff tables fit a
laptop screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tutela.core.audit import command_line_user
from tutela.people.services import add_email

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def scroll_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_parent_portal_fits_a_390_px_phone_screen(live_server: Any, browser: Any) -> None:
    cast = build_cast(with_passwords=True)
    # A long address is the usual culprit of a page wider than the phone.
    add_email(
        actor=command_line_user(),
        contact=cast.hana_contact,
        address="hana.hill.with.a.rather.long.address.for.school@example-district.org",
    )
    page = browser.new_page(viewport=PHONE)
    sign_in(page, live_server.url, "hana.hill", PASSWORD)
    for path in (
        "/portal/",
        f"/portal/students/{cast.holly.pk}/",
        "/portal/my-details/",
        "/accounts/password/",
        "/portal/no-such-page/",  # the 404 page
        "/staff/",  # the 403 page
    ):
        page.goto(f"{live_server.url}{path}")
        assert scroll_width(page) <= 390, path
        assert_accessible(page)
    page.goto(f"{live_server.url}/portal/")
    assert "Holly" in page.inner_text("main")
    # The stylesheet applied (CSP allows only our own file): the header has the brand colour.
    header = page.evaluate("getComputedStyle(document.querySelector('body > header')).display")
    assert header == "flex"


def test_the_sign_in_page_fits_a_phone_screen(live_server: Any, browser: Any) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert scroll_width(page) <= 390
    assert_accessible(page)


def test_staff_pages_fit_a_laptop_screen(live_server: Any, browser: Any) -> None:
    cast = build_cast(with_passwords=True)
    page = browser.new_page(viewport=LAPTOP)
    sign_in(page, live_server.url, "dana", PASSWORD)
    for path in ("/staff/", "/staff/search/?q=Hill", f"/staff/contacts/{cast.hana_contact.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert scroll_width(page) <= LAPTOP["width"], path
        assert_accessible(page)
