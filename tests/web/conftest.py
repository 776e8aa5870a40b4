"""A Tutela of its own, served by ``tutela serve`` in a subprocess as a district runs it.

The site has its own data folder and database (a SQLite file, or a PostgreSQL database beside
the test database when the suite runs on PostgreSQL), migrated once for the session, with one
staff member and one parent account. Each test starts the server it needs on a free port.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

TUTELA = str(Path(sys.executable).with_name("tutela"))
PARENT, PARENT_PASSWORD = "guardian@example.org", "a long parent passphrase 42"
STAFF, STAFF_PASSWORD = "registrar", "a long staff passphrase 42"

ACCOUNTS = f"""
from tutela.accounts.models import Account
from tutela.sampledata.district import generate_district
from tutela.sampledata.load import load_district
from tutela.people.models import Contact
load_district(generate_district(12))
contact = Contact.objects.filter(student_links__isnull=False).order_by("pk").first()
parent = Account(username={PARENT!r}, email={PARENT!r}, contact=contact)
parent.set_password({PARENT_PASSWORD!r})
parent.save()
staff = Account(username={STAFF!r}, is_staff=True, is_district_admin=True)
staff.set_password({STAFF_PASSWORD!r})
staff.save()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.communicate()[1]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]

    def get(self, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection(urlsplit(self.url).netloc, timeout=30)
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse()

    def stop(self) -> int:
        """SIGTERM, as systemd stops a service; the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


@dataclass
class Site:
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TUTELA, *args],
            capture_output=True,
            text=True,
            env={**self.env, **env},
            timeout=300,
            check=False,
        )

    @contextmanager
    def serving(self, *args: str, **env: str) -> Iterator[Server]:
        """``tutela serve`` on a free loopback port until the block ends."""
        port = free_port()
        process = subprocess.Popen(
            [TUTELA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, **env},
        )
        try:
            wait_for_port(port, process)
            yield Server(url=f"http://127.0.0.1:{port}", process=process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
            process.communicate()


def maintenance_url() -> str:
    """The PostgreSQL server's own database, to create and drop the site's."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))


def _database_url(home: Path) -> tuple[str, str | None]:
    """The site's database URL, and the PostgreSQL database to drop at the end."""
    test_url = os.environ.get("DATABASE_URL", "")
    if not test_url.startswith("postgres"):
        return f"sqlite:///{home / 'tutela.sqlite3'}", None
    import psycopg

    parts = urlsplit(test_url)
    name = f"test_{parts.path.lstrip('/')}_served"
    with psycopg.connect(maintenance_url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("served-site")
    url, dropped = _database_url(home)
    env = {
        **os.environ,
        "TUTELA_HOME": str(home),
        "DATABASE_URL": url,
        "TUTELA_SIGN_IN_SLOWDOWN_SECONDS": "0",
        "TUTELA_QUEUE_IMMEDIATE": "true",
    }
    site = Site(home=home, env=env)
    for args in (["migrate", "-v0"], ["shell", "-c", ACCOUNTS]):
        done = site.run(*args)
        assert done.returncode == 0, done.stderr
    yield site
    if dropped:
        import psycopg

        with psycopg.connect(maintenance_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')


@pytest.fixture
def fresh_tutela(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``tutela ARGS`` in a subprocess with a new data folder and only the variables given
    (besides the test's own SQLite or PostgreSQL choice being left out)."""

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TUTELA_", "DATABASE_URL", "SECRET_KEY", "EMAIL_", "DEBUG"))
        }
        return subprocess.run(
            [TUTELA, *(args or ("check",))],
            capture_output=True,
            text=True,
            env={**base, "TUTELA_HOME": str(tmp_path / "home"), **env},
            timeout=300,
            check=False,
        )

    return run
