import csv
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.factories import AccountFactory, SchoolFactory, SectionFactory, StudentFactory
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.selectors import EXPORT_COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> dict[str, Any]:
    elm, oak = SchoolFactory.create(school_number="10"), SchoolFactory.create(school_number="20")
    ann = StudentFactory.create(
        student_number="1001", first_name="Ann", last_name="Lee", school=elm, grade_level="3"
    )
    bo = StudentFactory.create(student_number="1002", school=elm)
    cy = StudentFactory.create(student_number="2001", school=oak)
    kim, lou = AccountFactory.create(username="kim"), AccountFactory.create(username="lou")
    SectionFactory.create(section_id="HR-K", school=elm, teachers=[kim], students=[ann, bo])
    SectionFactory.create(section_id="HR-L", school=oak, teachers=[lou], students=[cy])
    return {"elm": elm, "ann": ann, "bo": bo, "cy": cy, "kim": kim, "lou": lou}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == EXPORT_COLUMNS
        return list(reader)


def codes() -> dict[str, str]:
    return {
        c.student.student_number: c.formatted
        for c in AccessCode.objects.filter(revoked_at__isnull=True).select_related("student")
    }


def test_generate_reset_and_export_the_district(
    tutela: Callable[..., Run], district: dict[str, Any], tmp_path: Path
) -> None:
    run = tutela("codes", "generate")
    assert run.code == 0, run.err
    assert "Issued 3" in run.out
    issued = codes()
    assert len(issued) == 3
    out = tmp_path / "codes.csv"
    run = tutela("codes", "export", "--output", str(out))
    assert run.code == 0, run.err
    rows = read(out)
    assert [r["Student_Number"] for r in rows] == ["1001", "1002", "2001"]
    assert rows[0] == {
        "Student_Number": "1001",
        "First_Name": "Ann",
        "Last_Name": "Lee",
        "SchoolID": "10",
        "Grade_Level": "3",
        "Access_Code": issued["1001"],
    }
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    # no code ever printed
    for code in issued.values():
        assert code not in run.out and code not in run.err
    run = tutela("codes", "reset", "--student", "1001")
    assert run.code == 0 and "Reset 1" in run.out
    after = codes()
    assert after["1001"] != issued["1001"] and after["1002"] == issued["1002"]
    assert tutela("codes", "reset", "--school", "10").code == 0
    assert codes()["1002"] != issued["1002"] and codes()["2001"] == issued["2001"]
    assert tutela("codes", "reset").code == 0
    assert codes()["2001"] != issued["2001"]


def test_generate_missing_only_and_school_scope(
    tutela: Callable[..., Run], district: dict[str, Any]
) -> None:
    assert "Issued 2" in tutela("codes", "generate", "--school", "10").out
    assert "Issued 1" in tutela("codes", "generate", "--missing-only").out
    assert "Issued 0" in tutela("codes", "generate", "--missing-only").out


def test_export_a_school_or_a_section(
    tutela: Callable[..., Run], district: dict[str, Any], tmp_path: Path
) -> None:
    tutela("codes", "generate")
    out = tmp_path / "s.csv"
    assert tutela("codes", "export", "--school", "20", "--output", str(out)).code == 0
    assert [r["Student_Number"] for r in read(out)] == ["2001"]
    assert tutela("codes", "export", "--section", "HR-K", "--output", str(out)).code == 0
    assert [r["Student_Number"] for r in read(out)] == ["1001", "1002"]


def test_a_student_without_a_code_is_exported_blank_with_a_warning(
    tutela: Callable[..., Run], district: dict[str, Any], tmp_path: Path
) -> None:
    tutela("codes", "generate", "--school", "10")
    out = tmp_path / "c.csv"
    run = tutela("codes", "export", "--output", str(out))
    assert run.code == 0
    assert [r["Access_Code"] == "" for r in read(out)] == [False, False, True]
    assert "1 student(s) have no usable code" in run.err


def test_a_teacher_exports_their_own_section_but_not_another_teachers(
    tutela: Callable[..., Run], district: dict[str, Any], tmp_path: Path
) -> None:
    tutela("codes", "generate")
    out = tmp_path / "mine.csv"
    run = tutela("codes", "export", "--section", "HR-K", "--as-user", "kim", "--output", str(out))
    assert run.code == 0, run.err
    assert [r["Student_Number"] for r in read(out)] == ["1001", "1002"]
    run = tutela("codes", "export", "--as-user", "kim", "--output", str(out))
    assert [r["Student_Number"] for r in read(out)] == ["1001", "1002"]
    theirs = tmp_path / "theirs.csv"
    run = tutela(
        "codes", "export", "--section", "HR-L", "--as-user", "kim", "--output", str(theirs)
    )
    assert run.code == 2
    assert run.err.startswith("tutela: --section HR-L: no section") and run.err[-1] == "\n"
    assert not theirs.exists()
    run = tutela("codes", "export", "--school", "20", "--as-user", "kim", "--output", str(theirs))
    assert run.code == 0 and read(theirs) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["codes", "generate", "--school", "99"], "--school 99: no school"),
        (["codes", "reset", "--student", "424242"], "--student 424242: no student"),
        (["codes", "reset", "--school", "10", "--student", "1001"], "not allowed with"),
        (["codes", "export"], "--output"),
        (["codes", "export", "--section", "NOPE", "--output", "x.csv"], "no section 'NOPE'"),
        (["codes", "generate", "--expires", "2001-01-01"], "has passed"),
        (["codes", "generate", "--expires", "soon"], "use a date"),
        (["codes", "export", "--as-user", "ghost", "--output", "x.csv"], "no active account"),
    ],
)
def test_bad_arguments_are_one_line_errors(
    tutela: Callable[..., Run], district: dict[str, Any], args: list[str], message: str
) -> None:
    run = tutela(*args)
    assert run.code == 2
    assert message in run.err and run.err.count("\n") == 1
