import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DATA, Run, read_xlsx
from tutela.imports.models import ImportJob
from tutela.people.models import School, Student

pytestmark = pytest.mark.django_db

HEADER = ["Student_Number", "First_Name", "Last_Name", "SchoolID", "Grade_Level", "School_Name"]


def test_it_creates_students_and_their_schools(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            HEADER,
            ["1001", "Ann", "Lee", "10", "3", "Elm Elementary"],
            ["1002", "Bo", "Lee", "20", "7", "Oak Middle"],
        ]
    )
    run = tutela("import", "students", str(path), "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["students_added"] == 2 and report["schools_added"] == 2
    assert report["rows_report"] == [
        {"row": 2, "group": "1001", "status": "imported", "errors": [], "outcome": "added"},
        {"row": 3, "group": "1002", "status": "imported", "errors": [], "outcome": "added"},
    ]
    ann = Student.objects.select_related("school").get(student_number="1001")
    assert (ann.first_name, ann.grade_level, ann.school.school_number, ann.school.name) == (
        "Ann",
        "3",
        "10",
        "Elm Elementary",
    )


def test_it_updates_students_by_number_and_leaves_unchanged_ones_alone(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    tutela("import", "students", str(csv_file([HEADER, ["1001", "Ann", "Lee", "10", "3", ""]])))
    path = csv_file(
        [HEADER, ["1001", "Anne", "Lee", "10", "4", ""], ["1002", "Bo", "Lee", "10", "", ""]]
    )
    report = json.loads(tutela("import", "students", str(path), "--json").out)
    assert (report["students_added"], report["students_updated"]) == (1, 1)
    assert Student.objects.get(student_number="1001").first_name == "Anne"
    again = json.loads(tutela("import", "students", str(path), "--json").out)
    assert (again["students_added"], again["students_updated"]) == (0, 0)


def test_header_names_match_loosely(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            ["student number", "FIRST NAME", "last_name (legal)", "School_ID"],
            ["1001", "Ann", "Lee", "10"],
        ]
    )
    assert tutela("import", "students", str(path)).code == 0
    assert Student.objects.filter(student_number="1001", last_name="Lee").exists()


def test_a_row_missing_a_required_value_is_rejected_and_named(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [HEADER, ["1001", "", "Lee", "10", "3", ""], ["1002", "Bo", "Lee", "10", "3", ""]]
    )
    run = tutela("import", "students", str(path), "--json")
    assert run.code == 1
    rows = json.loads(run.out)["rows_report"]
    assert rows[0] == {
        "row": 2,
        "group": "1001",
        "status": "rejected",
        "errors": ["First_Name is required"],
        "outcome": "rejected",
    }
    assert rows[1]["status"] == "imported"
    assert list(Student.objects.values_list("student_number", flat=True)) == ["1002"]


def test_the_same_student_twice_with_other_values_rejects_the_later_row(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            HEADER,
            ["1001", "Ann", "Lee", "10", "3", ""],
            ["1001", "Ann", "Lee", "10", "3", ""],
            ["1001", "Zed", "Lee", "10", "3", ""],
        ]
    )
    run = tutela("import", "students", str(path), "--json")
    assert run.code == 1
    rows = json.loads(run.out)["rows_report"]
    assert [r["status"] for r in rows] == ["imported", "imported", "rejected"]
    assert "already appears on row 2" in rows[2]["errors"][0]


def test_a_bad_enroll_status_is_rejected(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            ["Student_Number", "First_Name", "Last_Name", "SchoolID", "Enroll_Status"],
            ["1001", "Ann", "Lee", "10", "active"],
        ]
    )
    run = tutela("import", "students", str(path), "--json")
    assert (
        "Enroll_Status 'active' is not a whole number"
        in json.loads(run.out)["rows_report"][0]["errors"]
    )


