"""The record of each import run: the audit trail for bulk changes."""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.conf import settings
from django.db import models

from tutela.jobs.models import Job


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
        return _unzipped(self.row_results_gz, [])

    @row_results.setter
    def row_results(self, rows: list[dict[str, Any]]) -> None:
        self.row_results_gz = _zipped(rows)

    @property
    def rejected_rows(self) -> dict[str, Any]:
        """``{"headers": [...], "rows": {row number: cells}}`` of the rejected rows."""
        found = _unzipped(self.rejected_rows_gz, {"headers": [], "rows": []})
        return {"headers": found["headers"], "rows": {n: cells for n, cells in found["rows"]}}

    @rejected_rows.setter
    def rejected_rows(self, value: dict[str, Any]) -> None:
        rows = sorted(value["rows"].items())
        self.rejected_rows_gz = _zipped({"headers": value["headers"], "rows": rows})


def _zipped(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=1)


def _unzipped(data: bytes | memoryview, empty: Any) -> Any:
    if not data:
        return empty
    return json.loads(gzip.decompress(bytes(data)))
