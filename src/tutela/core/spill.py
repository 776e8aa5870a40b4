"""The rows a bulk job has settled, kept on disk instead of in memory.

A million-student import file has 2.7 million rows, and an AutoCreate run of that district
2.2 million plan lines: either took more than a GiB while it stayed in memory to the end of
the run. Once a slice is done its rows are final: the job writes them here, one compact JSON
line each, in order, and the totals, the job record, the report and the summary read them
back as a stream (the contacts import's row results in ``TUTELA_HOME/import-rows/``,
AutoCreate's plan lines in ``TUTELA_HOME/autocreate-lines/``).

The file holds what the rows say about families (names, emails, messages), so it is created
readable by Tutela's user only (mode 600), and deleted when the run's result is closed, or
when the result is dropped without being closed. A process killed in the middle of a run
cannot delete its file: the next run deletes the files nobody has written to for
``LEFT_FOR`` seconds (a run writes its file until its last slice, and reads it back at once).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import weakref
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, TextIO

from tutela.core.private import private_directory

LEFT_FOR = 24 * 60 * 60

# One encoder for every line: ``json.dumps`` with options builds a new one per call.
_line = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class RowSpill:
    """A private file of JSON lines, appended to while a run goes and read back after it."""

    def __init__(self, folder: Path) -> None:
        descriptor, name = tempfile.mkstemp(
            suffix=".jsonl", dir=_cleared(private_directory(folder))
        )
        self.path = Path(name)
        self._out = os.fdopen(descriptor, "w", encoding="utf-8", newline="\n")
        self._removed = weakref.finalize(self, _remove, self._out, self.path)

    def write(self, values: list[Any]) -> None:
        self._out.write(_line(values) + "\n")

    def __iter__(self) -> Iterator[list[Any]]:
        """Every line written so far, in order (a JSON string never holds a raw newline)."""
        self._out.flush()
        with self.path.open(encoding="utf-8", newline="\n") as lines:
            for line in lines:
                yield json.loads(line)

    def close(self) -> None:
        """Delete the file; closing again does nothing."""
        self._removed()


def _cleared(folder: Path) -> Path:
    """``folder``, without the files left there by runs killed before they ended."""
    stale = time.time() - LEFT_FOR
    for path in folder.glob("*.jsonl"):
        with suppress(FileNotFoundError):  # another run deleted it first
            if path.stat().st_mtime < stale:
                path.unlink()
    return folder


def _remove(out: TextIO, path: Path) -> None:
    out.close()
    path.unlink(missing_ok=True)
