"""``tutela import associations``: link parents to children by Unique ID and student number."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast
from tests.conftest import Run
from tests.factories import AccountFactory
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user
from tutela.imports.models import ImportJob
from tutela.people.models import Contact, StudentContact
from tutela.people.services import create_contact, link_student, set_unique_id

pytestmark = pytest.mark.django_db

File = Callable[..., Path]
HEADER = ["Parent Unique ID", "Child Unique ID"]


def rows_of(run: Run) -> list[dict[str, Any]]:
    assert run.out, run.err
    return list(json.loads(run.out)["rows_report"])


@pytest.fixture
def ada(cast: Cast) -> Contact:
    """A parent the parent import made: Unique ID P-100, an account, linked to no child yet."""
    contact = create_contact(actor=command_line_user(), first_name="Ada", last_name="Byron")
    set_unique_id(actor=command_line_user(), contact=contact, unique_id="P-100")
    AccountFactory(username="ada.byron", email="ada@example.org", contact=contact)
    return contact


def granted(contact: Contact, number: str) -> bool:
    link = StudentContact.objects.get(contact=contact, student__student_number=number)
    return link.grants_access()


def test_it_links_by_header_and_grants_data_access(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["P-100", "2001"], ["P-100", "3001"]])
    run = tutela("import", "associations", str(path), "--json")
    assert run.code == 0, run.out
    result = json.loads(run.out)
    assert [row["outcome"] for row in result["rows_report"]] == ["added", "added"]
    assert result["cleared"] == []
    link = StudentContact.objects.get(contact=ada, student=cast.holly)
    (detail,) = link.details.all()
    assert detail.start_date == datetime.date.today()
    assert detail.allow_data_access
    again = tutela("import", "associations", str(path), "--json")
    assert [row["outcome"] for row in rows_of(again)] == ["unchanged", "unchanged"]


def test_a_new_link_takes_the_parents_role_as_its_relationship(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    parents = csv_file(
        [
            ["First Name", "Last Name", "Unique ID", "Email", "Role"],
            ["Gus", "Grey", "G-1", "gus@example.org", "Guardian"],
        ]
    )
    assert tutela("import", "parents", str(parents), "--school", "10").code == 0
    path = csv_file([["Parent Unique User ID", "Student Number"], ["G-1", "2002"]])
    assert tutela("import", "associations", str(path)).code == 0
    link = StudentContact.objects.get(contact__unique_id="G-1", student=cast.hugo)
    detail = link.details.get()
    assert detail.relationship_type is not None
    assert detail.relationship_type.code == "Guardian"


def test_it_reads_columns_by_number_without_a_header(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([["2001", "x", "P-100"], ["3001", "y", "P-100"]])
    run = tutela(
        "import",
        "associations",
        str(path),
        "--no-header",
        "--parent-column",
        "3",
        "--student-column",
        "1",
        "--json",
    )
    assert run.code == 0, run.out
    assert [(row["row"], row["outcome"]) for row in rows_of(run)] == [(1, "added"), (2, "added")]
    assert granted(ada, "2001") and granted(ada, "3001")


def test_it_reads_columns_named_by_header(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([["Kid", "Grown-up"], ["2001", "P-100"]])
    run = tutela(
        "import",
        "associations",
        str(path),
        "--parent-column",
        "grown-up",
        "--student-column",
        "Kid",
    )
    assert run.code == 0, run.out
    assert granted(ada, "2001")


def test_unknown_parents_and_students_reject_their_rows_naming_the_value(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["P-404", "2001"], ["P-100", "9999"], ["P-100", "2001"]])
    run = tutela("import", "associations", str(path), "--json")
    assert run.code == 1
    parent, student, good = rows_of(run)
    assert parent["errors"] == [
        "Parent Unique ID 'P-404': no contact has this Unique ID and no account this username"
    ]
    assert student["errors"] == ["Child Unique ID '9999': no student has this number"]
    assert good["outcome"] == "added"


def test_unique_ids_are_case_sensitive_and_usernames_are_not(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["p-100", "2001"], ["ADA.BYRON", "3001"]])
    run = tutela("import", "associations", str(path), "--json")
    lower, username = rows_of(run)
    assert lower["outcome"] == "rejected"
    assert username["outcome"] == "added"


def test_a_parent_without_an_account_gets_a_warning(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    set_unique_id(actor=command_line_user(), contact=cast.una_contact, unique_id="U-1")
    path = csv_file([HEADER, ["U-1", "2001"]])
    run = tutela("import", "associations", str(path), "--json")
    assert run.code == 0
    (row,) = rows_of(run)
    assert row["outcome"] == "added"
    assert f"contact #{cast.una_contact.pk} has no portal account yet" in row["message"]


def test_clearing_revokes_exactly_the_other_contacts_and_keeps_their_history(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    # Lila has Leo (granted) and Una (granted); Holly has Hana (granted); Hugo is not named.
    path = csv_file([HEADER, ["P-100", "3001"], ["P-100", "2001"]])
    dry = tutela("import", "associations", str(path), "--clear-for-students", "--json", "--dry-run")
    assert granted(cast.leo_contact, "3001")
    real = tutela("import", "associations", str(path), "--clear-for-students", "--json")
    assert real.code == 0, real.out
    expected = [
        {"student": "2001", "contact_id": cast.hana_contact.pk},
        {"student": "3001", "contact_id": cast.leo_contact.pk},
        {"student": "3001", "contact_id": cast.una_contact.pk},
    ]
    assert json.loads(real.out)["cleared"] == expected
    assert json.loads(dry.out)["cleared"] == expected
    assert rows_of(dry) == rows_of(real)
    assert not granted(cast.leo_contact, "3001")
    assert not granted(cast.hana_contact, "2001")
    assert granted(ada, "3001") and granted(ada, "2001")
    assert not granted(cast.hana_contact, "2002")  # Hugo was never granted, and is not named
    leo_link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    old, new = leo_link.details.order_by("pk")
    today = datetime.date.today()
    assert (old.end_date, old.allow_data_access) == (today, True)
    assert (new.start_date, new.allow_data_access) == (today, False)
    assert new.relationship_type == old.relationship_type
    assert (
        ImportJob.objects.filter(kind="associations", dry_run=False).get().totals["cleared"]
        == expected
    )


def test_the_parent_then_sees_exactly_the_associated_children_in_the_portal(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["P-100", "2002"], ["P-100", "3001"]])
    assert tutela("import", "associations", str(path), "--clear-for-students").code == 0
    account = ada.account
    assert {s.student_number for s in students_visible_to(account=account)} == {"2002", "3001"}
    client = Client()
    client.force_login(account)
    page = client.get("/portal/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hugo" in text and "Lila" in text and "Holly" not in text
    leo = Client()
    leo.force_login(cast.leo)
    assert "Lila" not in leo.get("/portal/").content.decode()


def test_an_ended_link_gets_a_new_detail_with_access(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    link_student(
        actor=command_line_user(),
        contact=ada,
        student=cast.holly,
        end_date=datetime.date(2020, 6, 30),
        allow_data_access=True,
    )
    path = csv_file([HEADER, ["P-100", "2001"]])
    run = tutela("import", "associations", str(path), "--json")
    assert rows_of(run)[0]["outcome"] == "added"
    assert granted(ada, "2001")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--no-header"], "--no-header: give --parent-column as a column number (missing)"),
        (
            ["--no-header", "--parent-column", "1", "--student-column", "Kid"],
            "--no-header: give --student-column as a column number ('Kid' is not a column number)",
        ),
        (["--parent-column", "9"], "--parent-column 9: the file has 2 column(s)"),
        (["--parent-column", "Mom"], "--parent-column 'Mom': no such column"),
        (["--parent-column", "2"], "the parents' and the children's column are one column"),
    ],
)
def test_wrong_column_options_refuse_the_file(
    tutela: Callable[..., Run],
    csv_file: File,
    cast: Cast,
    ada: Contact,
    options: list[str],
    message: str,
) -> None:
    path = csv_file([HEADER, ["P-100", "2001"]])
    run = tutela("import", "associations", str(path), *options)
    assert run.code == 2, run.out
    assert message in run.err
    assert not StudentContact.objects.filter(contact=ada).exists()


def test_a_file_without_a_known_header_is_refused(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file([["Mom", "Kid"], ["P-100", "2001"]])
    run = tutela("import", "associations", str(path))
    assert run.code == 2
    assert "missing required column(s): 'Parent Unique ID' or 'Parent Unique User ID'" in run.err


def test_a_header_row_read_with_no_header_says_so(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["P-100", "2001"]])
    options = ["--no-header", "--parent-column", "1", "--student-column", "2", "--json"]
    run = tutela("import", "associations", str(path), *options)
    assert run.code == 1
    header, pair = rows_of(run)
    assert header["errors"] == [
        "row 1 looks like a header row ('Parent Unique ID', 'Child Unique ID'): "
        "leave out --no-header, or remove the row"
    ]
    assert pair["outcome"] == "added"


def test_one_parent_named_twice_for_one_child_is_linked_once(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["P-100", "2001"], ["ada.byron", "2001"]])
    run = tutela("import", "associations", str(path), "--json")
    assert run.code == 0
    first, second = rows_of(run)
    assert (first["outcome"], second["outcome"]) == ("added", "skipped")
    assert second["message"] == "same parent and child as row 2: ignored"
    assert StudentContact.objects.get(contact=ada, student=cast.holly).details.count() == 1


def test_the_summary_lists_what_a_dry_run_would_clear(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, ada: Contact
) -> None:
    path = csv_file([HEADER, ["P-100", "3001"]])
    run = tutela("import", "associations", str(path), "--clear-for-students", "--dry-run")
    assert run.code == 0
    lines = run.out.splitlines()
    at = lines.index("Cleared:")
    assert lines[at + 1 :] == [
        f"  student 3001, contact id {cast.leo_contact.pk}",
        f"  student 3001, contact id {cast.una_contact.pk}",
    ]
    assert granted(cast.leo_contact, "3001")
