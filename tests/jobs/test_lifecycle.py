"""The one job lifecycle: started before the job's transaction, beating while it runs, finished
inside that transaction, failed when it stops beating; the same for every kind of job."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.conftest import Run
from tests.provisioning.helpers import guardian, student
from tutela.accesscodes.models import AccessCode, AccessCodeJob
from tutela.accesscodes.services import issuing
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.imports import engine
from tutela.imports.models import ImportJob
from tutela.imports.registry import importers
from tutela.imports.runner import run_import
from tutela.jobs import lifecycle
from tutela.people.models import School, Student
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.progress import job_progress
from tutela.provisioning.selection import Selection
from tutela.provisioning.services import execute_autocreate_job, record_autocreate_job

pytestmark = pytest.mark.django_db

HEADER = ["Student_Number", "First_Name", "Last_Name", "SchoolID"]


@pytest.fixture
def students_file(csv_file: Callable[..., Path]) -> Path:
    return csv_file([HEADER, ["1001", "Ann", "Lee", "10"], ["1002", "Bo", "Lee", "10"]])


def test_an_import_is_recorded_running_and_beating_before_its_rows_are_written(
    students_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool, bool]] = []
    real_run_kind = engine.run_kind

    def watching(*args: Any) -> Any:
        job = ImportJob.objects.get()
        seen.append((job.status, job.started_at is not None, "beat" in lifecycle.live_state(job)))
        return real_run_kind(*args)

    monkeypatch.setattr("tutela.imports.runner.run_kind", watching)
    result = run_import(importers()["students"], students_file, actor=command_line_user())
    assert seen == [("running", True, True)]
    job = ImportJob.objects.get()
    assert (job.pk, job.status, job.error) == (result.job, "done", "")
    assert job.finished_at is not None and job.totals["students_added"] == 2
    assert lifecycle.live_state(job) == {}  # the live state goes once the record is final


def test_an_imports_final_record_is_part_of_the_rows_transaction(
    students_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final record cannot be saved, the rows are not kept either (and vice versa)."""

    def broken_finish(job: Any) -> None:
        raise RuntimeError("the record could not be saved")

    monkeypatch.setattr(lifecycle, "finish", broken_finish)
    with pytest.raises(RuntimeError):
        run_import(importers()["students"], students_file, actor=command_line_user())
    assert not Student.objects.exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error) == ("failed", "RuntimeError: the record could not be saved")


def test_a_dry_run_is_recorded_done_with_nothing_kept(students_file: Path) -> None:
    result = run_import(
        importers()["students"], students_file, actor=command_line_user(), dry_run=True
    )
    assert not Student.objects.exists()
    assert result.job is not None
    job = ImportJob.objects.get(pk=result.job)
    assert (job.status, job.dry_run, job.totals["students_added"]) == ("done", True, 2)


def test_a_queued_import_is_claimed_once(students_file: Path) -> None:
    queued = ImportJob.objects.create(kind="students", file_name="s.csv", dry_run=False)
    kind = importers()["students"]
    run_import(kind, students_file, actor=command_line_user(), job=queued)
    queued.refresh_from_db()
    assert queued.status == "done" and Student.objects.count() == 2
    with pytest.raises(lifecycle.AlreadyRun):
        run_import(kind, students_file, actor=command_line_user(), job=queued)


def test_a_queued_import_refused_as_a_whole_says_why(csv_file: Callable[..., Path]) -> None:
    queued = ImportJob.objects.create(kind="students", file_name="s.csv")
    path = csv_file([HEADER])
    with pytest.raises(Exception, match="no data rows"):
        run_import(importers()["students"], path, actor=command_line_user(), job=queued)
    queued.refresh_from_db()
    assert queued.status == "failed" and "the file has a header but no data rows" in queued.error


def test_a_running_job_beats_while_its_own_thread_is_busy(settings: Any) -> None:
    settings.TUTELA_JOB_STALE_SECONDS = 1
    job = lifecycle.start(ImportJob(kind="students", file_name="s.csv"))
    with lifecycle.Running(job):
        first = lifecycle.live_state(job)["beat"]
        deadline = time.monotonic() + 10
        while lifecycle.live_state(job)["beat"] == first and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the heartbeat: this thread does nothing meanwhile
        assert lifecycle.live_state(job)["beat"] > first


def silent_job(model: Any, seconds: float, **fields: Any) -> Any:
    job = lifecycle.start(model(**fields))
    lifecycle.Running(job).progress(1, 10, "writing")  # one beat, then the process "died"
    return job, time.time() + seconds


