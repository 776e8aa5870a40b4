"""Shared fixtures: the ``tutela`` command run in-process, and file writers for imports."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from tutela.cli import main

DATA = Path(__file__).parent / "data"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_tutela(*args: str) -> Run:
    """Run ``tutela ARGS`` in this process (so it sees the test database).

    A command closes every database connection when it ends; that would end the test's
    transaction too, so here the closing is left to the test.
    """
    out, err = io.StringIO(), io.StringIO()
    code = 0
    keep_connections = mock.patch("django.core.management.base.connections.close_all")
    with keep_connections, redirect_stdout(out), redirect_stderr(err):
        try:
            main(["tutela", *args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def tutela(db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    # Management commands write through self.stdout, which wraps sys.stdout at call time.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    return run_tutela


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def make(rows: Sequence[Sequence[object]], suffix: str = ".csv", **kwargs: object) -> Path:
        path = tmp_path / f"file{next(counter)}{suffix}"
        if suffix == ".xlsx":
            return write_xlsx(path, rows)
        delimiter = "," if suffix == ".csv" else "\t"
        return write_csv(path, rows, delimiter=delimiter, **kwargs)  # type: ignore[arg-type]

    return make
