"""Staff fix "email already in use" in the browser: a district admin folds a duplicate into the
parent's existing contact; a school admin meeting another school's parent's email is not told
who that parent is, nor shown their children, and is sent to a district admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user
from tutela.people.models import Contact
from tutela.people.services import add_email, create_contact, link_student, save_student

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_district_admin_attaches_the_duplicates_student_to_the_existing_contact(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    hank = save_student(
        actor=command_line_user(),
        student_number="2003",
        first_name="Hank",
        last_name="Hill",
        school_number="10",
    )
    duplicate = create_contact(actor=command_line_user(), first_name="Hana", last_name="Hill")
    add_email(
        actor=command_line_user(), contact=duplicate, address="Hana@Example.org", is_primary=True
    )
    link_student(actor=command_line_user(), contact=duplicate, student=hank)

    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.fill("#q", "hana@example.org")
    page.click("main button[type=submit]")
    page.click(f"a[href='/staff/contacts/{duplicate.pk}/']")
    page.click("text=Add Account")
    page.click("main button[type=submit]")  # the primary email is chosen already

    main = page.inner_text("main")
    assert "already in use by another access account" in main
    assert f"#{cast.hana_contact.pk}" in main and "Holly" in main and "Hank" in main
    page.check("#id_allow_data_access")
    page.click("text=Attach students to")
    page.wait_for_url(f"{live_server.url}/staff/contacts/{cast.hana_contact.pk}/")
    main = page.inner_text("main")
    assert "Hank" in main and "Holly" in main
    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    assert set(students_visible_to(account=cast.hana)) == {cast.holly, hank}


def test_a_school_admin_meeting_another_schools_parents_email_sees_none_of_that_family(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    add_email(actor=command_line_user(), contact=cast.una_contact, address="hana@example.org")
    otto = create_contact(actor=command_line_user(), first_name="Otto", last_name="Other")
    link_student(actor=command_line_user(), contact=otto, student=cast.hugo)

    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/staff/contacts/{cast.una_contact.pk}/account/")
    page.select_option("#id_email", "hana@example.org")
    page.click("main button[type=submit]")
    main = page.inner_text("main")
    assert "already in use by another access account" in main
    assert "a district admin can merge" in main
    for hidden in ("Hana", "hana.hill", "Holly", "Hugo", "Hillcrest"):
        assert hidden not in main, hidden
    assert page.locator("text=Attach students to").count() == 0
    assert page.goto(f"{live_server.url}/staff/contacts/{cast.hana_contact.pk}/").status == 404
    # A contact of Hillcrest's only, typed by id, is "not found".
    assert page.goto(f"{live_server.url}/staff/contacts/{otto.pk}/").status == 404
