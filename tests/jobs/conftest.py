"""A district of its own for the tests that kill jobs: a database and data folder outside the
test database, run by the installed ``tutela`` command in subprocesses.

Two templates are built once per session (students only; students and their contacts), each
test gets a fresh copy of the one it needs (a copied SQLite file, or ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL), and reads the copy directly: its tables, and the jobs' live state
in the queue's store, where a running job's heartbeat and progress are.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.web.conftest import TUTELA, maintenance_url

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 2000
STALE_SECONDS = 1
# The job records themselves: a killed job leaves its record (running, then failed).
JOB_TABLES = {"imports_importjob", "provisioning_autocreatejob", "accesscodes_accesscodejob"}
WAIT = 120.0


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@dataclass
class District:
    """One copy of a template district: run ``tutela`` on it, read its tables and jobs."""

    home: Path
    url: str
    files: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TUTELA_HOME": str(self.home),
            "DATABASE_URL": self.url,
            "TUTELA_JOB_STALE_SECONDS": str(STALE_SECONDS),
            "TUTELA_QUEUE_IMMEDIATE": "false",
        }

    @property
    def name(self) -> str:
        """The database's NAME as Django's settings hold it (it keys the live states)."""
        if self.url.startswith("sqlite"):
            return sqlite_path(self.url)
        return urlsplit(self.url).path.lstrip("/")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TUTELA, *args], capture_output=True, text=True, env=self.env, timeout=600, check=False
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [TUTELA, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            with sqlite3.connect(f"file:{self.name}?mode=ro", uri=True, timeout=60) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            return db.execute(sql, params).fetchall()

    def snapshot(self) -> dict[str, list[Any]]:
        """Every row of every table but the job records', and the schema (indexes included)."""
        if self.url.startswith("sqlite"):
            schema = self.query("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            tables = [name for kind, name, _ in schema if kind == "table"]
        else:
            schema = self.query(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "ORDER BY 1"
            )
            tables = [
                name
                for (name,) in self.query(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
        found: dict[str, list[Any]] = {"schema": schema}
        for table in tables:
            if table not in JOB_TABLES:
                rows = self.query(f'SELECT * FROM "{table}"')  # noqa: S608
                if table == "sqlite_sequence":  # the job records' own counters move on
                    rows = [row for row in rows if row[0] not in JOB_TABLES]
                found[table] = sorted(rows, key=repr)
        return found

    def latest_job(self, table: str) -> tuple[int, str, str] | None:
        rows = self.query(f"SELECT id, status, error FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        return rows[0] if rows else None

    def live_state(self, label: str, pk: int) -> dict[str, Any]:
        """The job's live state in the queue's store, as ``tutela.jobs.lifecycle`` keeps it."""
        from huey import SqliteHuey

        store = SqliteHuey("tutela", filename=str(self.home / "queue.sqlite3"))
        state = store.get(f"tutela.job.{self.name}.{label}.{pk}", peek=True)
        return state if isinstance(state, dict) else {}

    def wait_for_job(
        self, table: str, process: subprocess.Popen[str], *, status: str = "running"
    ) -> int:
        """Poll until the newest job of ``table`` has ``status``; its id."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            job = self.latest_job(table)
            if job is not None and job[1] == status:
                return job[0]
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
        raise AssertionError(f"no {status} job in {table}")

    def wait_for_state(
        self,
        label: str,
        pk: int,
        process: subprocess.Popen[str],
        reached: Callable[[dict[str, Any]], bool],
    ) -> dict[str, Any]:
        """Poll the job's live state (its heartbeat and progress) until ``reached``."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            state = self.live_state(label, pk)
            if reached(state):
                return state
            assert process.poll() is None, process.communicate()
            time.sleep(0.005)
        raise AssertionError(f"the job never reached the state: {self.live_state(label, pk)}")

    def kill(self, process: subprocess.Popen[str]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        process.communicate()

    def wait_until_silent(self, label: str, pk: int) -> None:
        """Poll the heartbeat until it is older than the stale limit."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            beat = self.live_state(label, pk).get("beat", 0.0)
            if time.time() - beat > STALE_SECONDS:
                return
            time.sleep(0.05)
        raise AssertionError("the job kept beating")

    def upkeep(self) -> None:
        """What ``tutela worker`` runs every minute: stale jobs are marked failed."""
        done = self.run(
            "shell",
            "-c",
            "from tutela.jobs.tasks import mark_stale_jobs_task; mark_stale_jobs_task.call_local()",
        )
        assert done.returncode == 0, done.stderr


def _create_database(name: str, template: str | None = None) -> str:
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(maintenance_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_databases(prefix: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url(), autocommit=True) as admin:
        names = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{prefix}%"]
        ).fetchall()
        for (name,) in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prefix() -> str:
    return f"test_{urlsplit(os.environ['DATABASE_URL']).path.lstrip('/')}_jobs"


@dataclass
class Templates:
    home: Path
    files: Path
    students: str
    contacts: str
    copies: int = 0

    def copy(self, template: str) -> District:
        self.copies += 1
        if on_postgresql():
            name = urlsplit(template).path.lstrip("/")
            url = _create_database(f"{_prefix()}_{self.copies}", template=name)
        else:
            source = Path(sqlite_path(template))
            target = source.with_name(f"copy{self.copies}.sqlite3")
            shutil.copyfile(source, target)
            url = f"sqlite:///{target}"
        return District(home=self.home, url=url, files=self.files)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    home = tmp_path_factory.mktemp("killed-jobs")
    files = home / "files"
    generator = str(ROOT / "bench" / "district_files.py")
    made = subprocess.run(
        [sys.executable, generator, "--students", str(STUDENTS), "--out", str(files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    if on_postgresql():
        students = _create_database(f"{_prefix()}_students")
    else:
        students = f"sqlite:///{home / 'students.sqlite3'}"
    district = District(home=home, url=students, files=files)
    for args in (["migrate", "-v0"], ["import", "students", str(files / "students.csv")]):
        done = district.run(*args)
        assert done.returncode == 0, done.stderr
    if on_postgresql():
        contacts = _create_database(f"{_prefix()}_contacts", template=_prefix() + "_students")
    else:
        shutil.copyfile(home / "students.sqlite3", home / "contacts.sqlite3")
        contacts = f"sqlite:///{home / 'contacts.sqlite3'}"
    done = District(home=home, url=contacts, files=files).run(
        "import", "contacts", str(files / "contacts.csv")
    )
    assert done.returncode == 0, done.stderr
    yield Templates(home=home, files=files, students=students, contacts=contacts)
    if on_postgresql():
        _drop_databases(_prefix())


@pytest.fixture
def district(templates: Templates) -> District:
    """A fresh copy of the district with students and no contacts yet."""
    return templates.copy(templates.students)


@pytest.fixture
def district_with_contacts(templates: Templates) -> District:
    """A fresh copy of the district with its students' contacts imported."""
    return templates.copy(templates.contacts)
