"""The record of each import run: the audit trail for bulk changes."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from tutela.core.bulk import chunks
from tutela.jobs.models import Job

# zlib's window for the gzip format (``gzip.decompress`` reads it back).
GZIP_WINDOW = 16 + zlib.MAX_WBITS


class ImportJob(Job):
    """Who imported which file (name and SHA-256), with what options, and what came of each row.

    A bulk import writes one of these instead of one audit entry per field changed. It is
    recorded as started (status running) before the rows are written, and its final state is
    saved in the rows' own transaction (``tutela.jobs.lifecycle``).
    """

    job_label = "import"

    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)
    file_name = models.CharField(max_length=500)
    checksum = models.CharField(max_length=64)
    options = models.JSONField(default=dict)
    dry_run = models.BooleanField(default=False)
    totals = models.JSONField(default=dict)
    # Every row's result as gzipped JSON: a district's file has hundreds of thousands of rows,
    # which as a JSON column took longer to store than a third of the import's inserts.
    row_results_gz = models.BinaryField(default=b"")
    # The rejected rows' cells as the file had them, so a results page can offer them for
    # download (fixed and imported again) after the uploaded file itself is gone.
    rejected_rows_gz = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        when = f" at {self.started_at:%Y-%m-%d %H:%M}" if self.started_at else ""
        return f"{self.kind} import of {self.file_name}{when}"

    @property
    def row_results(self) -> list[dict[str, Any]]:
        """Each row's ``{"row", "group", "status", "errors", "outcome"}`` (and ``"message"``
        when the row has one), in file order."""
        return list(self.each_row_result())

    @row_results.setter
    def row_results(self, rows: Iterable[dict[str, Any]]) -> None:
        """Any iterable of rows, in file order: a run's are read back from its spill."""
        self.row_results_gz = _zipped(_array(rows))

    def each_row_result(self) -> Iterator[dict[str, Any]]:
        """``row_results`` decoded as they come: a million rows are never all in memory."""
        return _each_of_array(self.row_results_gz)

    @property
    def rejected_rows(self) -> dict[str, Any]:
        """``{"headers": [...], "rows": {row number: cells}}`` of the rejected rows."""
        found = _unzipped(self.rejected_rows_gz, {"headers": [], "rows": []})
        return {"headers": found["headers"], "rows": {n: cells for n, cells in found["rows"]}}

    def keep_rejected_rows(self, headers: list[str], rows: Iterable[tuple[int, list[Any]]]) -> None:
        """Keep the rejected rows' ``(row number, cells)``, given in file order."""
        head = _json({"headers": headers})[:-1] + ',"rows":'
        self.rejected_rows_gz = _zipped(chain([head], _array(list(row) for row in rows), ["}"]))


class ImportRowResult(models.Model):
    """One row's result of a job, as the results page lists them.

    A job's ``row_results`` hold every row in one gzipped document: a district's 267,819-row
    file takes most of a second to decode, too slow to show fifty rows of it (filtered by
    outcome) on every page. These rows are written from that document once, after the run
    (or when a command-line job's results are first opened), and read a page at a time.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_pages")
    row = models.PositiveIntegerField()
    group = models.TextField(blank=True)
    outcome = models.CharField(max_length=16)
    # The row's errors (rejected) or what it did, joined with "; ".
    messages = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="one_result_per_row_of_a_job")
        ]
        indexes = [models.Index(fields=["job", "outcome", "row"], name="import_row_by_outcome")]

    def __str__(self) -> str:
        return f"row {self.row} of import {self.job_id}: {self.outcome}"


class ColumnMapping(models.Model):
    """A column mapping saved under a name, picked again for next week's export of the same
    file (the mapping screen, or ``tutela import KIND FILE --mapping NAME``).

    ``pairs`` are file header -> the field's documented header (empty: the column is ignored).
    """

    kind = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    pairs = models.JSONField(default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="one_mapping_name_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.name}"


class ImportUpload(models.Model):
    """A file uploaded on the imports screen, kept under ``TUTELA_HOME`` (mode 600) from the
    upload through its preview to the real run, and deleted ``TUTELA_UPLOAD_KEEP_DAYS``
    after: it holds children's data. The job records stay.

    Its preview and its real run are import jobs (``preview``, ``imported``), with their own
    status, progress and error.
    """

    kind = models.CharField(max_length=32)
    file_name = models.CharField(max_length=500)
    stored_name = models.CharField(max_length=100, unique=True)
    size = models.BigIntegerField(default=0)
    headers = models.JSONField(default=list)
    # The first rows under each column, for the mapping screen.
    sample = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    pairs = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    preview = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported = models.ForeignKey(
        ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.kind} upload {self.file_name} at {self.uploaded_at:%Y-%m-%d %H:%M}"


# One encoder for every value: ``json.dumps`` with options builds a new one per call.
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# How many values are encoded together before the compressor takes them.
ZIP_BATCH = 1000


def _array(values: Iterable[Any]) -> Iterator[str]:
    """A JSON array of ``values``, in pieces of ``ZIP_BATCH`` values."""
    yield "["
    for number, batch in enumerate(chunks(values, ZIP_BATCH)):
        yield ("," if number else "") + ",".join(_json(value) for value in batch)
    yield "]"


def _zipped(pieces: Iterable[str]) -> bytes:
    """One JSON document given in pieces, gzipped as they come: a million rows' document is
    never one string (only its compressed bytes are held whole, to be stored)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, GZIP_WINDOW)
    packed = [packer.compress(piece.encode("utf-8")) for piece in pieces]
    packed.append(packer.flush())
    return b"".join(packed)


def _each_of_array(data: bytes | memoryview) -> Iterator[Any]:
    """The values of a gzipped JSON array, each decoded once the text read so far holds it
    whole (they are objects: one is never complete before its closing brace)."""
    if not data:
        return
    decode = json.JSONDecoder().raw_decode
    with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(data)), encoding="utf-8") as text:
        buffer, at = text.read(1 << 20).lstrip("["), 0
        while True:
            while at < len(buffer) and buffer[at] in ",]":
                at += 1
            try:
                value, at = decode(buffer, at)
            except json.JSONDecodeError:
                more = text.read(1 << 20)
                if not more:
                    if buffer[at:].strip():
                        raise
                    return
                buffer, at = buffer[at:] + more, 0
                continue
            yield value


def _unzipped(data: bytes | memoryview, empty: Any) -> Any:
    if not data:
        return empty
    return json.loads(gzip.decompress(bytes(data)))
