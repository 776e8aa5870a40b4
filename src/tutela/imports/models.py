"""The record of each import run: the audit trail for bulk changes."""

from __future__ import annotations

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
    row_results = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"
