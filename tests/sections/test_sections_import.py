import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.factories import AccountFactory, SchoolFactory, SectionFactory, StudentFactory
from tutela.accounts.models import Account
from tutela.sections.models import Section

pytestmark = pytest.mark.django_db

HEADER = [
    "Section_ID",
    "SchoolID",
    "Course_Name",
    "Teacher_Username",
    "Teacher_Email",
    "Student_Number",
]


@pytest.fixture
def district() -> dict[str, Any]:
    elm = SchoolFactory.create(school_number="10")
    return {
        "elm": elm,
        "kim": AccountFactory.create(username="kim", email="kim@school.example"),
        "lou": AccountFactory.create(username="lou", email="lou@school.example"),
        "ann": StudentFactory.create(student_number="1001", school=elm),
        "bo": StudentFactory.create(student_number="1002", school=elm),
        "cy": StudentFactory.create(student_number="1003", school=elm),
    }


def test_it_creates_sections_with_their_teachers_and_students(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], district: dict[str, Any]
) -> None:
    path = csv_file(
        [
            HEADER,
            ["HR-1", "10", "Homeroom 1", "kim", "", "1001"],
            ["HR-1", "10", "", "", "", "1002"],
            ["HR-1", "10", "", "", "LOU@school.example", ""],
            ["HR-2", "10", "Homeroom 2", "lou", "", "1003"],
        ]
    )
    run = tutela("import", "sections", str(path), "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert (report["sections_added"], report["enrolments"], report["teachers_assigned"]) == (
        2,
        3,
        3,
    )
    hr1 = Section.objects.get(section_id="HR-1")
    assert (hr1.name, hr1.school) == ("Homeroom 1", district["elm"])
    assert set(hr1.teachers.all()) == {district["kim"], district["lou"]}
    assert set(hr1.students.all()) == {district["ann"], district["bo"]}


def test_a_section_in_the_file_gets_exactly_the_roster_the_file_names(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], district: dict[str, Any]
) -> None:
    SectionFactory.create(
        section_id="HR-1",
        name="Home room one",  # the factory's own names run "Homeroom 1", "Homeroom 2", ...
        school=district["elm"],
        teachers=[district["lou"]],
        students=[district["ann"], district["cy"]],
    )
    other = SectionFactory.create(
        section_id="HR-9", school=district["elm"], students=[district["ann"]]
    )
    path = csv_file([HEADER, ["HR-1", "10", "Homeroom 1", "kim", "", "1002"]])
    report = json.loads(tutela("import", "sections", str(path), "--json").out)
    assert report["sections_updated"] == 1
    hr1 = Section.objects.get(section_id="HR-1")
    assert list(hr1.teachers.all()) == [district["kim"]]
    assert list(hr1.students.all()) == [district["bo"]]
    assert list(other.students.all()) == [district["ann"]]  # not in the file: untouched


def test_a_bad_row_rejects_its_whole_section_and_only_that_one(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], district: dict[str, Any]
) -> None:
    path = csv_file(
        [
            HEADER,
            ["HR-1", "10", "Homeroom 1", "kim", "", "1001"],
            ["HR-1", "10", "", "nobody", "", "9999"],
            ["HR-2", "10", "Homeroom 2", "lou", "", "1003"],
            ["HR-3", "77", "Homeroom 3", "", "", ""],
        ]
    )
    run = tutela("import", "sections", str(path), "--json")
    assert run.code == 1
    rows = {r["row"]: r for r in json.loads(run.out)["rows_report"]}
    assert rows[3]["errors"] == [
        "Teacher_Username 'nobody' is not an active account",
        "Student_Number '9999' is not a student of the district",
    ]
    assert rows[2]["status"] == "rejected" and "related row 3" in rows[2]["errors"][0]
    assert rows[4]["status"] == "imported"
    assert rows[5]["errors"] == ["SchoolID '77' is not a school of the district"]
    assert list(Section.objects.values_list("section_id", flat=True)) == ["HR-2"]


