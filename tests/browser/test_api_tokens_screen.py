"""A staff member makes a personal API token on their screen, sees it once, uses it, and
revokes it; then the API's documentation page, served from Tutela's own files, in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def students_with(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/students/").status_code


def test_a_school_admin_makes_uses_and_revokes_a_token(live_server: Any, browser: Any) -> None:
    build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/staff/api-tokens/")
    assert_accessible(page)
    page.fill("#id_name", "nightly sync")
    page.click("text=Make token")
    token = page.input_value("#token-value")
    assert token.startswith("tutela_")
    assert_accessible(page)
    assert students_with(token) == 200
    page.goto(f"{live_server.url}/staff/api-tokens/")
    assert token not in page.content()  # shown once only
    page.click("text=Revoke token nightly sync")
    assert "is revoked" in page.inner_text("main")
    assert_accessible(page)
    assert students_with(token) == 401


def test_the_api_documentation_page_loads_only_tutela_s_own_files(
    live_server: Any, browser: Any
) -> None:
    page = browser.new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else elsewhere.append(request.url)
        ),
    )
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/v1/contacts/")
    assert elsewhere == [] and refused == []
