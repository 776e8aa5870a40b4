"""The accounts (Logon IDs) and staff people screens in headless Chromium, each page checked
with axe-core: staff find a parent by a child's student number, add a New User and tie a
student to it, a district admin adds a staff person, who chooses a password from the email."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tests.conftest import SMTPInbox
from tutela.accounts import staff_members
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def search_accounts(page: Any, base_url: str, text: str) -> str:
    page.goto(f"{base_url}/staff/accounts/")
    page.get_by_label("Search").fill(text)
    page.get_by_role("button", name="Search accounts").click()
    page.wait_for_load_state()
    return str(page.inner_text("main table tbody"))


def test_the_accounts_list_finds_a_parent_by_a_childs_student_number(
    live_server: Any, browser: Any
) -> None:
    build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    rows = search_accounts(page, live_server.url, "2001")
    assert "hana.hill" in rows and "leo@example.org" not in rows
    assert_accessible(page)
    page.get_by_label("Show").select_option("never-activated")
    page.get_by_role("button", name="Search accounts").click()
    page.wait_for_load_state()
    assert "hana.hill" in page.inner_text("main table tbody")
    page.get_by_role("link", name="hana.hill").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Account hana.hill" in main and "Holly" in main and "Last sign-in" in main
    assert_accessible(page)


def test_a_school_admin_finds_only_their_schools_parents(live_server: Any, browser: Any) -> None:
    build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    assert "No account matches." in search_accounts(page, live_server.url, "2001")
    assert "leo@example.org" in search_accounts(page, live_server.url, "3001")
    assert_accessible(page)


def test_new_user_then_tie_a_student_with_data_access(live_server: Any, browser: Any) -> None:
    cast = build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/accounts/")
    page.get_by_role("link", name="New User").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Email address (logon ID)").fill("nora@example.org")
    page.get_by_label("Last name").fill("New")
    page.get_by_label("First name").fill("Nora")
    page.get_by_role("button", name="Add User").click()
    page.wait_for_load_state()
    assert "this parent will see no one" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("Student number").fill("2001")
    page.get_by_label("Relationship").select_option("Mother")
    page.get_by_role("button", name="Tie student").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "Holly" in main and "this parent will see no one" not in main
    nora = Account.objects.get(username="nora@example.org")
    assert list(students_visible_to(account=nora)) == [cast.holly]


def test_a_district_admin_adds_a_staff_person(live_server: Any, browser: Any) -> None:
    cast = build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/people/")
    assert "sam" in page.inner_text("main table")
    assert_accessible(page)
    page.get_by_role("link", name="Add a staff person").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Username").fill("sara")
    page.get_by_label("Email (the activation link goes here)").fill("sara@example.org")
    page.get_by_label("School admin").check()
    page.get_by_label("Hillcrest Elementary").check()
    page.get_by_role("button", name="Add staff person").click()
    page.wait_for_load_state()
    assert "activation link was emailed" in page.inner_text("main")
    assert_accessible(page)
    sara = Account.objects.get(username="sara")
    assert Scope.of(sara).school_ids == {cast.hillcrest.pk}


def test_a_new_staff_person_chooses_a_password_from_the_email_and_reaches_their_school(
    live_server: Any, smtp_server: SMTPInbox, browser: Any, settings: Any
) -> None:
    settings.TUTELA_BASE_URL = live_server.url
    cast = build_cast()
    staff_members.add_staff_person(
        actor=command_line_user(),
        username="sara",
        email="sara@example.org",
        role="school-admin",
        schools=[cast.lakeside],
    )
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "sara@example.org" and "staff account" in message["Subject"]
    page = browser.new_page()
    page.goto(smtp_server.link_in(message))
    page.fill("#id_new_password1", "a staff member's own phrase")
    page.fill("#id_new_password2", "a staff member's own phrase")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/sign-in/")
    sign_in(page, live_server.url, "sara", "a staff member's own phrase")
    assert page.url.startswith(f"{live_server.url}/staff/")
    rows = search_accounts(page, live_server.url, "")
    assert "leo@example.org" in rows and "hana.hill" not in rows
    assert_accessible(page)