def test_it_refuses_a_file_without_the_required_columns(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], district: dict[str, Any]
) -> None:
    run = tutela(
        "import", "sections", str(csv_file([["Section_ID", "Student_Number"], ["A", "1"]]))
    )
    assert run.code == 2 and "SchoolID" in run.err
    assert not Section.objects.exists()


def test_a_dry_run_reports_what_a_real_run_does_and_saves_nothing(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], district: dict[str, Any]
) -> None:
    path = csv_file([HEADER, ["HR-1", "10", "Homeroom 1", "kim", "", "1001"]])
    dry = json.loads(tutela("import", "sections", str(path), "--json", "--dry-run").out)
    assert not Section.objects.exists()
    real = json.loads(tutela("import", "sections", str(path), "--json").out)
    assert dry["dry_run"] and not real["dry_run"]
    # Two runs, two jobs: everything else is the same.
    assert {k: v for k, v in dry.items() if k not in {"dry_run", "job"}} == {
        k: v for k, v in real.items() if k not in {"dry_run", "job"}
    }


def test_the_report_holds_the_rejected_rows_with_their_errors(
    tutela: Callable[..., Run],
    csv_file: Callable[..., Path],
    district: dict[str, Any],
    tmp_path: Path,
) -> None:
    path = csv_file(
        [HEADER, ["HR-1", "10", "Homeroom 1", "kim", "", "1001"], ["HR-2", "10", "", "", "", "404"]]
    )
    report = tmp_path / "rejected.csv"
    assert tutela("import", "sections", str(path), "--report", str(report)).code == 1
    text = report.read_text(encoding="utf-8-sig").splitlines()
    assert text[0].endswith(",Errors") and len(text) == 2
    assert text[1].startswith("HR-2,10") and "Student_Number '404'" in text[1]
    # Fixed, the report imports again as it is (its Errors column is ignored).
    report.write_text(report.read_text(encoding="utf-8").replace(",404,", ",1001,"), "utf-8")
    assert tutela("import", "sections", str(report)).code == 0


@pytest.mark.parametrize(("column", "limit"), [("Section_ID", 64), ("Course_Name", 200)])
def test_a_value_longer_than_its_column_rejects_its_section_on_every_database(
    tutela: Callable[..., Run],
    csv_file: Callable[..., Path],
    district: dict[str, Any],
    column: str,
    limit: int,
) -> None:
    # Longer than the csv module's default cell limit too: still the row's error, and never a
    # PostgreSQL "value too long" refusing the file (or, on SQLite, the value stored whole).
    row = dict(zip(HEADER, ["HR-1", "10", "Homeroom 1", "", "", "1001"], strict=True))
    row[column] = "x" * 200_000
    path = csv_file([HEADER, list(row.values()), ["HR-2", "10", "", "", "", "1002"]])

    run = tutela("import", "sections", str(path), "--json")

    assert run.code == 1, run.err
    rows = json.loads(run.out)["rows_report"]
    assert rows[0]["errors"] == [f"{column} is longer than {limit} characters"]
    assert rows[1]["status"] == "imported"
    assert list(Section.objects.values_list("section_id", flat=True)) == ["HR-2"]


def test_a_district_with_more_than_a_thousand_teachers_imports(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], district: dict[str, Any]
) -> None:
    # One query naming every teacher was too large an expression for SQLite.
    Account.objects.bulk_create(
        Account(username=f"t{n}", email=f"t{n}@school.example", password="!") for n in range(1200)
    )
    path = csv_file(
        [
            HEADER,
            *(["S1", "10", "", f"T{n}", "", ""] for n in range(600)),
            *(["S2", "10", "", "", f"T{n}@School.example", ""] for n in range(600, 1200)),
        ]
    )
    run = tutela("import", "sections", str(path), "--json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["teachers_assigned"] == 1200
    assert Section.objects.get(section_id="S2").teachers.count() == 600
