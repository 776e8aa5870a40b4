"""The record of each import run: the audit trail for bulk changes."""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """Who imported which file (name and SHA-256), with what options, and what came of each row.

    A bulk import writes one of these instead of one audit entry per field changed.
    """

    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True)
    file_name = models.CharField(max_length=500)
    checksum = models.CharField(max_length=64)
    options = models.JSONField(default=dict)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    totals = models.JSONField(default=dict)
    # Every row's result as gzipped JSON: a district's file has hundreds of thousands of rows,
    # which as a JSON column took longer to store than a third of the import's inserts.
    row_results_gz = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def row_results(self) -> list[dict[str, Any]]:
        """Each row's ``{"row", "group", "status", "errors"}``, in file order."""
        if not self.row_results_gz:
            return []
        return json.loads(gzip.decompress(bytes(self.row_results_gz)))

    @row_results.setter
    def row_results(self, rows: list[dict[str, Any]]) -> None:
        text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        self.row_results_gz = gzip.compress(text.encode("utf-8"), compresslevel=1)
