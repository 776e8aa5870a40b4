"""The staff access-code pages in the browser: a teacher signs in, lands on their codes and
downloads their own section; a school admin resets every code of their school (after ticking
the box) and downloads the new ones."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tests.factories import AccountFactory, SectionFactory
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.services import issuing
from tutela.core.audit import command_line_user

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def download(page: Any, link: str, folder: Path) -> list[dict[str, str]]:
    with page.expect_download() as started:
        page.click(link)
    path = folder / started.value.suggested_filename
    started.value.save_as(path)
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_teacher_lands_on_their_sections_and_downloads_only_their_own(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    cast = build_cast()
    issuing.generate_codes(actor=command_line_user())
    kim = AccountFactory.create(username="kim", password=PASSWORD)
    SectionFactory.create(
        section_id="HR-K", school=cast.hillcrest, teachers=[kim], students=[cast.holly]
    )
    SectionFactory.create(section_id="HR-L", school=cast.lakeside, students=[cast.lila])

    page = browser.new_page()
    sign_in(page, live_server.url, "kim", PASSWORD)
    page.wait_for_url(f"{live_server.url}/staff/access-codes/")
    sections = page.locator("tr.section").all_inner_texts()
    assert len(sections) == 1 and "HR-K" in sections[0]
    assert "Reset" not in page.inner_text("main")  # teachers hand codes out, never reset them
    assert_accessible(page)

    rows = download(page, "tr.section >> text=Download codes", tmp_path)
    holly = AccessCode.objects.get(student=cast.holly, revoked_at__isnull=True)
    assert [(r["Student_Number"], r["Access_Code"]) for r in rows] == [("2001", holly.formatted)]
    # Another teacher's section, or a whole school, typed into the address bar: not found.
    assert page.goto(f"{live_server.url}/staff/access-codes/download/?section=HR-L").status == 404
    assert page.goto(f"{live_server.url}/staff/access-codes/download/?school=10").status == 404


def test_a_school_admin_resets_every_code_of_their_school_once_confirmed(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    cast = build_cast(with_passwords=True)
    issuing.generate_codes(actor=command_line_user())
    old_lila = AccessCode.objects.get(student=cast.lila, revoked_at__isnull=True)
    old_holly = AccessCode.objects.get(student=cast.holly, revoked_at__isnull=True)

    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/staff/access-codes/")
    options = page.locator("#id_reset_school option").all_inner_texts()
    assert options == [f"{cast.lakeside} (20)"]  # his school only, not the district
    # Without the tick box the browser does not even send the form.
    page.click("text=Reset codes")
    assert AccessCode.objects.get(pk=old_lila.pk).revoked_at is None
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.click("text=Reset codes")
    assert "1 access code(s) of" in page.inner_text("ul.messages")
    assert_accessible(page)

    rows = download(page, "ul.downloads a", tmp_path)  # his one school
    assert [r["Student_Number"] for r in rows] == ["3001"]
    assert rows[0]["Access_Code"] and rows[0]["Access_Code"] != old_lila.formatted
    assert AccessCode.objects.get(pk=old_lila.pk).revoked_at is not None
    assert AccessCode.objects.get(pk=old_holly.pk).revoked_at is None  # Hillcrest untouched
