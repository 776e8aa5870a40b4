"""Helpers for the imports screens' tests: a contacts file for the cast, run the queue."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from tutela.imports import jobs, tasks
from tutela.imports.runs import execute_run

# The cast's Hillcrest family, with the last name under another header ("Surname") and one
# row whose student does not exist.
HEADER = ["Identifier", "Surname", "FirstName", "EmailAddress", "StudentNumber", "RelationshipType"]
ROWS = [
    ["N1", "Nash", "Nora", "nora@example.org", "2001", "Mother"],
    ["N2", "Nash", "Ned", "ned@example.org", "9999", "Father"],
]


def csv_bytes(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([list(header), *[list(r) for r in rows]])
    return out.getvalue().encode("utf-8")


def upload_file(
    name: str = "contacts.csv", rows: Sequence[Sequence[str]] = ROWS
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """No worker: the runs the screens queue, for the test to run with ``run_queued``."""
    queued: list[int] = []
    monkeypatch.setattr(tasks, "upload_run_task", queued.append)
    # A test inside one transaction never commits: queue at once what waits for the commit.
    monkeypatch.setattr(jobs.transaction, "on_commit", lambda callback: callback())
    return queued


def run_queued(queued: list[int]) -> None:
    while queued:
        execute_run(job_id=queued.pop(0))


@pytest.fixture(autouse=True)
def data_folder(settings: Settings, tmp_path: Path) -> Path:
    settings.TUTELA_HOME = tmp_path
    return tmp_path
