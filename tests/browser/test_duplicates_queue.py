"""A school admin works through the possible-duplicates queue in headless Chromium: from the
staff home to the queue, the pair side by side, a merge keeping the other record's first name,
and a pair set apart as two people. Every page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast, parent
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, NotDuplicates
from tutela.people.services import link_student

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_school_admin_merges_one_pair_and_sets_another_apart(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    leon = parent(first="Leon", last="Lake", email="LEO@example.org", phone="555-0909")
    link_student(actor=command_line_user(), contact=leon, student=cast.lila)
    # Una's namesake sharing her phone: two people, as it turns out.
    uma = parent(first="Uma", last="Unlinked", email="uma@example.org", phone="555-0303")
    link_student(actor=command_line_user(), contact=uma, student=cast.lila)
    page = browser.new_context().new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("link", name="Possible duplicates").first.click()
    assert_accessible(page)
    assert "same email leo@example.org" in page.content()

    page.get_by_role("link", name=f"Review Leo Lake #{cast.leo_contact.pk} and Leon Lake").click()
    assert_accessible(page)
    assert "LEO@example.org" in page.content() and "555-0909" in page.content()
    page.get_by_label(f"Leon (#{leon.pk})").check()
    page.get_by_role("button", name="Merge the two contacts").click()
    page.wait_for_url(f"**/staff/contacts/{cast.leo_contact.pk}/")
    assert f"Leon Lake #{leon.pk} was merged into" in page.content()
    assert_accessible(page)
    assert not Contact.objects.filter(pk=leon.pk).exists()
    assert Contact.objects.get(pk=cast.leo_contact.pk).first_name == "Leon"

    page.goto(f"{live_server.url}/staff/duplicates/{cast.una_contact.pk}/{uma.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Not duplicates").click()
    page.wait_for_url("**/staff/duplicates/")
    assert "will not be listed again" in page.content()
    assert_accessible(page)
    assert NotDuplicates.objects.filter(contact_a=cast.una_contact, contact_b=uma).exists()
