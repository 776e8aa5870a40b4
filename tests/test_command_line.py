"""The installed ``tutela`` console script, run as a separate process on its own SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA


def tutela(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TUTELA_HOME"] = str(home)
    script = Path(sys.executable).with_name("tutela")
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    assert tutela(home, "migrate").returncode == 0
    return home


def test_the_embedded_database_and_secret_key_are_made_on_first_use(home: Path) -> None:
    assert (home / "tutela.sqlite3").exists()
    assert (home / "secret_key").stat().st_mode & 0o077 == 0


def test_an_import_then_an_export_through_the_real_command(home: Path) -> None:
    done = tutela(home, "import", "students", str(DATA / "students.xlsx"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["students_added"] == 2
    assert tutela(home, "export", "contacts").stdout == ""


def test_bad_arguments_exit_2_with_one_line_and_no_traceback(home: Path) -> None:
    for args in (
        ["import", "students"],
        ["import", "pets", "x.csv"],
        ["frobnicate"],
        ["import", "students", "/nonexistent.csv"],
    ):
        run = tutela(home, *args)
        assert run.returncode == 2, args
        assert run.stderr.count("\n") == 1, run.stderr
        assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["migrate", "--bogus"],
        ["migrate", "nosuchapp"],
        ["createsuperuser", "--noinput"],
        ["loaddata", "missing-fixture.json"],
        ["help", "frobnicate"],
        ["--bogus"],
    ],
)
def test_djangos_own_commands_fail_the_same_way(home: Path, args: list[str]) -> None:
    run = tutela(home, *args)
    assert run.returncode == 2, (args, run.stderr)
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("tutela") and "Traceback" not in run.stderr


def test_a_database_that_cannot_be_opened_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        TUTELA_HOME=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3"
    )
    script = Path(sys.executable).with_name("tutela")
    for args in (["migrate"], ["export", "contacts"]):
        run = subprocess.run(
            [str(script), *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert run.returncode == 2, run.stderr
        assert run.stderr == "tutela: database error: unable to open database file\n"


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(TUTELA_ENV="production", TUTELA_HOME=str(tmp_path))
    script = Path(sys.executable).with_name("tutela")
    run = subprocess.run(
        [str(script), "check"], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 2
    assert "SECRET_KEY must be set" in run.stderr and "Traceback" not in run.stderr


def assert_secrets_kept(home: Path, run: subprocess.CompletedProcess[str]) -> None:
    """The demo's passwords are in their private files, never in what it printed."""
    for name in ("demo-admin-password", "demo-parent-password"):
        secret = (home / name).read_text().strip()
        assert secret and secret not in run.stdout + run.stderr


def test_demo_sets_up_a_district_without_serving(tmp_path: Path) -> None:
    run = tutela(tmp_path, "demo", "--no-serve", "--students", "30")
    assert run.returncode == 0, run.stderr
    assert "30 students" in run.stdout
    assert "Issued 30 parent access codes" in run.stdout
    assert_secrets_kept(tmp_path, run)
    exported = [
        json.loads(line) for line in tutela(tmp_path, "export", "contacts").stdout.splitlines()
    ]
    assert exported and all(c["students"] for c in exported)


def test_demo_grand_bend_loads_the_ed_fi_sample(tmp_path: Path) -> None:
    run = tutela(tmp_path, "demo", "--no-serve", "--district", "grand-bend")
    assert run.returncode == 0, run.stderr
    assert "3 schools, 960 students, 1873 contacts, 1872 student links" in run.stdout
    assert "placed at Grand Bend Elementary School (255901107)" in run.stdout
    assert_secrets_kept(tmp_path, run)


@pytest.mark.parametrize("args", [["--students", "-3"], ["--students", "0"], ["--port", "x"]])
def test_demo_refuses_a_count_or_port_out_of_range(args: list[str]) -> None:
    from tests.conftest import run_tutela

    run = run_tutela("demo", "--no-serve", *args)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "is not a whole number from" in run.err


def test_emails_on_the_development_console_stay_out_of_json_output(tmp_path: Path) -> None:
    # No EMAIL_HOST: emails are printed for the developer, on standard error, because standard
    # output is the command's own (here JSON a script reads).
    assert tutela(tmp_path, "migrate").returncode == 0
    students = tmp_path / "students.csv"
    students.write_text("Student_Number,First_Name,Last_Name,SchoolID\n1001,Ann,Lee,101\n")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "Identifier,LastName,FirstName,EmailAddress,IsPrimaryEmailAddress,StudentNumber,"
        "RelationshipType,ContactHasCustody\nm,Lee,Mia,mia@example.org,1,1001,Mother,1\n"
    )
    assert tutela(tmp_path, "import", "students", str(students)).returncode == 0
    assert tutela(tmp_path, "import", "contacts", str(contacts)).returncode == 0

    run = tutela(tmp_path, "autocreate", "--json", "--email-template", "Account created (English)")

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["emails_sent"] == 1
    assert "To: mia@example.org" in run.stderr
