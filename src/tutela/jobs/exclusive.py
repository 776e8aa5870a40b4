"""One bulk job at a time: imports, AutoCreate runs and code resets wait for each other.

Two bulk jobs at once on PostgreSQL fight over the same unique keys (a UniqueViolation or a
deadlock, told to the user as nonsense); on SQLite the second waits for the write lock and gives
up with "database is locked". So each takes this lock before it starts, and a second one waits,
saying which job it waits for, then runs after it.

- **PostgreSQL**: a session-level advisory lock (``pg_advisory_lock``), released at the end, or
  by the server when the process dies (``kill -9`` included).
- **SQLite**: an exclusive ``flock`` on a lock file beside the database, released by the
  kernel when the process dies. An in-memory database is this process's alone, and so is its
  lock file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from tutela.core.private import PRIVATE_FILE
from tutela.jobs.models import Job

# pg_advisory_lock's key: any bigint other software on the database is unlikely to pick.
ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"tutela bulk jobs").digest()[:8], "big", signed=True)
OTHER = "another bulk job"


def _holder_key() -> str:
    return f"tutela.jobs.{connection.settings_dict['NAME']}.holder"


def _store() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def holder() -> str:
    """The label of the job holding the lock (as it announced itself), or a generic name."""
    try:
        label = _store().get(_holder_key(), peek=True)
    except Exception:
        return OTHER
    return label if isinstance(label, str) and label else OTHER


def announce(job: Job) -> None:
    """Say that ``job`` holds the lock, for the jobs that wait to name it."""
    try:
        _store().put(_holder_key(), job.label)
    except Exception:  # only the waiting message suffers
        return


def waiting_message(label: str) -> str:
    return f"waiting for {label} to finish"


@contextmanager
def one_at_a_time(on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the bulk-job lock for the block; if another job holds it, call ``on_wait`` with
    ``"waiting for import 12 to finish"`` and wait for it."""
    lock = _postgresql if connection.vendor == "postgresql" else _sqlite
    with lock(on_wait):
        yield


@contextmanager
def _postgresql(on_wait: Callable[[str], None]) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
        if not cursor.fetchone()[0]:
            on_wait(waiting_message(holder()))
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])


def lock_file() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        return Path(settings.TUTELA_HOME) / f"jobs-{os.getpid()}.lock"
    return Path(f"{name}.jobs-lock")


@contextmanager
def _sqlite(on_wait: Callable[[str], None]) -> Iterator[None]:
    descriptor = os.open(lock_file(), os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(waiting_message(holder()))
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
