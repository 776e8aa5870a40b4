"""Formula cells in every CSV Tutela writes are neutralised, and read back as they were meant."""

from __future__ import annotations

import ast
import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

import tutela
from tests.conftest import Run
from tutela.core.spreadsheets import csv_writer, neutralised, restored
from tutela.core.tabular import read_table

SOURCE = Path(tutela.__file__).resolve().parent
FORMULAS = ['=HYPERLINK("http://x.example","Click")', "+1 212 555 0101", "-2+3", "@SUM(A1)"]
FORMULAS += ["\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_a_spreadsheet_would_take_as_a_formula_gets_a_leading_quote(value: str) -> None:
    assert neutralised(value) == "'" + value
    assert restored([neutralised(value)]) == [value]


@pytest.mark.parametrize("value", ["Lee", "", "1001", "'quoted", "a=b", " =1", 12, -5, None])
def test_other_cells_are_written_as_they_are(value: object) -> None:
    assert neutralised(value) == value


def test_only_the_quote_tutela_adds_is_taken_away() -> None:
    assert restored(["'=1", "'quoted", "''=1", "'", "O'Neil"]) == [
        "=1",
        "'quoted",
        "''=1",
        "'",
        "O'Neil",
    ]


def test_a_written_csv_opens_safely_and_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)
        writer.writerow(["Name", "=Header"])
        writer.writerows([[value, 7] for value in FORMULAS])
    with path.open(newline="", encoding="utf-8") as handle:
        raw = list(csv.reader(handle))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in raw for cell in row)
    table = read_table(path)
    assert table.headers == ["Name", "=Header"]
    assert [cells for _, cells in table.rows] == [[value, "7"] for value in FORMULAS]


def test_every_csv_writer_in_tutela_is_the_safe_one() -> None:
    """``csv.writer`` is called in one place only: ``core.spreadsheets``."""
    callers = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                callers.append(str(path.relative_to(SOURCE)))
    assert callers == ["core/spreadsheets.py"]


STUDENTS = ["Student_Number", "First_Name", "Last_Name", "SchoolID"]


@pytest.mark.django_db
def test_a_fixed_import_report_imports_the_value_the_district_meant(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    from tutela.people.models import Student

    path = csv_file([STUDENTS, ["1001", "=Ann", "-Lee", ""]])
    report = tmp_path / "rejected.csv"
    assert tutela("import", "students", str(path), "--report", str(report)).code == 1
    text = report.read_text(encoding="utf-8")
    assert "'=Ann,'-Lee" in text  # opens as text in a spreadsheet
    rows = list(csv.reader(io.StringIO(text)))
    rows[1][3] = "10"  # the district fixes the school
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    run = tutela("import", "students", str(fixed), "--json")
    assert run.code == 0, run.out
    assert json.loads(run.out)["students_added"] == 1
    student = Student.objects.get(student_number="1001")
    assert (student.first_name, student.last_name) == ("=Ann", "-Lee")


@pytest.mark.django_db
def test_the_access_code_export_and_the_autocreate_plan_neutralise_formula_cells(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    from tests.provisioning.helpers import guardian
    from tutela.core.audit import command_line_user
    from tutela.people.models import School, Student
    from tutela.provisioning.selection import Selection
    from tutela.provisioning.services import run_autocreate

    school = School.objects.create(school_number="10", name="Elm")
    kid = Student.objects.create(
        student_number="1001", first_name="=cmd|' /C calc'!A0", last_name="@Lee", school=school
    )
    assert tutela("codes", "generate").code == 0
    out = tmp_path / "codes.csv"
    assert tutela("codes", "export", "--output", str(out)).code == 0
    exported = out.read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in exported and "'@Lee" in exported
    guardian("+Maria", "Lopez", "maria@example.org", students=(kid,))
    plan = run_autocreate(selection=Selection(), actor=command_line_user(), simulate=True)
    text = gzip.decompress(plan.csv_gz()).decode("utf-8")
    assert "'+Maria Lopez" in text and "'=cmd|' /C calc'!A0" in text
