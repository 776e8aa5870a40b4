"""Imports in the browser: a district admin uploads a contacts file with a misnamed column,
maps it, previews it, confirms it, watches it run, downloads the rejected rows, fixes one and
imports it again; a school secretary's row about another school's student is rejected with
the reason; parents and visitors get no import page."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tests.factories import SchoolFactory, StudentFactory
from tests.imports.test_edfi_import import DATA as EDFI_DATA
from tests.imports.test_oneroster_import import package
from tests.staff.imports_helpers import HEADER, ROWS, csv_bytes, run_queued
from tutela.imports.models import ImportJob
from tutela.people.models import Contact

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def upload(page: Any, base_url: str, path: Path) -> None:
    page.goto(f"{base_url}/staff/imports/new/")
    assert_accessible(page)
    page.select_option("#id_kind", "contacts")
    page.set_input_files("#id_file", str(path))
    page.click("text=Upload and map columns")
    page.wait_for_url("**/staff/imports/uploads/*/map/")
    assert_accessible(page)


def run_and_wait(page: Any, queue: list[int], title: str) -> None:
    """The run is queued and the page shows its progress; the test runs it as the worker
    would, and the page's script reloads it into the results."""
    page.wait_for_selector("#job-progress")
    assert_accessible(page)
    run_queued(queue)
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=15_000)
    assert_accessible(page)


def test_a_district_admin_maps_previews_imports_fixes_and_imports_again(
    live_server: Any, browser: Any, queue: list[int], tmp_path: Path
) -> None:
    build_cast(with_passwords=True)
    first = tmp_path / "contacts.csv"
    first.write_bytes(csv_bytes(ROWS))
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/imports/")
    assert_accessible(page)
    upload(page, live_server.url, first)

    assert "not a known column" in page.inner_text("main")  # Surname
    page.click("text=Preview the import")
    assert "Choose a field for “Surname”" in page.inner_text("main")
    page.select_option("#id_column_1", "LastName")
    page.fill("#id_save_as", "Weekly export")
    page.click("text=Preview the import")
    run_and_wait(page, queue, "Preview of contacts.csv")
    rejected = page.inner_text("#row-results")
    assert "StudentNumber '9999' is not a student" in rejected and "N2" in rejected
    assert not Contact.objects.filter(last_name="Nash").exists()  # a preview writes nothing

    page.click("text=Import contacts.csv for real")
    run_and_wait(page, queue, "Results of contacts.csv")
    assert Contact.objects.filter(last_name="Nash").count() == 1
    page.select_option("#filter-outcome", "added")
    page.click("text=Show these rows")
    page.wait_for_url("**outcome=added**")
    assert "N1" in page.inner_text("#row-results")
    assert_accessible(page)

    with page.expect_download() as download:
        page.click("text=Download the rejected rows")
    report = tmp_path / "contacts-rejected.csv"
    download.value.save_as(report)
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [*HEADER, "Errors"]
    assert rows[1][0] == "N2" and "is not a student" in rows[1][-1]
    rows[1][4] = "2002"  # the secretary looks the student up: Hugo
    fixed = tmp_path / "contacts-fixed.csv"
    with fixed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)

    upload(page, live_server.url, fixed)
    page.select_option("#saved-mapping", "Weekly export")
    page.click("text=Use this saved mapping")
    assert page.input_value("#id_column_1") == "LastName"
    assert page.input_value("#id_column_6") == "-"  # the report's Errors column is left out
    page.click("text=Preview the import")
    run_and_wait(page, queue, "Preview of contacts-fixed.csv")
    page.click("text=Import contacts-fixed.csv for real")
    run_and_wait(page, queue, "Results of contacts-fixed.csv")
    assert "1 imported, 0 rejected" in page.inner_text("main")
    ned = Contact.objects.get(first_name="Ned")
    assert [link.student.student_number for link in ned.student_links.all()] == ["2002"]
    assert ImportJob.objects.filter(dry_run=False).count() == 2


