"""Staff at work on the contact card and the student page, in headless Chromium: Add Students
with data access reaches the parent's portal; the pencil takes it away from an open session at
once; a new contact is offered the existing one with the same email; a school secretary
attaches a sibling at her school and is refused one at another. Every page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, Cast, build_cast
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, Student, StudentContact
from tutela.people.services import add_address, save_student

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def lars() -> Student:
    """Lila's brother, newly enrolled at Lakeside."""
    return save_student(
        actor=command_line_user(),
        student_number="3002",
        first_name="Lars",
        last_name="Lake",
        school_number="20",
    )


def staff_page(browser: Any, base_url: str, username: str) -> Any:
    page = browser.new_context().new_page()
    sign_in(page, base_url, username, PASSWORD)
    return page


def add_student(page: Any, base_url: str, contact: Contact, number: str) -> None:
    """Add Students on the card: search by number, then the results' form."""
    page.goto(f"{base_url}/staff/contacts/{contact.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Add Students").click()
    page.fill("#q", number)
    page.click("main form[role=search] button")
    assert_accessible(page)


def test_add_students_with_data_access_shows_the_student_in_the_parents_portal(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    brother = lars()
    page = staff_page(browser, live_server.url, "dana")
    add_student(page, live_server.url, cast.leo_contact, "3002")
    page.check(f"input[name=student][value='{brother.pk}']")
    page.select_option("#id_relationship_type", "Father")
    assert page.is_checked("#id_allow_data_access")  # PowerSchool's usual choice, preset
    page.get_by_role("button", name="Add student", exact=True).click()
    page.wait_for_url(f"{live_server.url}/staff/contacts/{cast.leo_contact.pk}/")
    assert "Lars Lake was added" in page.inner_text("main")
    assert_accessible(page)

    parent = staff_page(browser, live_server.url, cast.leo.username)
    parent.goto(f"{live_server.url}/portal/")
    assert "Lars" in parent.inner_text("main")
    assert_accessible(parent)


def test_data_access_off_on_the_pencil_cuts_the_parents_open_session_at_once(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    parent = staff_page(browser, live_server.url, cast.hana.username)
    parent.goto(f"{live_server.url}/portal/")
    assert "Holly" in parent.inner_text("main")

    page = staff_page(browser, live_server.url, "dana")
    page.goto(f"{live_server.url}/staff/contacts/{cast.hana_contact.pk}/")
    page.get_by_role("link", name="Edit the link to Holly Hill").click()
    assert_accessible(page)
    page.uncheck("#id_allow_data_access")
    page.get_by_role("button", name="Save details").click()
    assert "details were saved" in page.inner_text("main")
    assert_accessible(page)

    parent.reload()
    assert "Holly" not in parent.inner_text("main")
    response = parent.goto(f"{live_server.url}/portal/students/{cast.holly.pk}/")
    assert response is not None and response.status == 404

    page.goto(f"{live_server.url}/staff/contacts/{cast.hana_contact.pk}/")
    assert "this parent will see no one" in page.inner_text("main")


def test_a_new_contact_is_offered_the_existing_one_with_the_same_email(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    brother = lars()
    page = staff_page(browser, live_server.url, "sam")
    page.goto(f"{live_server.url}/staff/students/{brother.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="New contact").click()
    page.fill("#id_first_name", "Leo")
    page.fill("#id_last_name", "Lake")
    page.fill("#id_email", "LEO@example.org")
    page.get_by_role("button", name="Create contact").click()
    main = page.inner_text("main")
    assert "already exists" in main and f"#{cast.leo_contact.pk}" in main and "Lila" in main
    assert_accessible(page)
    assert not Contact.objects.filter(first_name="Leo").exclude(pk=cast.leo_contact.pk).exists()

    page.get_by_role("link", name="Attach Leo Lake to Lars instead").click()
    page.check(f"input[name=student][value='{brother.pk}']")
    page.get_by_role("button", name="Add student", exact=True).click()
    page.wait_for_url(f"{live_server.url}/staff/contacts/{cast.leo_contact.pk}/")
    assert StudentContact.objects.filter(contact=cast.leo_contact, student=brother).exists()
    assert Contact.objects.filter(last_name="Lake").count() == 1


def test_a_school_secretary_attaches_a_sibling_at_her_school_and_not_at_another(
    live_server: Any, browser: Any
) -> None:
    cast: Cast = build_cast(with_passwords=True)
    brother = lars()
    page = staff_page(browser, live_server.url, "sam")
    add_student(page, live_server.url, cast.leo_contact, "3002")
    page.check(f"input[name=student][value='{brother.pk}']")
    page.get_by_role("button", name="Add student", exact=True).click()
    page.wait_for_url(f"{live_server.url}/staff/contacts/{cast.leo_contact.pk}/")
    assert "Lars" in page.inner_text("main")

    add_student(page, live_server.url, cast.leo_contact, cast.holly.student_number)
    main = page.inner_text("main")
    assert "No student matching" in main and "another school" in main
    assert "Holly" not in main and page.locator("input[name=student]").count() == 0
    assert not StudentContact.objects.filter(contact=cast.leo_contact, student=cast.holly).exists()

    page.goto(f"{live_server.url}/staff/students/{brother.pk}/")
    main = page.inner_text("main")
    assert "Leo Lake" in main and "leo@example.org" in main  # who sees Lars, and why
    assert_accessible(page)


def test_every_page_of_the_card_and_the_student_page_passes_axe(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    add_address(actor=command_line_user(), contact=cast.hana_contact, street="1 Hill Road")
    hana = cast.hana_contact
    email, phone = hana.emails.get(), hana.phones.get()
    address = hana.addresses.get()
    link = StudentContact.objects.get(contact=hana, student=cast.holly)
    card = f"/staff/contacts/{hana.pk}/"
    page = staff_page(browser, live_server.url, "dana")
    for path in [
        card,
        f"{card}names/",
        f"{card}account/username/",
        f"{card}emails/{email.pk}/",
        f"{card}phones/",
        f"{card}phones/{phone.pk}/",
        f"{card}addresses/",
        f"{card}addresses/{address.pk}/",
        f"{card}students/add/?q=Lake",
        f"{card}students/{link.pk}/",
        f"/staff/students/{cast.holly.pk}/",
        f"/staff/students/{cast.holly.pk}/attach/?q=Una",
        "/staff/contacts/new/",
        f"/staff/contacts/new/?student={cast.holly.pk}",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert_accessible(page)
