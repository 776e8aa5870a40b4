"""Progress of an import: the engine reports the rows it has read; an upload's run shows rows
read of the rows in the file, from the job's live state beside the queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

from tutela.core.audit import command_line_user
from tutela.imports.engine import PROGRESS_EVERY
from tutela.imports.registry import importers
from tutela.imports.runner import run_import
from tutela.imports.runs import run_progress, start_run
from tutela.imports.uploads import store_upload
from tutela.jobs import lifecycle

pytestmark = pytest.mark.django_db

HEADER = "Student_Number,First_Name,Last_Name,SchoolID\n"


def students(count: int) -> bytes:
    return (HEADER + "".join(f"{n},Kid,Lee,10\n" for n in range(1000, 1000 + count))).encode()


def test_the_engine_reports_the_rows_read_then_the_end(tmp_path: Path) -> None:
    path = tmp_path / "students.csv"
    path.write_bytes(students(PROGRESS_EVERY * 2 + 7))
    calls: list[tuple[int, int | None]] = []
    run_import(
        importers()["students"],
        path,
        actor=command_line_user(),
        dry_run=True,
        progress=lambda done, total: calls.append((done, total)),
    )
    total = PROGRESS_EVERY * 2 + 7
    assert calls == [(PROGRESS_EVERY, None), (PROGRESS_EVERY * 2, None), (total, total)]


def test_a_queued_run_shows_none_read_of_the_rows_in_the_file(
    settings: Settings, tmp_path: Path
) -> None:
    settings.TUTELA_HOME = tmp_path
    upload = store_upload(
        kind="students", file_name="s.csv", chunks=[students(3)], actor=command_line_user()
    )
    job = start_run(upload=upload, actor=command_line_user(), dry_run=True)
    shown = run_progress(upload, job)
    assert (shown["status"], shown["done"], shown["total"], shown["finished"]) == (
        "queued",
        0,
        3,
        False,
    )
    lifecycle.claim(job)
    with lifecycle.Running(job) as running:
        running.progress(2, 0, "reading rows")
        live = run_progress(upload, job)
        assert (live["status"], live["phase"], live["percent"]) == ("running", "reading rows", 67)
        lifecycle.fail(job, "stopped")
