"""Progress of an import: the engine reports the rows it has read; an upload's run shows rows
read of the rows in the file, kept beside the queue while the run holds its transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutela.core import progress
from tutela.core.audit import command_line_user
from tutela.imports.engine import PROGRESS_EVERY
from tutela.imports.registry import importers
from tutela.imports.runner import run_import
from tutela.imports.runs import progress_key, run_progress, start_run
from tutela.imports.uploads import store_upload

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


def test_a_queued_run_shows_none_read_of_the_rows_in_the_file(settings, tmp_path: Path) -> None:
    settings.TUTELA_HOME = tmp_path
    upload = store_upload(
        kind="students", file_name="s.csv", chunks=[students(3)], actor=command_line_user()
    )
    start_run(upload=upload, actor=command_line_user(), dry_run=True)
    upload.refresh_from_db()
    shown = run_progress(upload)
    assert (shown["status"], shown["phase"], shown["done"], shown["total"]) == (
        "running",
        "queued",
        0,
        3,
    )
    progress.save_progress(progress_key(upload.pk), done=2, total=3, phase="reading rows")
    assert run_progress(upload)["percent"] == 67
    progress.clear_progress(progress_key(upload.pk))
