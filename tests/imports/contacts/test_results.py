"""What a run reports and records: JSON, summary, report file, dry run, idempotence, job."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import Run, read_xlsx
from tests.imports.contacts.conftest import exported
from tutela.imports.models import ImportJob
from tutela.people.models import Contact, Student

pytestmark = pytest.mark.django_db

FULL = [
    "Identifier",
    "LastName",
    "FirstName",
    "Gender",
    "EmailAddress",
    "EmailType",
    "IsPrimaryEmailAddress",
    "PhoneNumber",
    "PhoneTypeCode",
    "IsSMS",
    "Street",
    "City",
    "State",
    "PostalCode",
    "StudentNumber",
    "OriginalContactType",
    "RelationshipType",
    "ContactHasCustody",
    "AllowDataAccess",
    "Access Account User Name",
    "Access Account Email Address",
]
FAMILY = [
    [
        "P1",
        "Lee",
        "Ann",
        "F",
        "ann@example.org",
        "Home",
        "1",
        "212-555-0101",
        "Mobile",
        "1",
        "1 Main St",
        "Albany",
        "NY",
        "12207",
        "1001",
        "mother",
        "Mother",
        "1",
        "1",
        "ann.lee",
        "ann@example.org",
    ],
    [
        "P1",
        "Lee",
        "Ann",
        "F",
        "ann@work.example",
        "Work",
        "",
        "212-555-0100",
        "Home",
        "",
        "",
        "",
        "",
        "",
        "1002",
        "mother",
        "Mother",
        "1",
        "1",
        "",
        "",
    ],
    [
        "P2",
        "Lee",
        "Bob",
        "M",
        "bob@example.org",
        "",
        "",
        "212-555-0100",
        "Home",
        "",
        "1 Main St",
        "Albany",
        "NY",
        "12207",
        "1001",
        "father",
        "Father",
        "1",
        "",
        "",
        "",
    ],
    [
        "P3",
        "Lee",
        "Cy",
        "X",
        "cy@example",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "1001",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
]


def test_json_has_the_documented_keys_and_one_entry_per_row(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, report = import_rows(FULL, *FAMILY)
    assert run.code == 1
    assert list(report) == [
        "rows",
        "groups",
        "imported_groups",
        "rejected_groups",
        "contacts_added",
        "contacts_updated",
        "contacts_deleted",
        "dry_run",
        "outcomes",
        "job",
        "rows_report",
    ]
    assert {k: v for k, v in report.items() if k not in {"rows_report", "job"}} == {
        "rows": 4,
        "groups": 3,
        "imported_groups": 2,
        "rejected_groups": 1,
        "contacts_added": 2,
        "contacts_updated": 0,
        "contacts_deleted": 0,
        "dry_run": False,
        "outcomes": {
            "added": 3,
            "updated": 0,
            "unchanged": 0,
            "deleted": 0,
            "skipped": 0,
            "rejected": 1,
        },
    }
    assert report["job"] == ImportJob.objects.get().pk
    assert [(r["row"], r["group"], r["status"]) for r in report["rows_report"]] == [
        (2, "P1", "imported"),
        (3, "P1", "imported"),
        (4, "P2", "imported"),
        (5, "P3", "rejected"),
    ]


def test_without_json_a_short_summary_is_printed(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], students: dict[str, Student]
) -> None:
    run = tutela("import", "contacts", str(csv_file([FULL, *FAMILY])))
    assert run.code == 1
    assert run.out.splitlines()[0] == "4 rows in 3 groups: 2 imported, 1 rejected."
    assert "row 5: EmailAddress 'cy@example'" in run.out


def test_exit_zero_when_every_group_imports_even_with_duplicates(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    run, _ = import_rows(FULL, FAMILY[0], FAMILY[0])
    assert run.code == 0


def test_the_csv_report_holds_rejected_rows_unchanged_with_errors(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], tmp_path: Path
) -> None:
    out = tmp_path / "rejected.csv"
    _run, _ = import_rows(FULL, *FAMILY, args=["--report", str(out)])
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*FULL, "Errors"]
    assert rows[1][:-1] == FAMILY[3]
    assert rows[1][-1].startswith("EmailAddress 'cy@example'")
    assert len(rows) == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_the_csv_report_has_a_byte_order_mark_when_the_file_had_one(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path, encoding: str
) -> None:
    path = csv_file([["Identifier", "LastName", "FirstName"], ["P1", "", "Zoë"]], encoding=encoding)
    out = tmp_path / "rejected.csv"
    assert tutela("import", "contacts", str(path), "--report", str(out)).code == 1
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode()) == (encoding == "utf-8-sig")
    assert data.decode(encoding).splitlines()[0] == "Identifier,LastName,FirstName,Errors"
    assert "Zoë" in data.decode(encoding)


def test_the_report_can_be_fixed_and_imported_again(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
    tutela: Callable[..., Run],
    tmp_path: Path,
) -> None:
    out = tmp_path / "rejected.csv"
    import_rows(FULL, *FAMILY, args=["--report", str(out)])
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][FULL.index("EmailAddress")] = "cy@example.org"
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    run = tutela("import", "contacts", str(fixed))
    assert run.code == 0, run.out + run.err
    assert Contact.objects.filter(first_name="Cy").exists()


def test_the_report_of_a_report_keeps_one_errors_column_with_this_runs_messages(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
    tutela: Callable[..., Run],
    tmp_path: Path,
) -> None:
    first = tmp_path / "rejected.csv"
    import_rows(FULL, *FAMILY, args=["--report", str(first)])
    with first.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][FULL.index("EmailAddress")] = "cy at example.org"  # still wrong, differently
    with first.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    second = tmp_path / "rejected-again.csv"
    assert tutela("import", "contacts", str(first), "--report", str(second)).code == 1
    with second.open(encoding="utf-8", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header == [*FULL, "Errors"]
    assert row[-1].startswith("EmailAddress 'cy at example.org'")
    assert "cy@example'" not in row[-1]


def test_the_xlsx_report(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], tmp_path: Path
) -> None:
    out = tmp_path / "rejected.xlsx"
    import_rows(FULL, *FAMILY, args=["--report", str(out)])
    sheet = read_xlsx(out)
    values = [[c or "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert values[0] == [*FULL, "Errors"]
    assert values[1][:-1] == FAMILY[3]


def test_a_dry_run_reports_what_a_real_run_would_and_writes_nothing(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    dry_run, dry = import_rows(FULL, *FAMILY, args=["--dry-run"])
    assert dry["dry_run"] is True and dry_run.code == 1
    assert not Contact.objects.exists()
    _real_run, real = import_rows(FULL, *FAMILY)
    assert real["dry_run"] is False
    assert {**dry, "dry_run": False, "job": real["job"]} == real  # two runs, two jobs


def test_reimporting_the_same_file_by_id_changes_nothing(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(FULL, *FAMILY[:3])
    before = exported()
    ids = {c["first_name"]: c["id"] for c in before}
    by_id = [["ID", *FULL[1:]]] + [[str(ids[r[2]]), *r[1:]] for r in FAMILY[:3]]
    run, report = import_rows(*by_id)
    assert run.code == 0, report
    assert (report["contacts_added"], report["contacts_updated"]) == (0, 0)
    assert exported() == before
    run, report = import_rows(*by_id)
    assert exported() == before


def test_each_run_is_recorded_as_an_import_job(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(FULL, *FAMILY, args=["--dry-run"])
    job = ImportJob.objects.get()
    assert job.kind == "contacts" and job.dry_run is True
    assert job.file_name.endswith(".csv") and len(job.checksum) == 64
    assert job.totals["rows"] == 4 and job.totals["rejected_groups"] == 1
    assert job.row_results[3]["status"] == "rejected"
    assert job.options["dry_run"] is True


def test_the_export_after_an_import_has_the_file_s_values(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]],
) -> None:
    import_rows(FULL, *FAMILY[:3])
    ann = next(c for c in exported() if c["first_name"] == "Ann")
    assert [e["address"] for e in ann["emails"]] == ["ann@example.org", "ann@work.example"]
    assert [(p["number"], p["priority_order"], p["is_sms"]) for p in ann["phones"]] == [
        ("212-555-0101", 1, True),
        ("212-555-0100", 2, False),
    ]
    assert [(s["student_number"], s["original_contact_type"]) for s in ann["students"]] == [
        ("1001", "mother"),
        ("1002", "mother"),
    ]
    assert ann["account"] == {
        "username": "ann.lee",
        "email": "ann@example.org",
        "enabled": True,
        "state_guardian_number": None,
    }
    assert json.dumps(ann)  # JSON-ready


def test_an_xlsx_file_s_rejected_rows_are_read_back_for_the_report(
    tutela: Callable[..., Run], students: dict[str, Student], tmp_path: Path
) -> None:
    from tests.conftest import write_xlsx

    source = write_xlsx(
        tmp_path / "contacts.xlsx",
        [["Identifier", "LastName", "StudentNumber"], ["P1", "Lee", 1001], ["P2", "Ray", 9999]],
    )
    out = tmp_path / "rejected.xlsx"
    run = tutela("import", "contacts", str(source), "--report", str(out))
    assert run.code == 1
    values = list(read_xlsx(out).iter_rows(values_only=True))
    assert values == [
        ("Identifier", "LastName", "StudentNumber", "Errors"),
        ("P2", "Ray", 9999, "StudentNumber '9999' is not a student"),
    ]


def test_an_xlsx_report_of_an_xlsx_file_keeps_its_cells_as_they_were(
    tutela: Callable[..., Run], students: dict[str, Student], tmp_path: Path
) -> None:
    """Rejected rows "unchanged": number and date cells stay numbers and dates, text stays text
    (a formula-like text never becomes a live formula)."""
    import datetime

    from tests.conftest import write_xlsx

    headers = ["Identifier", "LastName", "PostalCode", "GeocodeLatitude", "AddressStartDate"]
    headers += ["Street", "StudentNumber", "EmailAddress"]
    bad = [7, "=HYPERLINK(1)", 12207, 42.5, datetime.datetime(2020, 1, 2), "1 Main", "0042", "x"]
    source = write_xlsx(tmp_path / "contacts.xlsx", [headers, bad])
    workbook = load_workbook(source)
    source_sheet = workbook.active
    assert isinstance(source_sheet, Worksheet)
    source_sheet["B2"].data_type = "s"  # a text cell that looks like a formula
    workbook.save(source)
    out = tmp_path / "rejected.xlsx"
    run = tutela("import", "contacts", str(source), "--report", str(out))
    assert run.code == 1
    sheet = read_xlsx(out)
    assert [c.value for c in sheet[2]][:-1] == bad
    assert sheet["B2"].data_type == "s"
    assert sheet["G2"].data_type == "s"


def test_a_golden_file_with_every_column_imports_and_exports_as_written(
    tutela: Callable[..., Run], students: dict[str, Student]
) -> None:
    from tests.conftest import DATA

    run = tutela("import", "contacts", str(DATA / "contacts_powerschool.csv"), "--json")
    assert run.code == 0, run.out + run.err
    report = json.loads(run.out)
    assert (report["rows"], report["groups"], report["contacts_added"]) == (4, 3, 3)
    jane, john, rosa = exported()
    assert (jane["first_name"], jane["middle_name"], jane["prefix"], jane["gender"]) == (
        "Jane",
        "Q",
        "Mrs",
        "F",
    )
    assert (jane["exclude_from_state_reporting"], jane["is_active"]) == (False, True)
    assert jane["account"] == {
        "username": "jane.smith",
        "email": "jane@example.org",
        "enabled": True,
        "state_guardian_number": "G-1",
    }
    assert [(e["address"], e["is_primary"], e["order"]) for e in jane["emails"]] == [
        ("jane@example.org", True, 1),
        ("jane.smith@work.example", False, 2),
    ]
    assert [(p["number"], p["priority_order"], p["is_sms"]) for p in jane["phones"]] == [
        ("(212) 555-0101", 1, True),
        ("212-555-0199", 2, False),
    ]
    assert john["phones"][0]["number"] == "(212) 555-0101"  # one shared phone record
    address = jane["addresses"][0]
    assert (address["state"], address["latitude"], address["longitude"]) == (
        "US_NY",
        42.6526,
        -73.7562,
    )
    assert (address["start_date"], address["unit"], address["line_two"]) == (
        "2020-08-01",
        "4B",
        "Floor 2",
    )
    first = jane["students"][0]
    assert (first["student_number"], first["original_contact_type"]) == ("1001", "mother")
    assert first["details"][0]["start_date"] == "2020-09-01"
    assert first["details"][0]["relationship_note"] == "primary"
    positions = [
        (c["first_name"], s["contact_priority_order"])
        for c in (jane, john, rosa)
        for s in c["students"]
        if s["student_number"] == "1001"
    ]
    assert positions == [("Jane", 1), ("John", 2), ("Rosa", 3)]
    assert rosa["phones"][0]["extension"] == "7"
    assert rosa["students"][0]["original_contact_type"] == "emergency1"


def test_a_run_by_a_user_id_with_no_name_is_recorded_under_its_id(
    import_rows: Callable[..., tuple[Run, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A container's arbitrary user id has no passwd entry: getpass.getuser() raises."""
    import getpass
    import os

    def no_name() -> str:
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", no_name)
    run, _report = import_rows(["Identifier", "LastName"], ["P1", "Lee"])
    assert run.code == 0, run.err
    job = ImportJob.objects.get()
    assert job.actor_name == f"uid {os.getuid()} (command line)"
