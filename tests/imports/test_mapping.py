"""Column mappings: ``--map "File Header=Field"``, ``--mapping NAME``, saved and reused, for
every import kind; the engine reads a mapped column as its field and leaves out an ignored one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tutela.core.audit import command_line_user
from tutela.core.tabular import FileProblem
from tutela.imports.mapping import mapped_headers, parse_map_options, resolved
from tutela.imports.models import ColumnMapping, ImportJob
from tutela.imports.registry import importers
from tutela.imports.uploads import save_mapping, saved_mapping
from tutela.people.models import Student

pytestmark = pytest.mark.django_db

EXPORT = ["Student Number", "First", "Last_Name", "SchoolID", "Grade_Level", "Notes"]
ROW = ["1001", "Ann", "Lee", "10", "3", "likes maths"]


def test_map_options_map_a_column_and_ignore_another(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([EXPORT, ROW])
    run = tutela(
        "import", "students", str(path), "--json",
        "--map", "First=First_Name", "--map", "Notes=",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert Student.objects.get(student_number="1001").first_name == "Ann"
    job = ImportJob.objects.get()
    assert job.options["mapping"] == {"First": "First_Name", "Notes": ""}


def test_without_the_mapping_the_file_is_refused_naming_the_column(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    run = tutela("import", "students", str(csv_file([EXPORT, ROW])))
    assert run.code == 2 and "unknown column 'First'" in run.err
    assert not Student.objects.exists()


def test_a_saved_mapping_is_used_by_name_and_map_options_change_it(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    save_mapping(
        kind="students",
        name="Weekly SIS export",
        pairs={"First": "First_Name", "Notes": ""},
        actor=command_line_user(),
    )
    path = csv_file([EXPORT, ROW])
    assert tutela("import", "students", str(path), "--mapping", "Weekly SIS export").code == 0
    assert Student.objects.get().first_name == "Ann"
    # --map changes the saved mapping for this run only: First now fills the last name.
    run = tutela(
        "import", "students", str(path), "--dry-run",
        "--mapping", "Weekly SIS export", "--map", "First=Last_Name", "--map", "Last_Name=",
    )  # fmt: skip
    assert run.code == 2 and "missing required column(s): First_Name" in run.err
    assert ColumnMapping.objects.get().pairs == {"First": "First_Name", "Notes": ""}


def test_an_unknown_saved_mapping_names_the_saved_ones(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    save_mapping(kind="students", name="SIS", pairs={}, actor=command_line_user())
    run = tutela("import", "students", str(csv_file([EXPORT, ROW])), "--mapping", "Other")
    assert run.code == 2
    assert "no saved students mapping named 'Other' (saved: SIS)" in run.err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("First", 'write it as "File Header=Field"'),
        ("First=Nickname", "students has no field 'Nickname'"),
    ],
)
def test_a_bad_map_option_exits_2_and_writes_nothing(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], option: str, message: str
) -> None:
    run = tutela("import", "students", str(csv_file([EXPORT, ROW])), "--map", option)
    assert run.code == 2 and message in run.err
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", list(importers()))
def test_every_kind_takes_map_and_mapping(tutela: Callable[..., Run], kind: str) -> None:
    from tests.conftest import run_tutela

    help_text = run_tutela("import", kind, "--help").out
    assert "--map" in help_text and "--mapping NAME" in help_text


def test_field_names_match_loosely_and_contacts_use_their_documented_headers() -> None:
    contacts = importers()["contacts"]
    assert resolved(contacts, {"Surname": "last name"}) == {"surname": "last_name"}
    with pytest.raises(FileProblem, match="contacts has no field 'Nickname'"):
        resolved(contacts, {"Surname": "Nickname"})


def test_the_mapping_screen_shows_what_each_header_fills() -> None:
    students = importers()["students"]
    shown = mapped_headers(students, ["Student_Number", "First", "Notes", "Errors"], {"Notes": ""})
    assert [(s.header, s.own, s.field, s.decided) for s in shown] == [
        ("Student_Number", "Student_Number", "Student_Number", True),
        ("First", None, None, False),
        ("Notes", None, None, True),
        ("Errors", None, None, True),  # a report's Errors column is left out by itself
    ]


def test_parse_map_options_keeps_the_last_of_a_header() -> None:
    assert parse_map_options(["A=B", " A = C "]) == {"A": "C"}
    assert saved_mapping.__doc__  # the CLI's --mapping reads the screens' saved mappings
