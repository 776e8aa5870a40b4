"""A parent registers with the code from an exported CSV, sees the student, then adds a child."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.cast import build_cast
from tests.conftest import SMTPInbox
from tutela.accounts.models import Account

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "paper kites over the harbour"


def test_a_parent_registers_with_a_code_from_the_export_and_sees_the_student(
    live_server: Any,
    smtp_server: SMTPInbox,
    browser: Any,
    settings: Any,
    tutela: Any,
    tmp_path: Path,
) -> None:
    settings.TUTELA_BASE_URL = live_server.url
    build_cast()
    assert tutela("codes", "generate").code == 0
    exported = tmp_path / "hillcrest.csv"
    run = tutela("codes", "export", "--school", "10", "--output", str(exported))
    assert run.code == 0, run.err
    with exported.open(newline="", encoding="utf-8") as handle:
        codes = {row["First_Name"]: row["Access_Code"] for row in csv.DictReader(handle)}
    assert set(codes) == {"Holly", "Hugo"}

    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.click("text=Register with the access code")
    page.wait_for_url(f"{live_server.url}/register/")
    # typed the way parents type: lower case, spaces for dashes
    page.fill("#id_code", codes["Holly"].lower().replace("-", " "))
    page.fill("#id_first_name", "Pat")
    page.fill("#id_last_name", "Hill")
    page.fill("#id_email", "pat@example.org")
    page.click("main button[type=submit]")
    assert "Check your email" in page.inner_text("main")
    assert_accessible(page)

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "pat@example.org"
    link = smtp_server.link_in(message)
    assert link.startswith(f"{live_server.url}/register/")
    assert codes["Holly"] not in smtp_server.text_of(message)

    page.goto(link)
    assert_accessible(page)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")
    rows = page.locator("tr.student").all_inner_texts()
    assert len(rows) == 1 and "Holly Hill" in rows[0]
    assert "Holly has been added" in page.inner_text("body")
    assert Account.objects.get(email="pat@example.org").contact is not None

    # Hana, Holly's other guardian with an account, is told, without Pat's details.
    messages = smtp_server.wait_for(2)
    told = next(m for m in messages if m["To"] == "hana@example.org")
    assert "Pat" not in smtp_server.text_of(told)

    page.click("text=Add a child with an access code")
    assert_accessible(page)
    page.fill("#id_code", codes["Hugo"])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/portal/")
    names = " ".join(page.locator("tr.student").all_inner_texts())
    assert "Holly Hill" in names and "Hugo Hill" in names and "Lila" not in names