def test_a_school_secretarys_row_about_another_schools_student_is_rejected_with_the_reason(
    live_server: Any, browser: Any, queue: list[int], tmp_path: Path
) -> None:
    build_cast(with_passwords=True)  # Sam: Lakeside (Lila 3001); Holly 2001 is at Hillcrest
    path = tmp_path / "lakeside.csv"
    header = ["Identifier", "LastName", "FirstName", "EmailAddress", "StudentNumber"]
    path.write_bytes(
        csv_bytes(
            [["L1", "Lane", "Lu", "lu@example.org", "3001"], ["L2", "Lane", "Al", "", "2001"]],
            header=header,
        )
    )
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    upload(page, live_server.url, path)
    page.click("text=Preview the import")
    run_and_wait(page, queue, "Preview of lakeside.csv")
    rows = page.inner_text("#row-results")
    assert "L2" in rows and "outside your scope" in rows and "L1" not in rows
    page.click("text=Import lakeside.csv for real")
    run_and_wait(page, queue, "Results of lakeside.csv")
    assert Contact.objects.filter(last_name="Lane").count() == 1


@pytest.mark.parametrize("who", ["hana.hill", None])
def test_a_parent_and_a_visitor_get_no_import_page(
    live_server: Any, browser: Any, who: str | None
) -> None:
    build_cast(with_passwords=True)
    page = browser.new_page()
    if who:
        sign_in(page, live_server.url, who, PASSWORD)
    for path in ("/staff/imports/", "/staff/imports/new/"):
        response = page.goto(f"{live_server.url}{path}")
        if who:
            assert response.status == 403  # the site's refusal page (not an imports page)
        else:
            assert "/accounts/sign-in/" in page.url
            assert_accessible(page)
        assert "New import" not in page.inner_text("body")
        assert page.locator("input[type=file]").count() == 0


def test_a_district_admin_imports_a_oneroster_package_with_nothing_to_map(
    live_server: Any, browser: Any, queue: list[int], tmp_path: Path
) -> None:
    build_cast(with_passwords=True)
    path = package(tmp_path / "roster.zip")
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/imports/new/")
    page.select_option("#id_kind", "oneroster")
    page.set_input_files("#id_file", str(path))
    page.click("text=Upload and map columns")
    page.wait_for_url("**/staff/imports/uploads/*/map/")
    assert_accessible(page)
    assert "nothing to map" in page.inner_text("main")
    page.click("text=Preview the import")
    run_and_wait(page, queue, "Preview of roster.zip")
    assert "contact p-1" in page.inner_text("#row-results")
    assert not Contact.objects.filter(unique_id="p-1").exists()
    page.click("text=Import roster.zip for real")
    run_and_wait(page, queue, "Results of roster.zip")
    mia = Contact.objects.get(unique_id="p-1")
    assert [link.student.student_number for link in mia.student_links.all()] == ["5001"]


def test_a_district_admin_imports_ed_fi_interchanges_from_the_browser(
    live_server: Any, browser: Any, queue: list[int], tmp_path: Path
) -> None:
    build_cast(with_passwords=True)
    school = SchoolFactory.create(school_number="7")
    StudentFactory.create(student_number="S-1", school=school)
    path = tmp_path / "parents.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(EDFI_DATA / "Parent-3x.xml", "Parent.xml")
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/imports/new/")
    page.select_option("#id_kind", "edfi")
    page.set_input_files("#id_file", str(path))
    page.click("text=Upload and map columns")
    page.wait_for_url("**/staff/imports/uploads/*/map/")
    assert "nothing to map" in page.inner_text("main")
    page.click("text=Preview the import")
    run_and_wait(page, queue, "Preview of parents.zip")
    assert not Contact.objects.filter(unique_id="9001").exists()
    page.click("text=Import parents.zip for real")
    run_and_wait(page, queue, "Results of parents.zip")
    assert_accessible(page)
    rosa = Contact.objects.get(unique_id="9001")
    assert [link.student.student_number for link in rosa.student_links.all()] == ["S-1"]
