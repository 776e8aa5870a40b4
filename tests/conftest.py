"""Shared fixtures: the ``tutela`` command run in-process, and file writers for imports."""

from __future__ import annotations

import csv
import io
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

import pytest
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.cast import Cast, build_cast
from tutela.cli import main

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

DATA = Path(__file__).parent / "data"

# Hypothesis judges the code, not the speed of a shared machine that stalls now and then.
hypothesis_settings.register_profile(
    "tutela", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("tutela")


@dataclass
class Run:
    code: int
    out: str
    err: str


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests must roll back by serialization.

    A plain transactional test flushes the database and Django re-makes its content types
    under new ids; the next serialized test then collides with them when it restores the
    database, so which tests pass would depend on which ran before.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


def run_tutela(*args: str) -> Run:
    """Run ``tutela ARGS`` in this process (so it sees the test database).

    A command closes every database connection when it ends; that would end the test's
    transaction too, so here the closing is left to the test.
    """
    out, err = io.StringIO(), io.StringIO()
    code = 0
    keep_connections = mock.patch("django.core.management.base.connections.close_all")
    with keep_connections, redirect_stdout(out), redirect_stderr(err):
        try:
            main(["tutela", *args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def tutela(db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    # Management commands write through self.stdout, which wraps sys.stdout at call time.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    return run_tutela


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def read_xlsx(path: Path) -> Worksheet:
    """The sheet a report workbook holds (its active, first one)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.worksheet import Worksheet

    sheet = load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    return sheet


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def make(rows: Sequence[Sequence[object]], suffix: str = ".csv", **kwargs: object) -> Path:
        path = tmp_path / f"file{next(counter)}{suffix}"
        if suffix == ".xlsx":
            return write_xlsx(path, rows)
        delimiter = "," if suffix == ".csv" else "\t"
        return write_csv(path, rows, delimiter=delimiter, **kwargs)  # type: ignore[arg-type]

    return make


# --- The named cast and a real local SMTP server (accounts, portal, staff, notifications) ---


@pytest.fixture
def cast(db: None) -> Cast:
    """The named cast of ``tests/cast.py``, without passwords (tests sign in with force_login)."""
    return build_cast()


@pytest.fixture
def cast_with_passwords(db: None) -> Cast:
    """The cast with every account on ``tests.cast.PASSWORD`` (Argon2, so a little slower)."""
    return build_cast(with_passwords=True)


class SMTPInbox:
    """What a real SMTP server (aiosmtpd on localhost) received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else content.encode()
        self.messages.append(cast_message(BytesParser(policy=email_policy.default).parsebytes(raw)))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} emails, got {len(self.messages)}"
        return self.messages

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    @staticmethod
    def html_of(message: EmailMessage) -> str:
        body = message.get_body(preferencelist=("html",))
        assert body is not None
        return str(body.get_content())

    def link_in(self, message: EmailMessage) -> str:
        match = re.search(r"https?://\S+", self.text_of(message))
        assert match, "no link in the email"
        return match.group(0)


def cast_message(message: object) -> EmailMessage:
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SMTPInbox]:
    """A real SMTP server on a free local port; Django's SMTP backend sends to it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def immediate_queue() -> Iterator[Any]:
    """Huey in immediate mode: a task runs as soon as it is enqueued, in this process (as
    ``tutela worker`` would run it)."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = before


@pytest.fixture(autouse=True)
def quick_argon2(settings: Any) -> None:
    """Tests hash many passwords; production's Argon2 work factors would make them crawl."""
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def no_sign_in_slowdown(settings: Any) -> None:
    """Failed sign-ins are held longer and longer; tests that count on it turn it back on."""
    settings.TUTELA_SIGN_IN_SLOWDOWN_SECONDS = 0


@pytest.fixture(autouse=True)
def default_language_between_tests() -> Iterator[None]:
    """A test client's request leaves its page's language active in the thread (Django's
    ``LocaleMiddleware`` activates it and nothing undoes it), so each test starts afresh."""
    yield
    translation.deactivate()
