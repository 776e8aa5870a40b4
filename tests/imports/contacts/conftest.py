"""Helpers for the contacts import tests: a student body, a runner and an exporter."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.factories import SchoolFactory
from tutela.people.export import export_contacts
from tutela.people.models import Student


@pytest.fixture
def students(db: None) -> dict[str, Student]:
    school = SchoolFactory.create(school_number="10")
    return {
        number: Student.objects.create(
            student_number=number, first_name=f"Kid{number}", last_name="Lee", school=school
        )
        for number in ("1001", "1002", "1003")
    }


@pytest.fixture
def import_rows(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], students: dict[str, Student]
) -> Callable[..., tuple[Run, dict[str, Any]]]:
    """Write ``[header, *rows]`` to a file, import it with --json, return the run and report."""

    def run(header: Sequence[str], *rows: Sequence[object], args: Sequence[str] = ()) -> Any:
        path = csv_file([list(header), *[list(r) for r in rows]])
        result = tutela("import", "contacts", str(path), "--json", *args)
        try:
            report = json.loads(result.out)
        except json.JSONDecodeError:
            report = {}
        return result, report

    return run


def exported() -> list[dict[str, Any]]:
    return list(export_contacts())


def errors_of(report: dict[str, Any]) -> list[str]:
    return [e for row in report["rows_report"] for e in row["errors"]]
