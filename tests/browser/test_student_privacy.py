"""A school admin records on the student page that a student's parents keep their access past
18 (a dependent, until a date), and sees who sees the student and by what; the page passes axe."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tutela.privacy.models import MajorityException

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_school_admin_records_a_dependent_on_the_student_page(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    cast.lila.date_of_birth = datetime.date(2008, 12, 10)
    cast.lila.save()
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/staff/students/{cast.lila.pk}/")
    main = page.inner_text("main")
    assert "born 2008-12-10" in main and "turns (or turned) 18 on 2026-12-10" in main
    assert "leo@example.org" in main and "command line" in main
    assert_accessible(page)
    page.select_option("#id_kind", "dependent")
    page.fill("#id_until", "2027-12-31")
    page.fill("#id_note", "Tax return 2026")
    page.click("text=Record that the parents keep access past 18")
    page.wait_for_url(f"{live_server.url}/staff/students/{cast.lila.pk}/")
    main = page.inner_text("main")
    assert "the parents keep their access: dependent for tax purposes until 2027-12-31" in main
    assert MajorityException.objects.get().until == datetime.date(2027, 12, 31)
    assert_accessible(page)


def test_a_district_admin_filters_the_audit_trail_by_student(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/")
    page.click("text=Audit trail")
    page.wait_for_url(f"{live_server.url}/staff/audit/")
    assert_accessible(page)
    page.fill("#id_student", cast.lila.student_number)
    page.select_option("#id_kind", "student")
    page.click("text=Show the entries")
    main = page.inner_text("main")
    assert "Lila Lake" in main and "Holly" not in main
    assert_accessible(page)
    with page.expect_download() as download:
        page.click("text=Download the entries as CSV")
    assert download.value.suggested_filename == "audit-trail.csv"
