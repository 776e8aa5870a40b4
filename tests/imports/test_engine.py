"""The import engine's own rules, the same for every kind: outcomes, the job record, scope."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.cast import Cast
from tests.conftest import Run, write_csv
from tests.factories import SectionFactory
from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor
from tutela.core.audit import command_line_user
from tutela.imports.models import ImportJob
from tutela.imports.registry import importers
from tutela.imports.results import ImportResult
from tutela.imports.runner import run_import
from tutela.people.models import Contact, School, Student
from tutela.sections.models import Section

pytestmark = pytest.mark.django_db

STUDENTS = ["Student_Number", "First_Name", "Last_Name", "SchoolID"]
CONTACTS = ["ID", "Identifier", "FirstName", "LastName", "StudentNumber"]
ACCOUNTS = ["LOGONID", "FIRST_NAME", "LAST_NAME", "USER_TYPE", "CONTACT_ID", "STUDENT_ID"]
LINKS = ["LOGONID", "STUDENT_ID"]
SECTIONS = ["Section_ID", "SchoolID", "Course_Name", "Student_Number"]


def imported(
    tmp_path: Path, kind: str, rows: Sequence[Sequence[object]], *, actor: Actor
) -> ImportResult:
    path = write_csv(tmp_path / f"{kind}.csv", rows)
    return run_import(importers()[kind], path, actor=actor)


def outcomes(result: ImportResult) -> list[tuple[str | None, list[str]]]:
    return [(row.outcome, row.errors) for row in result.rows]


# --- outcomes and the job --------------------------------------------------------------------


def test_every_row_has_an_outcome_and_the_json_counts_every_outcome(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    Student.objects.create(
        student_number="1002",
        first_name="Bo",
        last_name="Lee",
        school=School.objects.create(school_number="10"),
    )
    path = csv_file(
        [
            STUDENTS,
            ["1001", "Ann", "Lee", "10"],
            ["1001", "Ann", "Lee", "10"],
            ["1002", "Bo", "Lee", "10"],
            ["1003", "", "Lee", "10"],
        ]
    )
    run = tutela("import", "students", str(path), "--json")
    data = json.loads(run.out)
    assert [row["outcome"] for row in data["rows_report"]] == [
        "added",
        "skipped",
        "unchanged",
        "rejected",
    ]
    assert data["rows_report"][1]["message"] == "same as row 2: ignored"
    assert data["outcomes"] == {
        "added": 1,
        "updated": 0,
        "unchanged": 1,
        "deleted": 0,
        "skipped": 1,
        "rejected": 1,
    }
    job = ImportJob.objects.get()
    assert data["job"] == job.pk
    assert job.totals["outcomes"] == data["outcomes"]
    assert [row["outcome"] for row in job.row_results] == [
        "added",
        "skipped",
        "unchanged",
        "rejected",
    ]


def test_a_contacts_groups_rows_share_its_outcome_and_deleting_is_deleted(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    contact = Contact.objects.create(first_name="Ray", last_name="Roe")
    header = ["ID", "Identifier", "FirstName", "LastName"]
    path = csv_file(
        [
            header,
            ["", "P1", "Ann", "Lee"],
            ["", "P1", "Ann", "Lee"],
            [str(contact.pk), "", "Ray", "#delete"],
        ]
    )
    data = json.loads(tutela("import", "contacts", str(path), "--json").out)
    assert [row["outcome"] for row in data["rows_report"]] == ["added", "added", "deleted"]
    again = csv_file([header, [str(Contact.objects.get().pk), "", "Ann", "Lee"]])
    data = json.loads(tutela("import", "contacts", str(again), "--json").out)
    assert [row["outcome"] for row in data["rows_report"]] == ["unchanged"]


def test_the_job_keeps_the_rejected_rows_cells_without_the_file(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    header = ["Identifier", "LastName", "IsActive"]
    path = csv_file([header, ["P1", "Lee", "yes"], ["P2", "Roe", "maybe"]])
    tutela("import", "contacts", str(path))
    path.unlink()
    job = ImportJob.objects.get()
    assert job.rejected_rows == {"headers": header, "rows": {3: ["P2", "Roe", "maybe"]}}
    assert [(r["row"], r["outcome"]) for r in job.row_results] == [(2, "added"), (3, "rejected")]


# --- scope -----------------------------------------------------------------------------------


def test_the_command_line_is_district_wide(cast: Cast, tmp_path: Path) -> None:
    result = imported(
        tmp_path,
        "students",
        [STUDENTS, ["2001", "Holly", "Hill", "10"], ["3001", "Lila", "Lake", "20"]],
        actor=command_line_user(),
    )
    assert [row.outcome for row in result.rows] == ["unchanged", "unchanged"]


def test_a_school_admin_imports_students_of_their_schools_only(cast: Cast, tmp_path: Path) -> None:
    result = imported(
        tmp_path,
        "students",
        [
            STUDENTS,
            ["2001", "Holly", "Hill", "20"],
            ["3001", "Lila", "Lake", "10"],
            ["4001", "Ned", "New", "10"],
            ["4002", "Nia", "New", "99"],
            ["4003", "Nat", "New", "20"],
        ],
        actor=cast.sam,
    )
    assert outcomes(result) == [
        ("rejected", ["student 2001 is at a school outside your scope"]),
        ("rejected", ["student 3001 would move to a school outside your scope"]),
        ("rejected", ["student 4001 is at a school outside your scope"]),
        ("rejected", ["student 4002 is at a school outside your scope"]),
        ("added", []),
    ]
    assert not School.objects.filter(school_number="99").exists()
    assert Student.objects.get(student_number="2001").school == cast.hillcrest


def test_a_school_admin_imports_contacts_whose_children_are_all_at_their_schools(
    cast: Cast, tmp_path: Path
) -> None:
    result = imported(
        tmp_path,
        "contacts",
        [
            CONTACTS,
            [str(cast.leo_contact.pk), "", "Leon", "Lake", ""],
            [str(cast.hana_contact.pk), "", "Hannah", "Hill", ""],
            ["", "N1", "Nora", "New", "3001"],
            ["", "N1", "Nora", "New", "2001"],
        ],
        actor=cast.sam,
    )
    hana = cast.hana_contact.pk
    assert outcomes(result) == [
        ("updated", []),
        ("rejected", [f"contact #{hana}'s student 2001 is at a school outside your scope"]),
        ("rejected", ["not imported because related row 5 has an error"]),
        ("rejected", ["student 2001 is at a school outside your scope"]),
    ]
    assert Contact.objects.get(pk=hana).first_name == "Hana"
    assert not Contact.objects.filter(last_name="New").exists()


def test_a_school_admin_imports_accounts_of_their_schools_families_only(
    cast: Cast, tmp_path: Path
) -> None:
    result = imported(
        tmp_path,
        "accounts",
        [
            ACCOUNTS,
            ["leo@example.org", "Leo", "Lake", "GUARDIAN", str(cast.leo_contact.pk), ""],
            ["hana.hill", "Hana", "Hill", "GUARDIAN", str(cast.hana_contact.pk), ""],
            ["holly.hill", "Holly", "Hill", "STUDENT", "", "2001"],
        ],
        actor=cast.sam,
    )
    hana = cast.hana_contact.pk
    assert outcomes(result) == [
        ("updated", []),
        ("rejected", [f"contact #{hana}'s student 2001 is at a school outside your scope"]),
        ("rejected", ["student 2001 is at a school outside your scope"]),
    ]
    assert not Account.objects.filter(username="holly.hill").exists()


def test_a_school_admin_attaches_students_of_their_schools_only(cast: Cast, tmp_path: Path) -> None:
    result = imported(
        tmp_path,
        "account-students",
        [LINKS, ["leo@example.org", "3001"], ["hana.hill", "2001"], ["hana.hill", "3001"]],
        actor=cast.sam,
    )
    hana = cast.hana_contact.pk
    assert outcomes(result) == [
        ("unchanged", []),
        ("rejected", ["student 2001 is at a school outside your scope"]),
        ("rejected", [f"contact #{hana}'s student 2001 is at a school outside your scope"]),
    ]
    assert not cast.hana_contact.student_links.filter(student=cast.lila).exists()


def test_a_school_admin_imports_sections_of_their_schools_only(cast: Cast, tmp_path: Path) -> None:
    SectionFactory.create(section_id="HR-H", school=cast.hillcrest)
    result = imported(
        tmp_path,
        "sections",
        [
            SECTIONS,
            ["HR-L", "20", "Lakeside homeroom", "3001"],
            ["HR-H", "20", "Moved homeroom", ""],
            ["HR-X", "10", "Hillcrest homeroom", ""],
            ["HR-Y", "20", "Mixed homeroom", "3001"],
            ["HR-Y", "20", "", "2001"],
        ],
        actor=cast.sam,
    )
    assert outcomes(result) == [
        ("added", []),
        ("rejected", ["section HR-H is at a school outside your scope"]),
        ("rejected", ["section HR-X is at a school outside your scope"]),
        ("rejected", ["not imported because related row 6 has an error"]),
        ("rejected", ["student 2001 is at a school outside your scope"]),
    ]
    assert set(Section.objects.values_list("section_id", flat=True)) == {"HR-H", "HR-L"}
    assert Section.objects.get(section_id="HR-H").school == cast.hillcrest


def test_a_district_admin_reaches_every_school(cast: Cast, tmp_path: Path) -> None:
    result = imported(
        tmp_path,
        "sections",
        [SECTIONS, ["HR-Y", "20", "Mixed homeroom", "3001"], ["HR-Y", "20", "", "2001"]],
        actor=cast.dana,
    )
    assert [row.outcome for row in result.rows] == ["added", "added"]
