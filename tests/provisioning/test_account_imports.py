"""``tutela import accounts`` and ``tutela import account-students``: good rows and bad rows."""

from __future__ import annotations

import codecs
import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from tests.conftest import Run, read_xlsx
from tests.provisioning.helpers import guardian, student
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.imports.models import ImportJob
from tutela.people.models import Contact, StudentContact, StudentContactDetail
from tutela.people.services import link_student
from tutela.provisioning.models import StudentAccount

pytestmark = pytest.mark.django_db

HEADER = ["LOGONID", "FIRST_NAME", "LAST_NAME", "USER_TYPE", "EMAIL", "CONTACT_ID", "STUDENT_ID"]


def logged(row: dict[str, Any]) -> str:
    """What the log says of a ``rows_report`` row: its message, or why it was skipped."""
    if row["outcome"] == "rejected":
        return "skipped: " + "; ".join(row["errors"])
    return str(row["message"])


def test_guardian_rows_create_accounts_for_contacts_found_by_id_email_or_made_new(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann = student("1001")
    by_id = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    by_email = guardian("Juan", "Lopez", "juan@example.org", students=(ann,))
    path = csv_file(
        [
            HEADER,
            ["mlopez", "Maria", "Lopez", "GUARDIAN", "", str(by_id.pk), ""],
            ["juan@example.org", "Juan", "Lopez", "guardian", "", "", ""],
            ["new.parent@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""],
        ]
    )

    run = tutela("import", "accounts", str(path))

    assert run.code == 0, run.out + run.err
    assert Account.objects.get(contact=by_id).username == "mlopez"
    assert Account.objects.get(contact=by_email).email == "juan@example.org"
    nora = Contact.objects.get(first_name="Nora")
    assert nora.emails.get().address == "new.parent@example.org"
    account = Account.objects.get(contact=nora)
    assert not account.has_usable_password()
    assert account.is_imported
    assert (
        "Accounts added 3, accounts updated 0, accounts unchanged 0, contacts added 1." in run.out
    )
    assert "  row 4: added account new.parent@example.org for a new contact" in run.out


def test_a_second_import_updates_and_reports_unchanged_rows(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    maria = guardian("Maria", "Lopez", "maria@example.org")
    first = csv_file([HEADER, ["mlopez", "Maria", "Lopez", "GUARDIAN", "", str(maria.pk), ""]])
    tutela("import", "accounts", str(first))
    second = csv_file(
        [
            HEADER,
            ["MLopez2", "María", "Lopez", "GUARDIAN", "", str(maria.pk), ""],
        ]
    )
    run = tutela("import", "accounts", str(second), "--json")
    data = json.loads(run.out)
    assert data["accounts_updated"] == 1
    assert data["rows_report"][0]["outcome"] == "updated"
    assert logged(data["rows_report"][0]) == "updated account MLopez2: username, first_name"
    account = Account.objects.get(contact=maria)
    assert (account.username, account.first_name) == ("MLopez2", "María")
    again = tutela("import", "accounts", str(second), "--json")
    assert json.loads(again.out)["accounts_unchanged"] == 1


def test_student_rows_create_student_accounts(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann = student("1001")
    path = csv_file([HEADER, ["ann1001", "Ann", "Lee", "STUDENT", "", "", "1001"]])
    run = tutela("import", "accounts", str(path))
    assert run.code == 0, run.out
    link = StudentAccount.objects.get(student=ann)
    assert link.account.username == "ann1001"
    assert link.account.contact is None


def test_bad_rows_are_rejected_with_reasons_and_good_rows_still_import(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    student("1001")
    taken = guardian("Maria", "Lopez", "maria@example.org")
    Account.objects.create(username="maria@example.org", email="maria@example.org", contact=taken)
    twin_a = guardian("Sam", "Lee", "shared@example.org")
    twin_b = guardian("Sue", "Lee", "SHARED@example.org")
    path = csv_file(
        [
            HEADER,
            ["good@example.org", "Gina", "Good", "GUARDIAN", "", "", ""],
            ["", "No", "Logon", "GUARDIAN", "", "", ""],
            ["x1", "Bad", "Type", "TEACHER", "", "", ""],
            ["x2", "Bad", "Email", "GUARDIAN", "not-an-email", "", ""],
            ["x3", "No", "Contact", "GUARDIAN", "", "999999", ""],
            ["x4", "No", "Student", "STUDENT", "", "", "4040"],
            ["maria@example.org", "Other", "Person", "GUARDIAN", "", str(twin_a.pk), ""],
            ["x5", "Sam", "Lee", "GUARDIAN", "shared@example.org", "", ""],
            ["x6", "Stu", "Dent", "GUARDIAN", "", "", "1001"],
        ]
    )
    report = tmp_path / "rejected.csv"

    run = tutela("import", "accounts", str(path), "--json", "--report", str(report))

    assert run.code == 1
    data = json.loads(run.out)
    errors = {row["row"]: row["errors"] for row in data["rows_report"]}
    assert errors[2] == []
    assert errors[3] == ["LOGONID is required"]
    assert errors[4] == ["USER_TYPE 'TEACHER' is not GUARDIAN or STUDENT"]
    assert errors[5][0].startswith("EMAIL 'not-an-email' is not a valid email address")
    assert errors[6] == ["CONTACT_ID 999999: no contact has this id"]
    assert errors[7] == ["STUDENT_ID 4040: no student has this number"]
    assert errors[8] == [f"LOGONID maria@example.org is already the account of contact #{taken.pk}"]
    assert errors[9] == [
        f"email shared@example.org belongs to 2 contacts (#{twin_a.pk}, #{twin_b.pk}); "
        "give CONTACT_ID to say which"
    ]
    assert errors[10][0].startswith("STUDENT_ID is only for STUDENT rows")
    assert data["accounts_added"] == 1
    assert Account.objects.filter(username="good@example.org").exists()
    assert report.read_text(encoding="utf-8-sig").count("\n") == 9  # header + 8 rejected


def test_dry_run_saves_nothing(tutela: Callable[..., Run], csv_file: Callable[..., Path]) -> None:
    path = csv_file([HEADER, ["new@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""]])
    run = tutela("import", "accounts", str(path), "--dry-run")
    assert run.code == 0
    assert run.out.startswith("Dry run (nothing saved): 1 row in 1 group: 1 imported")
    assert not Account.objects.exists()
    assert not Contact.objects.exists()
    assert ImportJob.objects.get().kind == "accounts"


LINK_HEADER = ["LOGONID", "STUDENT_ID", "RELATIONSHIP", "DATA_ACCESS"]


def test_account_students_attach_students_and_grant_data_access(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann, ben = student("1001"), student("1002")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    Account.objects.create(username="mlopez", contact=maria)
    path = csv_file(
        [
            LINK_HEADER,
            ["MLOPEZ", "1001", "", ""],
            ["mlopez", "1002", "Mother", "Y"],
        ]
    )

    run = tutela("import", "account-students", str(path))

    assert run.code == 0, run.out
    assert StudentContactDetail.objects.get(link__student=ann).allow_data_access
    link = StudentContact.objects.get(student=ben, contact=maria)
    detail = link.details.get()
    assert detail.allow_data_access
    assert detail.relationship_type is not None and detail.relationship_type.code == "Mother"
    assert "Students attached 1, links updated 1, links unchanged 0." in run.out
    assert "  row 2: updated 1001 on MLOPEZ: data access granted" in run.out
    assert "  row 3: added 1002 to mlopez" in run.out
    again = tutela("import", "account-students", str(path), "--json")
    assert json.loads(again.out)["links_unchanged"] == 2


def test_account_students_rejects_bad_rows(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann, ben = student("1001"), student("1002")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    Account.objects.create(username="mlopez", contact=maria)
    kid = Account.objects.create(username="ann1001")
    StudentAccount.objects.create(account=kid, student=ann)
    path = csv_file(
        [
            LINK_HEADER,
            ["nobody", "1001", "", ""],
            ["mlopez", "9999", "", ""],
            ["mlopez", "1001", "Cousin", ""],
            ["mlopez", "1001", "", "maybe"],
            ["ann1001", "1002", "", ""],
            ["ann1001", "1001", "", ""],
        ]
    )
    run = tutela("import", "account-students", str(path), "--json")
    assert run.code == 1
    errors = {row["row"]: row["errors"] for row in json.loads(run.out)["rows_report"]}
    assert errors[2] == ["LOGONID nobody: no account has this logon id"]
    assert errors[3] == ["STUDENT_ID 9999: no student has this number"]
    assert errors[4] == ["RELATIONSHIP: 'Cousin' is not a RelationshipType code"]
    assert errors[5][0].startswith("DATA_ACCESS: 'maybe' is not a yes/no value")
    assert errors[6] == ["LOGONID ann1001 is a student's account; it sees only its own student"]
    assert errors[7] == []
    assert not StudentContact.objects.filter(student=ben).exists()


def test_one_contact_on_two_rows_is_refused_on_the_second(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    maria = guardian("Maria", "Lopez", "maria@example.org")
    path = csv_file(
        [
            HEADER,
            ["mlopez", "Maria", "Lopez", "GUARDIAN", "", str(maria.pk), ""],
            ["maria2", "Maria", "Lopez", "GUARDIAN", "", str(maria.pk), ""],
        ]
    )
    run = tutela("import", "accounts", str(path), "--json")
    rows = json.loads(run.out)["rows_report"]
    assert rows[1]["errors"] == ["this contact's account is also on row 2"]
    assert Account.objects.get(contact=maria).username == "mlopez"


DEFAULT_PASSWORD = "welcome to grand bend"


def test_the_districts_default_password_is_given_to_imported_parents_and_is_temporary(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], settings: Settings
) -> None:
    from django.test import Client
    from django.urls import reverse

    settings.TUTELA_IMPORTED_DEFAULT_PASSWORD = DEFAULT_PASSWORD
    student("1001")
    path = csv_file(
        [
            HEADER,
            ["nora@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""],
            ["ann1001", "Ann", "Lee", "STUDENT", "", "", "1001"],
        ]
    )

    run = tutela("import", "accounts", str(path))

    assert run.code == 0, run.out + run.err
    assert DEFAULT_PASSWORD not in run.out + run.err
    nora = Account.objects.get(username="nora@example.org")
    assert nora.check_password(DEFAULT_PASSWORD) and nora.must_change_password
    assert not Account.objects.get(username="ann1001").has_usable_password()
    client = Client()
    page = client.post(
        reverse("accounts:sign-in"), {"username": "nora@example.org", "password": DEFAULT_PASSWORD}
    )
    assert page.status_code == 302
    assert client.get(reverse("portal:home"))["Location"] == reverse("accounts:password-change")


def test_imported_default_passwords_need_no_change_when_the_district_says_so(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], settings: Settings
) -> None:
    settings.TUTELA_IMPORTED_DEFAULT_PASSWORD = DEFAULT_PASSWORD
    settings.TUTELA_IMPORTED_PASSWORDS_ARE_TEMPORARY = False
    path = csv_file([HEADER, ["nora@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""]])

    assert tutela("import", "accounts", str(path)).code == 0
    nora = Account.objects.get()
    assert nora.check_password(DEFAULT_PASSWORD) and not nora.must_change_password


def test_a_default_password_that_breaks_the_rules_stops_the_import(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], settings: Settings
) -> None:
    settings.TUTELA_IMPORTED_DEFAULT_PASSWORD = "password"
    path = csv_file([HEADER, ["nora@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""]])

    run = tutela("import", "accounts", str(path))

    assert run.code == 2
    assert run.err.count("\n") == 1 and "TUTELA_IMPORTED_DEFAULT_PASSWORD" in run.err
    assert "too common" in run.err and "password\n" not in run.err.split(":")[-1]
    assert not Account.objects.exists()


def test_the_log_shows_added_updated_and_skipped_rows_with_the_reason(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    maria = guardian("Maria", "Lopez", "maria@example.org")
    Account.objects.create(username="mlopez", first_name="Mary", last_name="Lopez", contact=maria)
    path = csv_file(
        [
            HEADER,
            ["mlopez", "Maria", "Lopez", "GUARDIAN", "", str(maria.pk), ""],
            ["x1", "Bad", "Type", "TEACHER", "", "", ""],
            ["new@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""],
        ]
    )

    run = tutela("import", "accounts", str(path))

    assert run.code == 1
    assert run.out.splitlines()[2:] == [
        "Log:",
        "  row 2: updated account mlopez: first_name",
        "  row 3: skipped: USER_TYPE 'TEACHER' is not GUARDIAN or STUDENT",
        "  row 4: added account new@example.org for a new contact",
    ]
    rows = json.loads(tutela("import", "accounts", str(path), "--json").out)["rows_report"]
    assert [row["outcome"] for row in rows] == ["unchanged", "rejected", "unchanged"]
    assert [logged(row) for row in rows] == [
        "account mlopez unchanged",
        "skipped: USER_TYPE 'TEACHER' is not GUARDIAN or STUDENT",
        "account new@example.org unchanged",
    ]


def test_the_attachment_log_shows_skipped_rows_with_the_reason(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann = student("1001")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    Account.objects.create(username="mlopez", contact=maria)
    path = csv_file([LINK_HEADER, ["mlopez", "1001", "", ""], ["mlopez", "9999", "", ""]])

    run = tutela("import", "account-students", str(path))

    assert run.code == 1
    assert run.out.splitlines()[2:] == [
        "Log:",
        "  row 2: updated 1001 on mlopez: data access granted",
        "  row 3: skipped: STUDENT_ID 9999: no student has this number",
    ]


def test_the_attachment_log_says_added_updated_unchanged_or_skipped(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    # The seed's second import: "a LOG showing you what was added, updated, and skipped".
    ann, cy = student("1001"), student("1003")
    student("1002")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann, cy))
    Account.objects.create(username="mlopez", contact=maria)
    StudentContactDetail.objects.filter(link__student=cy).update(allow_data_access=True)
    path = csv_file(
        [
            LINK_HEADER,
            ["mlopez", "1002", "", ""],
            ["mlopez", "1001", "", ""],
            ["mlopez", "1003", "", ""],
            ["mlopez", "9999", "", ""],
        ]
    )

    run = tutela("import", "account-students", str(path), "--json")

    rows = json.loads(run.out)["rows_report"]
    assert [row["outcome"] for row in rows] == ["added", "updated", "unchanged", "rejected"]
    outcomes = [logged(row) for row in rows]
    assert [o.split(" ")[0] for o in outcomes] == ["added", "updated", "1003", "skipped:"]
    assert outcomes[2].endswith(": unchanged")


def test_a_fixed_report_of_rejected_rows_imports_again(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    ann = student("1001")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    accounts = csv_file([HEADER, ["mlopez", "Maria", "Lopez", "PARENT", "", str(maria.pk), ""]])
    report = tmp_path / "rejected.csv"
    assert tutela("import", "accounts", str(accounts), "--report", str(report)).code == 1
    fixed = report.read_text(encoding="utf-8-sig").replace("PARENT", "GUARDIAN")
    report.write_text(fixed, encoding="utf-8")

    run = tutela("import", "accounts", str(report))

    assert run.code == 0, run.err
    assert Account.objects.get(contact=maria).username == "mlopez"
    links = csv_file([LINK_HEADER, ["mlopez", "1001", "", "perhaps"]])
    link_report = tmp_path / "links.csv"
    assert tutela("import", "account-students", str(links), "--report", str(link_report)).code == 1
    link_report.write_text(
        link_report.read_text(encoding="utf-8-sig").replace("perhaps", "yes"), encoding="utf-8"
    )
    assert tutela("import", "account-students", str(link_report)).code == 0
    assert StudentContactDetail.objects.get(link__contact=maria).allow_data_access


def test_a_contact_id_that_is_no_whole_number_or_too_big_is_refused_naming_it(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    guardian("Maria", "Lopez", "maria@example.org")
    path = csv_file(
        [
            HEADER,
            ["a", "A", "Big", "GUARDIAN", "", "99999999999999999999", ""],
            ["b", "B", "Wide", "GUARDIAN", "", "\uff19", ""],
            ["c", "C", "Sign", "GUARDIAN", "", "-1", ""],
        ]
    )

    run = tutela("import", "accounts", str(path), "--json")

    assert run.code == 1, run.err
    errors = [row["errors"] for row in json.loads(run.out)["rows_report"]]
    assert errors == [
        ["CONTACT_ID '99999999999999999999' is not a contact id"],
        ["CONTACT_ID '\uff19' is not a contact id"],
        ["CONTACT_ID '-1' is not a contact id"],
    ]
    assert not Account.objects.exists()


def test_a_report_looks_like_the_file_it_came_from_bom_and_xlsx_numbers_kept(
    tutela: Callable[..., Run], csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    # Excel's "CSV UTF-8" has a byte-order mark; the report of it must too (docs: shared rules).
    marked = csv_file([["LOGONID", "STUDENT_ID"], ["nobody", "1001"]], encoding="utf-8-sig")
    report = tmp_path / "rejected.csv"
    run = tutela("import", "account-students", str(marked), "--report", str(report))
    assert run.code == 1, run.err
    assert report.read_bytes().startswith(codecs.BOM_UTF8)
    # An .xlsx report of an .xlsx file keeps a number cell a number.
    workbook = csv_file([["LOGONID", "STUDENT_ID"], ["nobody", 1001]], suffix=".xlsx")
    xlsx_report = tmp_path / "rejected.xlsx"
    run = tutela("import", "account-students", str(workbook), "--report", str(xlsx_report))
    assert run.code == 1, run.err
    rows = list(read_xlsx(xlsx_report).iter_rows(values_only=True))
    assert rows[1][:2] == ("nobody", 1001)


def test_a_name_too_long_or_a_logon_id_the_account_cannot_hold_rejects_its_row(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    # Longer than the csv module's default cell limit, too: the row's error, never cut short.
    long_name = "N" * 200_000
    path = csv_file(
        [
            HEADER,
            ["long1", long_name, "Lee", "GUARDIAN", "", "", ""],
            ["long2", "Ann", "L" * 101, "GUARDIAN", "", "", ""],
            ["ann<lee>", "Ann", "Lee", "GUARDIAN", "", "", ""],
            ["x" * 151, "Ann", "Lee", "GUARDIAN", "", "", ""],
            ["fine", "A" * 100, "Lee", "GUARDIAN", "", "", ""],
        ]
    )
    run = tutela("import", "accounts", str(path), "--json")
    assert run.code == 1, run.err
    errors = {row["row"]: row["errors"] for row in json.loads(run.out)["rows_report"]}
    assert errors[2] == ["FIRST_NAME is longer than 100 characters"]
    assert errors[3] == ["LAST_NAME is longer than 100 characters"]
    assert errors[4] == ["LOGONID 'ann<lee>' may hold only letters, digits and @ . + - _"]
    assert errors[5] == ["LOGONID is longer than 150 characters"]
    assert errors[6] == []
    assert list(Account.objects.values_list("username", flat=True)) == ["fine"]


def test_rows_of_one_logon_id_are_related_rows_one_error_rejects_them_all(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    # The seed's rule for related rows: the counts never say a group was rejected while one
    # of its rows was applied.
    path = csv_file(
        [
            HEADER,
            ["nora@example.org", "Nora", "Diaz", "GUARDIAN", "", "", ""],
            ["NORA@example.org", "Nora", "Diaz-Ruiz", "GUARDIAN", "", "", ""],
            ["ok@example.org", "Olga", "Kay", "GUARDIAN", "", "", ""],
        ]
    )
    run = tutela("import", "accounts", str(path), "--json")
    assert run.code == 1, run.err
    data = json.loads(run.out)
    assert (data["groups"], data["imported_groups"], data["rejected_groups"]) == (2, 1, 1)
    assert data["accounts_added"] == 1
    rows = data["rows_report"]
    assert logged(rows[0]) == "skipped: not imported because related row 3 has an error"
    assert rows[1]["errors"] == [
        "LOGONID 'NORA@example.org' already appears on row 2 with other values"
    ]
    assert list(Account.objects.values_list("username", flat=True)) == ["ok@example.org"]


def test_a_twin_of_a_row_that_is_refused_is_refused_too(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    Account.objects.create(username="taken@example.org", email="taken@example.org")
    row = ["taken@example.org", "Tom", "Kay", "GUARDIAN", "", "", ""]
    run = tutela("import", "accounts", str(csv_file([HEADER, row, row])), "--json")
    assert run.code == 1
    data = json.loads(run.out)
    assert (data["imported_groups"], data["rejected_groups"]) == (0, 1)
    assert [r["status"] for r in data["rows_report"]] == ["rejected", "rejected"]
    assert data["rows_report"][1]["errors"] == ["not imported because related row 2 has an error"]


def test_account_students_twins_are_duplicates_when_they_mean_the_same_and_conflicts_reject_both(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann, ben = student("1001"), student("1002")
    maria = guardian("Maria", "Lopez", "maria@example.org")
    Account.objects.create(username="mlopez", email="maria@example.org", contact=maria)
    path = csv_file(
        [
            LINK_HEADER,
            # The logon id is matched ignoring case, and a blank DATA_ACCESS is yes.
            ["mlopez", "1001", "mother", ""],
            ["MLOPEZ", "1001", "Mother", "yes"],
            # Yes on one row and no on its twin: neither is applied.
            ["mlopez", "1002", "", "yes"],
            ["mlopez", "1002", "", "no"],
        ]
    )
    run = tutela("import", "account-students", str(path), "--json")
    assert run.code == 1, run.err
    data = json.loads(run.out)
    assert [row["outcome"] for row in data["rows_report"]] == [
        "added",
        "skipped",
        "rejected",
        "rejected",
    ]
    outcomes = [logged(row) for row in data["rows_report"]]
    assert outcomes == [
        "added 1001 to mlopez",
        "same as row 2: ignored",
        "skipped: not imported because related row 5 has an error",
        "skipped: LOGONID 'mlopez' and STUDENT_ID '1002' already appear on row 4 with other values",
    ]
    assert (data["imported_groups"], data["rejected_groups"]) == (1, 1)
    assert StudentContact.objects.filter(student=ann, contact=maria).exists()
    assert not StudentContact.objects.filter(student=ben).exists()


def test_attaching_over_an_ended_link_is_refused_not_logged_as_granted(
    tutela: Callable[..., Run], csv_file: Callable[..., Path]
) -> None:
    ann, ben = student("1001"), student("1002")
    today = datetime.date.today()
    ended = today - datetime.timedelta(days=1)
    begins = today + datetime.timedelta(days=10)
    maria = guardian("Maria", "Lopez", "maria@example.org")
    link_student(
        actor=command_line_user(), contact=maria, student=ann, start_date=ended, end_date=ended
    )
    link_student(actor=command_line_user(), contact=maria, student=ben, start_date=begins)
    Account.objects.create(username="mlopez", email="maria@example.org", contact=maria)
    path = csv_file([LINK_HEADER, ["mlopez", "1001", "", "yes"], ["mlopez", "1002", "", "yes"]])

    run = tutela("import", "account-students", str(path), "--json")

    assert run.code == 1, run.err
    outcomes = [logged(row) for row in json.loads(run.out)["rows_report"]]
    day = f"{ended.month}/{ended.day}/{ended.year}"
    start = f"{begins.month}/{begins.day}/{begins.year}"
    assert outcomes == [
        f"skipped: the link of mlopez to 1001 ended on {day}: give it a current detail record "
        "(contacts import) to grant data access",
        f"updated 1002 on mlopez: data access granted from {start}, when the link begins",
    ]
    assert not StudentContactDetail.objects.get(link__student=ann).allow_data_access
    assert StudentContactDetail.objects.get(link__student=ben).allow_data_access
