"""``tutela import parents``: Schoology-style parent accounts, matched by their Unique ID."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cast import Cast
from tests.conftest import Run, SMTPInbox
from tutela.accounts.models import AccessToken, Account
from tutela.accounts.scopes import Scope
from tutela.imports.models import ImportJob
from tutela.imports.parents import ParentImporter
from tutela.imports.runner import run_import
from tutela.people.models import Contact, School

pytestmark = pytest.mark.django_db

HEADER = ["First Name", "Last Name", "Unique ID", "Username", "Email", "School", "Role"]
File = Callable[..., Path]


def rows_of(run: Run) -> list[dict[str, Any]]:
    assert run.out, run.err
    return list(json.loads(run.out)["rows_report"])


def test_it_creates_parents_with_accounts_and_unique_ids(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "ada.byron", "ada@example.org", "", "Guardian"],
            ["Carl", "Dunn", "P-101", "", "carl@example.org", "", ""],
        ]
    )
    run = tutela("import", "parents", str(path), "--school", "10", "--json")
    assert run.code == 0, run.out
    result = json.loads(run.out)
    assert result["outcomes"]["added"] == 2
    assert [row["outcome"] for row in result["rows_report"]] == ["added", "added"]
    ada = Contact.objects.get(unique_id="P-100")
    assert (ada.first_name, ada.last_name, ada.is_active) == ("Ada", "Byron", True)
    assert [e.address for e in ada.emails.all()] == ["ada@example.org"]
    assert ada.default_relationship is not None and ada.default_relationship.code == "Guardian"
    assert list(ada.schools.all()) == [cast.hillcrest]
    account = Account.objects.get(contact=ada)
    assert (account.username, account.email, account.is_active) == (
        "ada.byron",
        "ada@example.org",
        True,
    )
    assert not account.has_usable_password()
    carl = Account.objects.get(contact__unique_id="P-101")
    assert carl.username == "carl@example.org"
    assert carl.contact is not None and carl.contact.default_relationship is not None
    assert carl.contact.default_relationship.code == "Parent"


def test_a_known_unique_id_updates_names_and_email(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    first = csv_file([HEADER, ["Ada", "Byron", "P-100", "ada", "ada@example.org", "", ""]])
    assert tutela("import", "parents", str(first), "--school", "10").code == 0
    again = csv_file([HEADER, ["Ada", "King", "P-100", "ada", "ada.king@example.org", "", ""]])
    run = tutela("import", "parents", str(again), "--json")
    assert run.code == 0, run.out
    (row,) = rows_of(run)
    assert row["outcome"] == "updated"
    ada = Contact.objects.get(unique_id="P-100")
    assert ada.last_name == "King"
    assert [e.address for e in ada.emails.all()] == ["ada.king@example.org"]
    assert Account.objects.get(contact=ada).email == "ada.king@example.org"
    assert Contact.objects.filter(unique_id="P-100").count() == 1


def test_no_update_skips_a_known_unique_id(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    first = csv_file([HEADER, ["Ada", "Byron", "P-100", "ada", "ada@example.org", "", ""]])
    assert tutela("import", "parents", str(first), "--school", "10").code == 0
    again = csv_file(
        [
            HEADER,
            ["Ada", "King", "P-100", "ada", "ada@example.org", "", ""],
            ["Eve", "Fox", "P-102", "eve", "eve@example.org", "", ""],
        ]
    )
    run = tutela("import", "parents", str(again), "--school", "10", "--no-update", "--json")
    assert run.code == 0, run.out
    skipped, added = rows_of(run)
    assert (skipped["outcome"], skipped["message"]) == ("skipped", "exists; --no-update")
    assert added["outcome"] == "added"
    assert Contact.objects.get(unique_id="P-100").last_name == "Byron"


def test_a_new_unique_id_with_a_known_email_is_rejected_naming_the_contact(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Hana", "Hill", "P-200", "hana2", "HANA@example.org", "", ""],
            ["Leo", "Lake", "P-201", "leo@example.org", "", "", ""],
        ]
    )
    run = tutela("import", "parents", str(path), "--school", "10", "--json")
    assert run.code == 1
    hana, leo = rows_of(run)
    assert hana["outcome"] == leo["outcome"] == "rejected"
    assert f"contact #{cast.hana_contact.pk}" in hana["errors"][0]
    assert "HANA@example.org" in hana["errors"][0]
    assert f"contact #{cast.leo_contact.pk}" in leo["errors"][0]
    assert not Contact.objects.filter(unique_id__in=["P-200", "P-201"]).exists()


def test_two_rows_of_one_email_make_one_person(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "", "ada@example.org", "", ""],
            ["Ada", "Byron", "P-999", "", "ada@example.org", "", ""],
        ]
    )
    run = tutela("import", "parents", str(path), "--school", "10", "--json")
    assert run.code == 1
    first, second = rows_of(run)
    assert first["outcome"] == "added"
    assert second["errors"] == ["Email ada@example.org is also used on row 2"]


def test_school_by_column_through_a_map_and_an_unknown_school(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "", "ada@example.org", "Hillcrest", ""],
            ["Carl", "Dunn", "P-101", "", "carl@example.org", "20", ""],
            ["Eve", "Fox", "P-102", "", "eve@example.org", "Nowhere", ""],
            ["Gus", "Grey", "P-103", "", "gus@example.org", "lakeside middle", ""],
        ]
    )
    run = tutela(
        "import", "parents", str(path), "--school-column", "--school-map", "Hillcrest=10", "--json"
    )
    assert run.code == 1
    ada, carl, eve, gus = rows_of(run)
    assert gus["outcome"] == "added"
    assert (ada["outcome"], carl["outcome"], eve["outcome"]) == ("added", "added", "rejected")
    assert eve["errors"] == [
        "School 'Nowhere' is not a school of the district (nor a --school-map value)"
    ]
    assert list(Contact.objects.get(unique_id="P-100").schools.all()) == [cast.hillcrest]
    assert list(Contact.objects.get(unique_id="P-101").schools.all()) == [cast.lakeside]
    assert not Contact.objects.filter(unique_id="P-102").exists()


def test_an_unknown_school_option_rejects_every_row(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file([HEADER, ["Ada", "Byron", "P-100", "", "ada@example.org", "", ""]])
    run = tutela("import", "parents", str(path), "--school", "99", "--json")
    assert run.code == 1
    (row,) = rows_of(run)
    assert row["errors"] == ["School '99' (--school) is not a school of the district"]
    assert not School.objects.filter(school_number="99").exists()


def test_a_role_other_than_parent_or_guardian_rejects_the_row(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file([HEADER, ["Ada", "Byron", "P-100", "", "ada@example.org", "", "Teacher"]])
    run = tutela("import", "parents", str(path), "--school", "10", "--json")
    assert run.code == 1
    assert rows_of(run)[0]["errors"] == ["Role 'Teacher' is not Parent or Guardian"]


def test_a_dry_run_reports_what_the_real_run_does_and_saves_nothing(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "", "ada@example.org", "", ""],
            ["Hana", "Hill", "P-200", "", "hana@example.org", "", ""],
        ]
    )
    dry = tutela("import", "parents", str(path), "--school", "10", "--json", "--dry-run")
    assert not Contact.objects.filter(unique_id="P-100").exists()
    real = tutela("import", "parents", str(path), "--school", "10", "--json")
    assert rows_of(dry) == rows_of(real)
    assert (dry.code, real.code) == (1, 1)


def test_the_report_holds_the_rejected_rows_with_their_errors(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, tmp_path: Path
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "", "ada@example.org", "", ""],
            ["", "Hill", "P-200", "", "", "", ""],
        ]
    )
    report = tmp_path / "rejected.csv"
    run = tutela("import", "parents", str(path), "--school", "10", "--report", str(report))
    assert run.code == 1
    lines = report.read_text().splitlines()
    assert lines[0] == ",".join([*HEADER, "Errors"])
    assert lines[1] == (
        ",Hill,P-200,,,,,First Name is required; "
        "Username or Email is required (at least one of the two)"
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["First Name", "Last Name", "Unique ID"], "missing required column(s): Username or Email"),
        (["First Name", "Last Name", "Email"], "missing required column(s): Unique ID"),
        ([*HEADER, "Shoe Size"], "unknown column 'Shoe Size'"),
    ],
)
def test_a_file_without_the_columns_it_needs_is_refused(
    tutela: Callable[..., Run], csv_file: File, cast: Cast, header: list[str], message: str
) -> None:
    path = csv_file([header, ["x"] * len(header)])
    run = tutela("import", "parents", str(path), "--school", "10")
    assert run.code == 2
    assert message in run.err
    assert not ImportJob.objects.exists()


def test_school_column_needs_the_school_column(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file([HEADER[:5], ["Ada", "Byron", "P-100", "", "ada@example.org"]])
    run = tutela("import", "parents", str(path), "--school-column")
    assert run.code == 2
    assert "missing required column(s): School (--school-column)" in run.err


def test_school_and_school_column_are_one_choice(
    tutela: Callable[..., Run], csv_file: File, cast: Cast
) -> None:
    path = csv_file([HEADER, ["Ada", "Byron", "P-100", "", "ada@example.org", "", ""]])
    run = tutela("import", "parents", str(path), "--school", "10", "--school-column")
    assert run.code == 2
    bad_map = tutela("import", "parents", str(path), "--school-column", "--school-map", "North")
    assert bad_map.code == 2
    assert "VALUE=NUMBER" in bad_map.err


def test_new_accounts_get_the_activation_email_through_smtp(
    tutela: Callable[..., Run],
    csv_file: File,
    cast: Cast,
    smtp_server: SMTPInbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "ada.byron", "ada@example.org", "", ""],
            ["Carl", "Dunn", "P-101", "carl", "", "", ""],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = tutela(
            "import", "parents", str(path), "--school", "10", "--send-activation", "--json"
        )
    assert run.code == 0, run.out
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "ada@example.org"
    assert "ada.byron" in smtp_server.text_of(message)
    assert "/accounts/activate/" in smtp_server.link_in(message)
    assert AccessToken.objects.filter(account__username="ada.byron").count() == 1
    carl = rows_of(run)[1]
    assert "no activation email" in carl["message"]
    assert json.loads(run.out)["activation_emails"] == 1


def test_a_dry_run_sends_no_activation_email(
    tutela: Callable[..., Run],
    csv_file: File,
    cast: Cast,
    smtp_server: SMTPInbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    path = csv_file([HEADER, ["Ada", "Byron", "P-100", "ada", "ada@example.org", "", ""]])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = tutela(
            "import", "parents", str(path), "--school", "10", "--send-activation", "--dry-run"
        )
    assert run.code == 0
    assert callbacks == []
    assert not AccessToken.objects.exists()


def test_school_staff_import_parents_of_their_own_school_only(cast: Cast, csv_file: File) -> None:
    path = csv_file(
        [
            HEADER,
            ["Ada", "Byron", "P-100", "", "ada@example.org", "20", ""],
            ["Carl", "Dunn", "P-101", "", "carl@example.org", "10", ""],
        ]
    )
    importer = ParentImporter()
    result = run_import(
        importer, path, actor=cast.sam, options=importer.options_from({"school_column": True})
    )
    ada, carl = result.rows
    assert ada.outcome == "added"
    assert carl.errors == ["parent P-101 is at a school outside your scope"]
    # Sam sees the parent his import put at Lakeside, linked to no student yet.
    assert Contact.objects.get(unique_id="P-100") in Scope.of(cast.sam).contacts()