def test_a_job_silent_for_longer_than_the_stale_limit_is_marked_failed_with_the_reason(
    settings: Any,
) -> None:
    settings.TUTELA_JOB_STALE_SECONDS = 60
    job, later = silent_job(ImportJob, 61, kind="students", file_name="s.csv")
    assert lifecycle.mark_stale_jobs(now=later - 30) == []  # silent for 31 s: still running
    job.refresh_from_db()
    assert job.status == "running"
    assert lifecycle.mark_stale_jobs(now=later) == [f"import {job.pk}"]
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.error.startswith("stopped: no heartbeat for 61 s (TUTELA_JOB_STALE_SECONDS is 60)")


def test_every_kind_of_job_is_swept(settings: Any) -> None:
    settings.TUTELA_JOB_STALE_SECONDS = 5
    jobs = [
        silent_job(ImportJob, 0, kind="students", file_name="s.csv")[0],
        silent_job(AutoCreateJob, 0)[0],
        silent_job(AccessCodeJob, 0, action="reset", scope="the district")[0],
    ]
    assert sorted(lifecycle.mark_stale_jobs(now=time.time() + 6)) == sorted(j.label for j in jobs)
    assert {type(j).objects.get(pk=j.pk).status for j in jobs} == {"failed"}


def test_a_screen_reading_a_stale_autocreate_job_marks_it_failed_and_offers_a_retry(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TUTELA_JOB_STALE_SECONDS = 5
    job = lifecycle.start(
        record_autocreate_job(selection=Selection(), actor=cast.dana, simulate=True)
    )
    lifecycle.Running(job).progress(1, 10, "planning")
    client = Client()
    client.force_login(cast.dana)
    url = reverse("provisioning:job", args=[job.pk])
    assert b"Retry this run" not in client.get(url).content  # still beating
    real_time = time.time
    monkeypatch.setattr(lifecycle.time, "time", lambda: real_time() + 6)
    page = client.get(url).content.decode()
    assert "The run failed: stopped: no heartbeat for" in page
    assert "Retry this run" in page
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_failed_autocreate_run_is_retried_from_its_page_as_a_new_job(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    failed = record_autocreate_job(selection=Selection(), actor=cast.dana, simulate=False)
    lifecycle.start(failed)
    lifecycle.fail(failed, "stopped: no heartbeat")
    client = Client()
    client.force_login(cast.dana)
    before, HUEY.immediate = HUEY.immediate, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("provisioning:job-retry", args=[failed.pk]))
    finally:
        HUEY.immediate = before
    again = AutoCreateJob.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == reverse("provisioning:job", args=[again.pk])
    assert (again.status, again.simulate, again.totals["accounts_created"]) == ("done", False, 1)
    assert Account.objects.filter(username="maria@example.org").exists()
    failed.refresh_from_db()
    assert failed.status == "failed"  # the record of what happened stays


def test_only_a_failed_autocreate_run_can_be_retried(cast: Cast) -> None:
    done = AutoCreateJob.objects.create(actor=cast.dana, status="done")
    client = Client()
    client.force_login(cast.dana)
    assert client.post(reverse("provisioning:job-retry", args=[done.pk])).status_code == 404
    assert AutoCreateJob.objects.count() == 1


def test_an_autocreate_runs_record_is_part_of_its_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    job = record_autocreate_job(selection=Selection(), actor=command_line_user(), simulate=False)

    def broken_finish(job: Any) -> None:
        raise RuntimeError("the record could not be saved")

    monkeypatch.setattr(lifecycle, "finish", broken_finish)
    with pytest.raises(RuntimeError):
        execute_autocreate_job(job_id=job.pk)
    assert not Account.objects.exists()
    job.refresh_from_db()
    assert job.status == "failed" and "could not be saved" in job.error
    assert job_progress(job)["retry"] is True


def test_a_code_reset_is_a_job_recorded_with_its_codes(tutela: Callable[..., Run]) -> None:
    school = School.objects.create(school_number="10", name="Elm")
    for number in ("1001", "1002"):
        Student.objects.create(student_number=number, first_name="A", last_name="B", school=school)
    assert tutela("codes", "reset", "--school", "10").code == 0
    job = AccessCodeJob.objects.get()
    assert (job.action, job.scope, job.issued, job.status) == ("reset", "school 10", 2, "done")
    assert job.actor_name and job.started_at and job.finished_at
    assert AccessCode.objects.filter(revoked_at__isnull=True).count() == 2


def test_a_code_reset_that_fails_keeps_no_codes_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    school = School.objects.create(school_number="10", name="Elm")
    Student.objects.create(student_number="1001", first_name="A", last_name="B", school=school)

    def broken_finish(job: Any) -> None:
        raise RuntimeError("the record could not be saved")

    monkeypatch.setattr(lifecycle, "finish", broken_finish)
    with pytest.raises(RuntimeError):
        issuing.reset_codes(actor=command_line_user(), school=school)
    assert not AccessCode.objects.exists()
    assert AccessCodeJob.objects.get().status == "failed"
