"""``tutela import oneroster``: the round trip through Tutela's own export, each kind of bad
row and bad package, and the package's safety (names that climb out, sizes)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.cast import Cast
from tests.conftest import Run
from tests.factories import SchoolFactory
from tutela.accounts.models import Account
from tutela.imports.oneroster.importer import OneRosterImporter
from tutela.imports.runner import run_import
from tutela.people.models import Contact, School, Student, StudentContact
from tutela.rostering.models import SourcedId

pytestmark = pytest.mark.django_db

MANIFEST = [("propertyName", "value"), ("manifest.version", "1.0"), ("oneroster.version", "1.1")]
ORGS = [
    ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"),
    ("d-1", "", "", "Riverside District", "district", "", ""),
    ("s-10", "", "", "North School", "school", "10", "d-1"),
]
USER_HEADER = (
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
)


def user(**values: str) -> tuple[str, ...]:
    defaults = {"enabledUser": "true", "orgSourcedIds": "s-10", "familyName": "Ng"}
    merged = {**defaults, **values}
    return tuple(merged.get(column, "") for column in USER_HEADER)


STUDENT = user(sourcedId="st-1", role="student", givenName="Ann", identifier="5001", grades="04")
MOTHER = user(
    sourcedId="p-1",
    role="parent",
    givenName="Mia",
    username="mia.ng",
    email="mia@example.org",
    phone="555-0111",
    agentSourcedIds="st-1",
)


def csv_text(rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def package(
    path: Path, users: list[tuple[str, ...]] | None = None, files: dict[str, Any] | None = None
) -> Path:
    """A OneRoster package at ``path``: the manifest, orgs and ``users`` unless replaced."""
    contents: dict[str, Any] = {
        "manifest.csv": MANIFEST,
        "orgs.csv": ORGS,
        "users.csv": [USER_HEADER, *(users if users is not None else [STUDENT, MOTHER])],
        **(files or {}),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in contents.items():
            if rows is not None:
                archive.writestr(name, rows if isinstance(rows, str | bytes) else csv_text(rows))
    return path


def run_json(run: Run) -> dict[str, Any]:
    assert run.out, run.err
    found: dict[str, Any] = json.loads(run.out)
    return found


def read_rows(path: Path, name: str) -> dict[str, dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        rows = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
        return {row["sourcedId"]: row for row in rows}


def read_users(path: Path) -> dict[str, dict[str, str]]:
    return read_rows(path, "users.csv")


ROUND_TRIP = ("sourcedId", "role", "username", "email", "identifier", "givenName", "familyName")


def people(users: dict[str, dict[str, str]]) -> dict[str, tuple[Any, ...]]:
    """Each student's and parent's facts and agents (the agents as a set)."""
    return {
        sourced_id: (
            *(row[column] for column in ROUND_TRIP),
            row["orgSourcedIds"],
            frozenset(row["agentSourcedIds"].split(",")) - {""},
        )
        for sourced_id, row in users.items()
        if row["role"] != "teacher"
    }


def test_a_package_tutela_exported_imports_back_to_the_same_users_and_agents(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    first = tmp_path / "first.zip"
    assert tutela("export", "oneroster", "--output", str(first)).code == 0
    before = people(read_users(first))
    StudentContact.objects.all().delete()
    Account.objects.filter(contact__isnull=False).delete()
    Contact.objects.all().delete()
    Student.objects.all().delete()
    School.objects.all().delete()
    SourcedId.objects.all().delete()

    run = tutela("import", "oneroster", str(first), "--json")
    assert run.code == 0, run.err
    result = run_json(run)
    assert result["outcomes"]["rejected"] == 0
    second = tmp_path / "second.zip"
    assert tutela("export", "oneroster", "--output", str(second)).code == 0
    assert people(read_users(second)) == before
    assert read_rows(second, "orgs.csv") == read_rows(first, "orgs.csv")
    holly = Student.objects.get(student_number="2001")
    assert holly.contact_links.get().contact.account.username == "hana.hill"
    assert Student.objects.get(student_number="2002").contact_links.count() == 0

    again = run_json(tutela("import", "oneroster", str(first), "--json"))
    assert again["outcomes"]["unchanged"] + again["outcomes"]["skipped"] == again["rows"]


def test_schools_students_parents_accounts_and_links(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    run = tutela("import", "oneroster", str(package(tmp_path / "or.zip")), "--json")
    assert run.code == 0, run.err
    result = run_json(run)
    assert [row["element"] for row in result["rows_report"]] == [
        "orgs.csv row 2",
        "orgs.csv row 3",
        "users.csv row 2",
        "users.csv row 3",
    ]
    assert (result["outcomes"]["added"], result["outcomes"]["rejected"]) == (4, 0)
    ann = Student.objects.get(student_number="5001")
    assert (ann.school.school_number, ann.school.name, ann.grade_level) == (
        "10",
        "North School",
        "04",
    )
    mia = Contact.objects.get(unique_id="p-1")
    assert mia.emails.get().address == "mia@example.org"
    assert mia.phones.get().phone.digits == "5550111"
    assert (mia.account.username, mia.account.is_active) == ("mia.ng", True)
    link = StudentContact.objects.get(student=ann, contact=mia)
    detail = link.details.get()
    assert detail.allow_data_access
    assert detail.relationship_type is not None and detail.relationship_type.code == "Parent"
    assert SourcedId.objects.get(sourced_id="st-1").object_id == ann.pk
    assert SourcedId.objects.get(sourced_id="p-1").object_id == mia.pk
    assert SourcedId.objects.get(sourced_id="s-10").object_id == ann.school_id


def test_agents_named_both_ways_are_one_link_and_a_second_run_changes_nothing(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    both = user(
        sourcedId="st-1", role="student", givenName="Ann", identifier="5001", agentSourcedIds="p-1"
    )
    guardian = user(sourcedId="p-2", role="guardian", givenName="Gus", enabledUser="false")
    path = package(tmp_path / "or.zip", [both, MOTHER, guardian])
    assert tutela("import", "oneroster", str(path)).code == 0
    assert StudentContact.objects.count() == 1
    gus = Contact.objects.get(unique_id="p-2")
    assert not hasattr(gus, "account") or gus.account is None
    again = run_json(tutela("import", "oneroster", str(path), "--json"))
    assert again["outcomes"]["unchanged"] == again["rows"] == 5


def test_a_student_listing_its_parent_is_enough(tutela: Callable[..., Run], tmp_path: Path) -> None:
    student = user(
        sourcedId="st-1", role="student", givenName="Ann", identifier="5001", agentSourcedIds="p-1"
    )
    mother = user(
        sourcedId="p-1", role="relative", givenName="Mia", username="mia", enabledUser="false"
    )
    assert (
        tutela("import", "oneroster", str(package(tmp_path / "or.zip", [student, mother]))).code
        == 0
    )
    link = StudentContact.objects.get()
    assert link.details.get().relationship_type.code == "Other"  # type: ignore[union-attr]
    assert Account.objects.get(username="mia").is_active is False


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            user(sourcedId="x-1", role="wizard", givenName="A"),
            "role 'wizard' is not a OneRoster role",
        ),
        (
            user(sourcedId="p-9", role="parent", givenName="A", agentSourcedIds="nobody"),
            "agentSourcedIds names 'nobody', a user neither the package nor Tutela has",
        ),
        (
            user(sourcedId="p-9", role="parent", givenName="A", email="Mc Mahon@example.org"),
            "email 'Mc Mahon@example.org' is not a valid email address",
        ),
        (
            user(sourcedId="p-9", role="parent", givenName="A", enabledUser="maybe"),
            "enabledUser 'maybe' is not true or false",
        ),
        (
            user(sourcedId="st-9", role="student", givenName="A", orgSourcedIds="elsewhere"),
            "orgSourcedIds 'elsewhere' names no school",
        ),
        (user(sourcedId="", role="student", givenName="A"), "sourcedId is required"),
        (
            user(sourcedId="p-9", role="parent", givenName="A", agentSourcedIds="p-1"),
            "agentSourcedIds names 'p-1', a parent, not a student",
        ),
        (
            user(sourcedId="st-9", role="student", givenName="A", agentSourcedIds="t-1"),
            "agentSourcedIds names 't-1', a teacher, not a parent",
        ),
        (
            user(sourcedId="st-2", role="student", givenName="A", identifier="5001"),
            "student 5001 is also the one at users.csv row 2",
        ),
        (
            user(sourcedId="s-10", role="parent", givenName="A"),
            "sourcedId 's-10' is also the org at orgs.csv row 3",
        ),
        (
            user(sourcedId="p-9", role="parent", givenName="A", username="mia.ng"),
            "username mia.ng is also used at users.csv row 3",
        ),
    ],
)
def test_a_bad_row_is_rejected_alone_naming_its_file_row_and_problem(
    tutela: Callable[..., Run], tmp_path: Path, row: tuple[str, ...], message: str
) -> None:
    report = tmp_path / "report.csv"
    teacher = user(sourcedId="t-1", role="teacher", givenName="Tia")
    path = package(tmp_path / "or.zip", [STUDENT, MOTHER, row, teacher])
    run = tutela("import", "oneroster", str(path), "--json", "--report", str(report))
    assert run.code in (0, 1), run.err
    result = run_json(run)
    (rejected,) = [r for r in result["rows_report"] if r["outcome"] == "rejected"]
    assert rejected["element"] == "users.csv row 4"
    assert message in "; ".join(rejected["errors"])
    assert Contact.objects.filter(unique_id="p-1").exists()
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "File,Row,sourcedId,Type or role,Errors"
    assert lines[1].startswith("users.csv,4,")


def test_teachers_and_other_orgs_are_skipped_saying_why(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    teacher = user(sourcedId="t-1", role="teacher", givenName="Tia", username="tia")
    orgs = [*ORGS, ("dept-1", "", "", "Maths", "department", "", "s-10")]
    result = run_json(
        tutela(
            "import",
            "oneroster",
            str(package(tmp_path / "or.zip", [teacher], files={"orgs.csv": orgs})),
            "--json",
        )
    )
    skipped = {
        r["element"]: r["message"] for r in result["rows_report"] if r["outcome"] == "skipped"
    }
    assert "role teacher" in skipped["users.csv row 2"]
    assert "type department" in skipped["orgs.csv row 4"]
    assert not Account.objects.filter(username="tia").exists()


def test_a_dry_run_writes_nothing_and_says_what_the_real_run_does(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    path = package(tmp_path / "or.zip")
    dry = run_json(tutela("import", "oneroster", str(path), "--json", "--dry-run"))
    assert not Student.objects.exists() and not SourcedId.objects.exists()
    real = run_json(tutela("import", "oneroster", str(path), "--json"))
    assert dry["outcomes"] == real["outcomes"]


def test_a_sourced_id_another_object_holds_rejects_the_row(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    school = SchoolFactory.create(school_number="77")
    SourcedId.objects.create(kind="school", object_id=school.pk, sourced_id="p-1")
    result = run_json(tutela("import", "oneroster", str(package(tmp_path / "or.zip")), "--json"))
    (rejected,) = [r for r in result["rows_report"] if r["outcome"] == "rejected"]
    assert rejected["errors"] == ["sourcedId 'p-1' already names another school"]


def test_a_1_2_package_gives_roles_in_roles_csv(tutela: Callable[..., Run], tmp_path: Path) -> None:
    header = (
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "givenName",
        "familyName",
        "identifier",
        "email",
        "agentSourcedIds",
    )
    users = [
        header,
        ("st-1", "", "", "true", "ann", "Ann", "Ng", "5001", "", ""),
        ("p-1", "", "", "true", "mia", "Mia", "Ng", "", "mia@example.org", "st-1"),
    ]
    roles = [
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "userSourcedId",
            "roleType",
            "role",
            "orgSourcedId",
        ),
        ("r-1", "", "", "st-1", "primary", "student", "s-10"),
        ("r-2", "", "", "p-1", "primary", "parent", "s-10"),
    ]
    manifest = [*MANIFEST[:2], ("oneroster.version", "1.2")]
    path = package(
        tmp_path / "or.zip",
        files={"manifest.csv": manifest, "users.csv": users, "roles.csv": roles},
    )
    run = tutela("import", "oneroster", str(path))
    assert run.code == 0, run.err
    assert StudentContact.objects.get().contact.unique_id == "p-1"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"manifest.csv": None}, "not a OneRoster package: it has no manifest.csv"),
        ({"users.csv": None}, "the package has no users.csv"),
        ({"users.csv": [("sourcedId", "role")]}, "users.csv is missing the column(s) enabledUser"),
        ({"manifest.csv": [*MANIFEST[:2], ("oneroster.version", "9")]}, "oneroster.version '9'"),
        ({"../users.csv": "x"}, "names a place outside it"),
    ],
)
def test_a_package_tutela_cannot_read_is_refused_with_exit_2(
    tutela: Callable[..., Run], tmp_path: Path, files: dict[str, Any], message: str
) -> None:
    run = tutela("import", "oneroster", str(package(tmp_path / "or.zip", files=files)))
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err
    assert not Student.objects.exists()


def test_a_file_that_is_not_a_zip_is_refused(tutela: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_text("sourcedId\n1\n")
    run = tutela("import", "oneroster", str(path))
    assert run.code == 2
    assert "not a OneRoster package" in run.err


@override_settings(TUTELA_MAX_SHEET_MB=1)
def test_a_member_that_unpacks_too_much_is_refused_before_it_is_read(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    big = csv_text([USER_HEADER]) + "\r\n" * (2 << 20)
    run = tutela("import", "oneroster", str(package(tmp_path / "or.zip", files={"users.csv": big})))
    assert run.code == 2
    assert "the package unpacks to more than 1 MB (users.csv)" in run.err


def test_a_school_admin_imports_only_what_touches_their_schools(cast: Cast, tmp_path: Path) -> None:
    path = package(tmp_path / "or.zip")  # school 10 is Hillcrest; Sam has only Lakeside
    result = run_import(OneRosterImporter(), path, actor=cast.sam)
    rejected = {row.where: row.errors for row in result.rows if row.outcome == "rejected"}
    assert "outside your scope" in rejected["users.csv row 2"][0]
    assert "outside your scope" in rejected["users.csv row 3"][0]
    assert not Contact.objects.filter(unique_id="p-1").exists()


def test_a_family_sharing_one_email_gets_it_on_one_account_only(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    father = user(
        sourcedId="p-2", role="parent", givenName="Max", username="max.ng", email="MIA@example.org"
    )
    result = run_json(
        tutela(
            "import",
            "oneroster",
            str(package(tmp_path / "or.zip", [STUDENT, MOTHER, father])),
            "--json",
        )
    )
    assert result["outcomes"]["rejected"] == 0
    (warned,) = [r for r in result["rows_report"] if r.get("warnings")]
    assert warned["element"] == "users.csv row 4"
    assert "another account's (users.csv row 3)" in warned["warnings"][0]
    assert Account.objects.get(username="max.ng").email == ""
    assert Contact.objects.get(unique_id="p-2").emails.get().address == "MIA@example.org"


def test_two_orgs_for_one_school_number_are_refused_after_the_first(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    orgs = [*ORGS, ("s-11", "", "", "North again", "school", "10", "d-1")]
    path = package(tmp_path / "or.zip", files={"orgs.csv": orgs})
    result = run_json(tutela("import", "oneroster", str(path), "--json"))
    (rejected,) = [r for r in result["rows_report"] if r["outcome"] == "rejected"]
    assert rejected["element"] == "orgs.csv row 4"
    assert rejected["errors"] == ["school 10 is also the one at orgs.csv row 3"]
    assert School.objects.get().name == "North School"


def test_a_row_repeated_whole_is_skipped_as_a_duplicate(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    path = package(tmp_path / "or.zip", [STUDENT, MOTHER, STUDENT])
    result = run_json(tutela("import", "oneroster", str(path), "--json"))
    assert result["rows_report"][-1]["outcome"] == "skipped"
    assert Student.objects.count() == 1
