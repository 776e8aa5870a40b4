"""Writing a zip of CSV files readable by Tutela's user only, row by row.

A package holds families' data: it is created with mode 600 from the first byte, written
beside its target and renamed into place, so a failed export never leaves half a file nor a
moment in which another user of the machine could read it.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tutela.core.private import PRIVATE_FILE
from tutela.core.spreadsheets import csv_writer


class Package:
    """An open zip archive that CSV files are streamed into."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self.counts: dict[str, int] = {}

    def write(self, name: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
        """Write ``name`` with ``header`` and ``rows``; return the number of rows."""
        count = 0
        with self._archive.open(name, "w", force_zip64=True) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv_writer(text, lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
            text.flush()
            text.detach()
        self.counts[name] = count
        return count


@contextmanager
def open_package(path: Path) -> Iterator[Package]:
    """A package written to ``path`` (mode 600) once the block ends without an error."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # a partial file left by a crash keeps its mode otherwise
    try:
        with (
            os.fdopen(descriptor, "wb") as handle,
            zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            yield Package(archive)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
