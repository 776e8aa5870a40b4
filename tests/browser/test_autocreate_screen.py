"""A district admin runs AutoCreate from its screen: a simulation, watched by the page's own
progress polling until the plan appears, the plan downloaded, then the same run for real."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tests.provisioning.helpers import guardian
from tutela.accounts.models import Account
from tutela.provisioning import tasks
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.services import execute_autocreate_job

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_district_admin_simulates_watches_downloads_then_runs_for_real(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cast = build_cast(with_passwords=True)
    guardian("Gia", "Hill", "gia@example.org", students=(cast.holly,), relationship="")
    # No worker: the test runs each queued job itself, while the page is watching.
    queued: list[int] = []
    monkeypatch.setattr(tasks, "autocreate_task", queued.append)

    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/autocreate/")
    assert page.is_checked("#id_simulate")  # a simulation unless unticked
    page.select_option("#id_school", label=str(cast.hillcrest))
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/autocreate/jobs/*/")
    (simulation,) = queued
    assert "queued" in page.inner_text("#job-status")
    assert_accessible(page)

    execute_autocreate_job(job_id=simulation)
    # job.js polls the progress URL and reloads the page once the job is finished.
    page.wait_for_selector("text=Accounts to create", timeout=15_000)
    assert "gia@example.org" in page.inner_text("main")
    assert Account.objects.filter(email="gia@example.org").count() == 0  # wrote nothing
    assert_accessible(page)

    with page.expect_download() as download:
        page.click("text=Download the full plan (CSV)")
    saved = tmp_path / "plan.csv"
    download.value.save_as(saved)
    plan = saved.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(plan)))
    assert any("gia@example.org" in row for row in rows)
    assert "Lila" not in plan and "3001" not in plan  # only Hillcrest was selected

    page.click("text=Run it for real")
    page.wait_for_url(f"**/staff/autocreate/jobs/{simulation + 1}/")
    assert queued == [simulation, simulation + 1]
    execute_autocreate_job(job_id=simulation + 1)
    page.wait_for_selector("text=Accounts created", timeout=15_000)
    real = AutoCreateJob.objects.get(pk=simulation + 1)
    assert not real.simulate and real.status == "done"
    assert Account.objects.filter(email="gia@example.org").count() == 1
    assert_accessible(page)


def test_a_run_whose_worker_stopped_shows_it_failed_and_is_retried_from_its_page(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from tutela.jobs import lifecycle
    from tutela.provisioning.selection import Selection
    from tutela.provisioning.services import record_autocreate_job

    cast = build_cast(with_passwords=True)
    guardian("Gia", "Hill", "gia@example.org", students=(cast.holly,), relationship="")
    queued: list[int] = []
    monkeypatch.setattr(tasks, "autocreate_task", queued.append)
    settings.TUTELA_JOB_STALE_SECONDS = 5
    # A real run whose worker died after one heartbeat, long enough ago.
    stopped = lifecycle.start(
        record_autocreate_job(selection=Selection(), actor=cast.dana, simulate=False)
    )
    lifecycle.Running(stopped).progress(1, 4, "writing")
    real_time = lifecycle.time.time
    monkeypatch.setattr(lifecycle.time, "time", lambda: real_time() + 6)

    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/autocreate/jobs/{stopped.pk}/")
    assert "The run failed: stopped: no heartbeat for" in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Retry this run")
    page.wait_for_url(f"**/staff/autocreate/jobs/{stopped.pk + 1}/")
    assert queued == [stopped.pk + 1]
    execute_autocreate_job(job_id=stopped.pk + 1)
    page.wait_for_selector("text=Accounts created", timeout=15_000)
    assert Account.objects.filter(email="gia@example.org").count() == 1
    assert_accessible(page)
