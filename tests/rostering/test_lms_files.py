"""``tutela export canvas`` and ``tutela export schoology`` on the cast: Hana is Holly's mother
(granted) and Hugo's (not granted); Leo is Lila's father (granted); Una has no account."""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cast import Cast
from tests.conftest import Run
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact
from tutela.people.services import restrict_link

pytestmark = pytest.mark.django_db


def read(path: Path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
            for name in archive.namelist()
        }


def export(tutela: Callable[..., Run], what: str, path: Path, *args: str) -> dict:
    result = tutela("export", what, "--output", str(path), *args)
    assert result.code == 0, result.err
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return read(path)


def test_canvas_users_and_observers(cast: Cast, tutela: Callable[..., Run], tmp_path: Path) -> None:
    files = export(tutela, "canvas", tmp_path / "canvas.zip")
    assert set(files) == {"users.csv", "user_observers.csv"}
    header, *users = files["users.csv"]
    assert header == ["user_id", "login_id", "first_name", "last_name", "email", "status"]
    by_name = {row[2]: row for row in users}
    assert set(by_name) == {"Holly", "Hugo", "Lila", "Hana", "Leo"}
    assert by_name["Hana"][1:] == ["hana.hill", "Hana", "Hill", "hana@example.org", "active"]
    assert by_name["Holly"][1] == "2001"
    header, *observers = files["user_observers.csv"]
    assert header == ["observer_id", "student_id", "status"]
    assert sorted(observers) == sorted(
        [
            [by_name["Hana"][0], by_name["Holly"][0], "active"],
            [by_name["Leo"][0], by_name["Lila"][0], "active"],
        ]
    )


def test_canvas_since_adds_deleted_rows_for_pairs_that_ended(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    first = export(tutela, "canvas", tmp_path / "a.zip")
    ids = {row[2]: row[0] for row in first["users.csv"][1:]}
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=command_line_user(), link=link, kind="court-order", note="order 7")
    files = export(tutela, "canvas", tmp_path / "b.zip", "--since", "2000-01-01T00:00:00Z")
    assert "Leo" not in {row[2] for row in files["users.csv"][1:]}
    observers = files["user_observers.csv"][1:]
    assert [ids["Leo"], ids["Lila"], "deleted"] in observers
    assert [ids["Hana"], ids["Holly"], "active"] in observers


def test_schoology_parents_and_associations(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path
) -> None:
    files = export(tutela, "schoology", tmp_path / "schoology.zip")
    header, *parents = files["parents.csv"]
    assert header == [
        "First Name",
        "Last Name",
        "Unique ID",
        "Username",
        "E-mail",
        "Role",
        "School",
    ]
    by_name = {row[0]: row for row in parents}
    assert set(by_name) == {"Hana", "Leo"}
    assert by_name["Hana"][3:] == ["hana.hill", "hana@example.org", "Parent", "10"]
    assert by_name["Leo"][6] == "20"
    header, *pairs = files["parent_associations.csv"]
    assert header == ["Parent Unique ID", "Child Unique ID"]
    assert sorted(pairs) == sorted([[by_name["Hana"][2], "2001"], [by_name["Leo"][2], "3001"]])


@pytest.mark.parametrize("what", ["oneroster", "canvas", "schoology"])
def test_no_password_token_or_access_code_leaves(
    cast: Cast, tutela: Callable[..., Run], tmp_path: Path, what: str
) -> None:
    from tutela.accesscodes.models import AccessCode
    from tutela.accounts.models import AccessToken

    cast.hana.set_password("correct horse battery staple")
    cast.hana.save()
    path = tmp_path / f"{what}.zip"
    export(tutela, what, path)
    with zipfile.ZipFile(path) as archive:
        text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    secrets = [cast.hana.password, "correct horse battery staple"]
    secrets += [str(code) for code in AccessCode.objects.values_list("code", flat=True)]
    secrets += [str(h) for h in AccessToken.objects.values_list("token_hash", flat=True)]
    assert not [secret for secret in secrets if secret and secret in text]
    assert "Una" not in text and "Unlinked" not in text
