"""Whole-file problems refuse the file with exit 2 and one line; nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run, write_xlsx
from tutela.imports.models import ImportJob
from tutela.people.models import Contact, Student

pytestmark = pytest.mark.django_db


def refused(run: Run, text: str) -> None:
    assert run.code == 2, (run.out, run.err)
    assert run.err.count("\n") == 1 and text in run.err, run.err
    assert Contact.objects.count() == 0


def test_an_unknown_column_refuses_the_file_and_names_the_column(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([["Identifier", "LastName", "Nickname"], ["P1", "Lee", "Al"]])
    refused(tutela("import", "contacts", str(path)), "unknown column 'Nickname'")
    assert not ImportJob.objects.exists()


def test_a_file_in_neither_utf8_nor_windows_1252_is_refused(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"Identifier,LastName\nP1,L\x81e\x8de\n")
    refused(tutela("import", "contacts", str(path)), "neither UTF-8 nor Windows-1252")


def test_a_ragged_row_is_refused(tutela: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Identifier,LastName\nP1,Lee\nP2,Ray,extra\n")
    refused(tutela("import", "contacts", str(path)), "row 3 has 3 cells but the header has 2")


def test_an_empty_file_is_refused(tutela: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"")
    refused(tutela("import", "contacts", str(path)), "the file is empty")


def test_binary_junk_is_refused(tutela: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(bytes(range(256)) * 4)
    refused(tutela("import", "contacts", str(path)), "not a text file")


def test_an_xlsx_that_is_not_a_zip_is_refused(tutela: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "contacts.xlsx"
    path.write_text("Identifier,LastName\nP1,Lee\n")
    refused(tutela("import", "contacts", str(path)), "not an Excel .xlsx workbook")


def test_a_missing_file_and_an_unknown_suffix_are_refused(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    refused(tutela("import", "contacts", str(tmp_path / "nope.csv")), "no such file")
    other = tmp_path / "contacts.pdf"
    other.write_text("x")
    refused(tutela("import", "contacts", str(other)), "unsupported file type")


def test_a_bad_report_name_is_a_usage_error(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([["Identifier", "LastName"], ["P1", "Lee"]])
    refused(tutela("import", "contacts", str(path), "--report", "out.pdf"), "--report")


def test_a_report_in_a_missing_folder_is_refused_before_anything_is_written(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    path = csv_file([["Identifier", "LastName"], ["P1", "Lee"]])
    report = tmp_path / "missing" / "rejected.csv"
    refused(tutela("import", "contacts", str(path), "--report", str(report)), "--report")


def test_headers_match_ignoring_case_spaces_underscores_and_parentheses(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            ["identifier", "last_name", "Phone Number (as entered)", "PersonEmailAddessAssocID"],
            ["P1", "Lee", "212-555-0101", ""],
        ]
    )
    run = tutela("import", "contacts", str(path), "--json")
    assert run.code == 0, run.out + run.err
    contact = Contact.objects.get()
    assert contact.phones.get().phone.number == "212-555-0101"


def test_a_windows_1252_file_and_a_utf8_file_with_bom_both_import(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    rows = [["Identifier", "LastName", "FirstName"], ["P1", "Muñoz", "José"]]
    assert tutela("import", "contacts", str(csv_file(rows, encoding="cp1252"))).code == 0
    rows[1][0] = "P2"
    assert tutela("import", "contacts", str(csv_file(rows, encoding="utf-8-sig"))).code == 0
    assert list(Contact.objects.values_list("last_name", "first_name")) == [
        ("Muñoz", "José"),
        ("Muñoz", "José"),
    ]


def test_a_tab_delimited_file_imports(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([["Identifier", "LastName"], ["P1", "Lee"]], suffix=".txt")
    assert tutela("import", "contacts", str(path)).code == 0
    assert Contact.objects.get().last_name == "Lee"


def test_xlsx_numbers_are_read_as_the_text_a_person_sees(
    tutela: Callable[..., Run], students: dict[str, Student], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "contacts.xlsx",
        [
            ["Identifier", "LastName", "StudentNumber", "ContactPriorityOrder", "PhoneNumber"],
            [1, "Lee", 1001, 1, 2125550101],
        ],
    )
    run = tutela("import", "contacts", str(path), "--json")
    assert run.code == 0, run.out + run.err
    report = json.loads(run.out)
    assert report["rows_report"][0]["group"] == "1"
    contact = Contact.objects.get()
    assert contact.student_links.get().student.student_number == "1001"
    assert contact.phones.get().phone.number == "2125550101"


def test_empty_columns_after_the_last_named_one_are_ignored_as_in_an_xlsx(
    tutela: Callable[..., Run], students: dict[str, Student], tmp_path: Path
) -> None:
    # Excel writes ",," for columns beyond the table that only ever held formatting.
    path = tmp_path / "contacts.csv"
    path.write_text("Identifier,LastName,StudentNumber,,\nP1,Lee,9999,,\nP2,Ray,1001,,\n")
    report = tmp_path / "rejected.csv"
    run = tutela("import", "contacts", str(path), "--report", str(report))
    assert run.code == 1, run.err
    assert report.read_text().splitlines()[0] == "Identifier,LastName,StudentNumber,Errors"
    # The report, fixed, imports again.
    report.write_text(report.read_text().replace("9999", "1002"))
    run = tutela("import", "contacts", str(report))
    assert run.code == 0, run.err
    assert Contact.objects.count() == 2


def test_a_value_under_an_unnamed_column_refuses_the_file(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Identifier,LastName,\nP1,Lee,\nP2,Ray,lost\n")
    refused(
        tutela("import", "contacts", str(path)), "row 3 has a value beyond the last named column"
    )


def test_a_report_named_as_the_imported_file_is_refused_and_the_file_kept(
    tutela: Callable[..., Run], students: dict[str, Student], tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Identifier,LastName,StudentNumber\nP1,Lee,9999\nP2,Ray,1001\n")
    original = path.read_bytes()
    for name in (str(path), str(tmp_path / "." / "contacts.csv")):
        refused(tutela("import", "contacts", str(path), "--report", name), "--report")
    assert path.read_bytes() == original
    assert not ImportJob.objects.exists()


def test_a_very_long_cell_rejects_its_row_not_the_file(
    tutela: Callable[..., Run], students: dict[str, Student], tmp_path: Path
) -> None:
    # Longer than the csv module's default limit of 131,072 characters per cell.
    path = tmp_path / "contacts.csv"
    note = "n" * 200_000
    path.write_text(
        f"Identifier,LastName,RelationshipNote,StudentNumber\nP1,Lee,{note},1001\nP2,Ray,,1002\n"
    )
    run = tutela("import", "contacts", str(path), "--json")
    assert run.code == 1, run.err
    rows = json.loads(run.out)["rows_report"]
    assert rows[0]["status"] == "rejected"
    assert "RelationshipNote" in rows[0]["errors"][0]
    assert "is longer than 500 characters" in rows[0]["errors"][0]
    assert len(rows[0]["errors"][0]) < 120  # the value is named, cut short
    assert rows[1]["status"] == "imported"


def test_utf16_without_a_byte_order_mark_is_refused_by_name(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes("Identifier,LastName\nP1,Lee\n".encode("utf-16-le"))
    refused(tutela("import", "contacts", str(path)), "UTF-16 text")


def test_a_header_with_nested_parentheses_matches(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    path = csv_file([["Identifier", "LastName (legal (as on file))"], ["P1", "Lee"]])
    run = tutela("import", "contacts", str(path))
    assert run.code == 0, run.err
    assert Contact.objects.get().last_name == "Lee"
