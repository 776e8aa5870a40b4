"""A district admin adds a sync target in the browser, delivers it to a folder, reads the
delivery, and sees a failed one on the staff home; each page passes axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tutela.rostering.models import SyncDelivery, SyncTarget

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_district_admin_adds_runs_and_fixes_a_sync_target(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    cast = build_cast(with_passwords=True)
    inbox = tmp_path / "share" / "inbox"
    page = browser.new_page()
    sign_in(page, live_server.url, cast.dana.username, PASSWORD)
    page.goto(f"{live_server.url}/staff/")
    page.click("text=Sync targets")
    assert_accessible(page)
    page.click("text=Add a sync target")
    assert_accessible(page)
    page.get_by_label("Name").fill("canvas-nightly")
    page.get_by_label("Format").select_option("canvas")
    page.get_by_label("Deliver to").fill(str(inbox))
    page.get_by_label("Hillcrest").check()
    page.get_by_label("Parents in rosters").uncheck()
    page.get_by_role("button", name="Add sync target").click()
    page.wait_for_url(f"{live_server.url}/staff/sync/*/")
    assert "Added sync target canvas-nightly" in page.inner_text("main")
    assert_accessible(page)
    target = SyncTarget.objects.get()
    assert (target.format, target.parents_in_rosters) == ("canvas", False)
    assert [school.school_number for school in target.schools.all()] == ["10"]

    # The folder does not exist yet: the delivery fails, and the staff home says so.
    page.get_by_role("button", name="Deliver canvas-nightly now").click()
    assert "does not exist" in page.inner_text("main")
    page.goto(f"{live_server.url}/staff/")
    home = page.inner_text("main")
    assert "Failed deliveries to learning systems" in home and "canvas-nightly" in home
    assert_accessible(page)

    inbox.mkdir(parents=True)
    page.click("main table a:text('canvas-nightly')")
    page.get_by_role("button", name="Deliver canvas-nightly now").click()
    main = page.inner_text("main")
    assert "Delivered canvas-nightly-canvas-bulk-" in main
    delivery = SyncDelivery.objects.get(succeeded=True)
    # Holly, Hugo and Hana (granted Holly), without whose parent she is.
    assert delivery.sha256 in main and "users.csv 3, user_observers.csv 0" in main
    assert_accessible(page)
    page.goto(f"{live_server.url}/staff/")
    assert "Failed deliveries" not in page.inner_text("main")

    page.goto(f"{live_server.url}/staff/sync/{target.pk}/")
    page.get_by_label("Send").select_option("delta")
    page.get_by_role("button", name="Save settings").click()
    assert "Saved sync target canvas-nightly" in page.inner_text("main")
    target.refresh_from_db()
    assert target.mode == "delta"