def test_dry_run_reports_the_same_and_writes_nothing(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([HEADER, ["1001", "Ann", "Lee", "10", "3", "Elm"]])
    dry = json.loads(tutela("import", "students", str(path), "--json", "--dry-run").out)
    assert dry["dry_run"] is True and dry["students_added"] == 1
    assert not Student.objects.exists() and not School.objects.exists()
    real = json.loads(tutela("import", "students", str(path), "--json").out)
    assert {**dry, "dry_run": False, "job": real["job"]} == real  # two runs, two jobs


@pytest.mark.parametrize("suffix", [".txt", ".tsv", ".xlsx"])
def test_tab_delimited_and_excel_files_import_the_same(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], suffix: str
) -> None:
    path = csv_file([HEADER, [1001, "Ann", "Lee", 10, 3, "Elm"]], suffix=suffix)
    assert tutela("import", "students", str(path)).code == 0
    ann = Student.objects.get()
    assert (ann.student_number, ann.school.school_number, ann.grade_level) == ("1001", "10", "3")


@pytest.mark.parametrize(
    "name", ["students_utf8_bom.csv", "students_windows1252.csv", "students.xlsx"]
)
def test_golden_files_in_each_encoding_and_format_import(
    tutela: Callable[..., Run], name: str
) -> None:
    run = tutela("import", "students", str(DATA / name), "--json")
    assert run.code == 0, run.err
    assert Student.objects.get(student_number="2001").first_name == "José"
    assert Student.objects.get(student_number="2002").last_name == "Muñoz"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Student_Number,First_Name,Last_Name,SchoolID\n", "no data rows"),
        (
            b"Student_Number,First_Name,Last_Name,SchoolID,Shoe\n1,a,b,c,d\n",
            "unknown column 'Shoe'",
        ),
        (b"Student_Number,First_Name\n1,a\n", "missing required column"),
        (b"Student_Number,First_Name,Last_Name,SchoolID\n1,a,b\n", "row 2 has 3 cells"),
        (b"\x00\xff\x00junk", "not a text file"),
    ],
)
def test_unusable_files_exit_2_with_one_line_and_write_nothing(
    tutela: Callable[..., Run], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "students.csv"
    path.write_bytes(content)
    run = tutela("import", "students", str(path))
    assert run.code == 2
    assert run.err.count("\n") == 1 and message in run.err
    assert "Traceback" not in run.err
    assert not Student.objects.exists()


def test_a_missing_file_exits_2(tutela: Callable[..., Run], tmp_path: Path) -> None:
    run = tutela("import", "students", str(tmp_path / "nope.csv"))
    assert run.code == 2 and "no such file" in run.err


def test_the_report_file_holds_rejected_rows_with_an_errors_column(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = csv_file(
        [HEADER, ["1001", "", "Lee", "10", "3", ""], ["1002", "Bo", "Lee", "10", "3", ""]]
    )
    report = tmp_path / "rejected.csv"
    assert tutela("import", "students", str(path), "--report", str(report)).code == 1
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [",".join([*HEADER, "Errors"]), "1001,,Lee,10,3,,First_Name is required"]


def test_each_run_is_recorded_as_an_import_job(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([HEADER, ["1001", "Ann", "Lee", "10", "3", ""]])
    tutela("import", "students", str(path))
    job = ImportJob.objects.get()
    assert job.kind == "students" and job.file_name == path.name and len(job.checksum) == 64
    assert job.totals["students_added"] == 1 and job.row_results[0]["status"] == "imported"


def test_an_xlsx_report_keeps_formula_like_text_as_text(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:

    path = csv_file([HEADER, ["1001", '=HYPERLINK("http://x")', "", "10", "3", ""]])
    report = tmp_path / "rejected.xlsx"
    assert tutela("import", "students", str(path), "--report", str(report)).code == 1
    sheet = read_xlsx(report)
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=7).value == "Last_Name is required"


def test_a_value_too_long_for_its_field_is_rejected_naming_row_and_field(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            ["Student_Number", "First_Name", "Last_Name", "SchoolID", "Enroll_Status"],
            ["1" * 33, "Ann", "Lee", "10", "0"],
            ["1002", "A" * 101, "Lee", "10", "0"],
            ["1003", "Ann", "Lee", "9" * 33, "0"],
            ["1004", "Ann", "Lee", "10", "99999999999"],
            ["1005", "Ann", "Lee", "10", "0"],
        ]
    )
    run = tutela("import", "students", str(path), "--json")
    assert run.code == 1, run.err
    rows = json.loads(run.out)["rows_report"]
    assert [(r["row"], r["status"]) for r in rows] == [
        (2, "rejected"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "rejected"),
        (6, "imported"),
    ]
    assert rows[0]["errors"] == ["Student_Number is longer than 32 characters"]
    assert rows[1]["errors"] == ["First_Name is longer than 100 characters"]
    assert rows[2]["errors"] == ["SchoolID is longer than 32 characters"]
    assert rows[3]["errors"] == ["Enroll_Status '99999999999' is out of range"]
    assert list(Student.objects.values_list("student_number", flat=True)) == ["1005"]


def test_a_fixed_report_imports_again(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = csv_file([HEADER, ["1001", "", "Lee", "10", "3", ""]])
    report = tmp_path / "rejected.csv"
    assert tutela("import", "students", str(path), "--report", str(report)).code == 1
    fixed = report.read_text(encoding="utf-8-sig").replace("1001,,Lee", "1001,Ann,Lee")
    report.write_text(fixed, encoding="utf-8-sig")
    run = tutela("import", "students", str(report))
    assert run.code == 0, run.err
    assert Student.objects.get(student_number="1001").first_name == "Ann"


def test_a_report_that_cannot_be_written_refuses_the_run_before_anything_is_saved(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = csv_file(
        [HEADER, ["1001", "", "Lee", "10", "3", ""], ["1002", "Bo", "Lee", "10", "", ""]]
    )
    report = tmp_path / "nowhere" / "rejected.csv"
    run = tutela("import", "students", str(path), "--report", str(report))
    assert run.code == 2
    assert run.err == f"tutela: --report {report}: the folder {report.parent} does not exist\n"
    assert not Student.objects.exists() and not ImportJob.objects.exists()


def test_a_rejected_repeat_of_an_imported_student_is_its_own_rejected_group_in_the_totals(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            HEADER,
            ["1001", "Ann", "Lee", "10", "3", ""],
            ["1001", "Ann", "Ray", "10", "3", ""],  # other values: rejected
            ["1001", "Ann", "", "10", "3", ""],  # an error of its own: rejected
            ["1001", "Ann", "Lee", "10", "3", ""],  # identical: a duplicate, ignored
        ]
    )

    run = tutela("import", "students", str(path), "--json")

    assert run.code == 1, run.err
    report = json.loads(run.out)
    assert [r["status"] for r in report["rows_report"]] == [
        "imported",
        "rejected",
        "rejected",
        "imported",
    ]
    # The student was imported: its group is not counted as rejected.
    assert (report["groups"], report["imported_groups"], report["rejected_groups"]) == (3, 1, 2)
    assert report["students_added"] == 1
    assert Student.objects.get(student_number="1001").last_name == "Lee"


def test_dob_is_read_as_mm_dd_yyyy_and_a_blank_one_keeps_the_recorded_date(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    header = [*HEADER, "DOB"]
    path = csv_file([header, ["1001", "Ann", "Lee", "10", "3", "", "02/29/2008"]])
    assert tutela("import", "students", str(path)).code == 0
    assert Student.objects.get().date_of_birth == datetime.date(2008, 2, 29)
    path = csv_file([header, ["1001", "Ann", "Lee", "10", "4", "", ""]])
    assert tutela("import", "students", str(path)).code == 0
    assert Student.objects.get().date_of_birth == datetime.date(2008, 2, 29)


def test_a_bad_dob_rejects_its_row_naming_the_field(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    header = [*HEADER, "DOB"]
    path = csv_file(
        [
            header,
            ["1001", "Ann", "Lee", "10", "3", "", "2008-02-29"],
            ["1002", "Bo", "Lee", "10", "3", "", "02/30/2008"],
        ]
    )
    run = tutela("import", "students", str(path), "--json")
    assert run.code == 1
    rows = json.loads(run.out)["rows_report"]
    assert (rows[0]["row"], rows[0]["errors"]) == (
        2,
        ["DOB '2008-02-29' is not a date in mm/dd/yyyy or mm/dd/yy form"],
    )
    assert (rows[1]["row"], rows[1]["errors"]) == (3, ["DOB '02/30/2008' is not a real date"])
    assert not Student.objects.exists()
