"""Every page of the site, as each person who may open it sees it, passes axe-core.

Pages that need a state of their own (a job, an emailed link) are checked by the browser test
of that flow; this walk covers every page reachable by a plain visit.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import describe, violations
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tutela.letters.models import LetterTemplate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _walk(page: Any, base_url: str, paths: list[str]) -> dict[str, str]:
    """The violations of each page (by path) that has any."""
    found = {}
    for path in paths:
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status in (200, 404), (path, response.status)
        if problems := violations(page):
            found[path] = describe(problems)
    return found


def _report(found: dict[str, str]) -> str:
    return "\n".join(f"{path}:\n{text}" for path, text in found.items())


def test_every_page_a_visitor_can_open_passes_axe(live_server: Any, browser: Any) -> None:
    page = browser.new_page()
    found = _walk(
        page,
        live_server.url,
        [
            "/accounts/sign-in/",
            "/accounts/password/reset/",
            "/accounts/password/reset/sent/",
            "/register/",
        ],
    )
    assert not found, _report(found)


def test_every_page_of_a_parent_passes_axe(live_server: Any, browser: Any) -> None:
    cast = build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, cast.hana.username, PASSWORD)
    found = _walk(
        page,
        live_server.url,
        [
            "/portal/",
            f"/portal/students/{cast.holly.pk}/",
            "/portal/my-details/",
            "/portal/add-child/",
            "/accounts/password/",
            "/accounts/security/",
        ],
    )
    assert not found, _report(found)


def test_every_staff_page_passes_axe(live_server: Any, browser: Any) -> None:
    cast = build_cast(with_passwords=True)
    spanish_letter = LetterTemplate.objects.get(kind="access-code", language="es")
    page = browser.new_page()
    sign_in(page, live_server.url, cast.dana.username, PASSWORD)
    found = _walk(
        page,
        live_server.url,
        [
            "/staff/",
            "/staff/search/?q=Hill",
            "/staff/search/?q=2001",
            f"/staff/contacts/{cast.hana_contact.pk}/",
            f"/staff/contacts/{cast.una_contact.pk}/account/",
            "/staff/autocreate/",
            "/staff/autocreate/templates/",
            "/staff/autocreate/templates/new/",
            "/staff/access-codes/",
            "/staff/restricted-links/",
            "/staff/letters/",
            "/staff/letters/templates/",
            f"/staff/letters/templates/{spanish_letter.pk}/",
            "/staff/sync/",
            "/staff/sync/new/",
            "/staff/api-tokens/",
            "/accounts/security/",
        ],
    )
    assert not found, _report(found)
