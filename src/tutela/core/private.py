"""Files and folders that hold a district's data or a secret: readable by Tutela's user only.

The data folder (``TUTELA_HOME``) holds every family of the district, the secret key and the
demo's passwords; exports and reports hold families' data and access codes. Each is created
readable by its owner only from the first byte: writing first and ``chmod``-ing after would
leave a moment in which anyone on the machine could read it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, TextIO

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_directory(path: Path) -> Path:
    """Create ``path`` (and its parents) with mode 700 if missing; a folder that exists keeps
    the mode its owner chose. Returns ``path``."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        path.chmod(PRIVATE_FOLDER)  # mkdir's mode is filtered by the umask
    return path


def open_private(path: Path, *, newline: str | None = None) -> TextIO:
    """Open ``path`` for writing UTF-8 text with mode 600, replacing what was there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # a file that already existed keeps its mode otherwise
    return os.fdopen(descriptor, "w", encoding="utf-8", newline=newline)


def create_private(path: Path) -> BinaryIO:
    """Create ``path`` for writing bytes with mode 600; refuse one that already exists."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    return os.fdopen(descriptor, "wb")


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 600, replacing what was there."""
    with open_private(path) as handle:
        handle.write(text)


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` (a PDF, say) to ``path`` with mode 600, replacing what was there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def keep_files_private() -> None:
    """Every file this process creates from now on is private (umask 077), including those it
    does not open itself: SQLite's database and its WAL files, the job queue, reports."""
    os.umask(0o077)
