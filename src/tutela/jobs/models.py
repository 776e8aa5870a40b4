"""What every long-running job record shares: its status and when it started, beat and ended.

Each kind of job keeps its own record (an import, an AutoCreate run, a code reset) with what is
its own; the lifecycle fields come from here, so one mechanism (``tutela.jobs.lifecycle``)
claims, beats, finishes and fails every kind alike.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class Job(models.Model):
    """The lifecycle part of a job record (abstract: each kind of job has its own table)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    # How a message names a job of this kind: "import 12", "AutoCreate run 3".
    job_label: ClassVar[str] = "job"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    # The last heartbeat written to the database (when the job started); the live ones go to
    # the queue's store (``lifecycle``), which a job's own transaction never holds up.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def label(self) -> str:
        return f"{self.job_label} {self.pk}"
