"""Putting an upload's runs on the background queue: the one place that knows the queue.

The screens start runs here, so a service never imports the queue's tasks (and the tasks,
which call the services, never form a cycle with them).
"""

from __future__ import annotations

from django.db import transaction

from tutela.accounts.scopes import Actor
from tutela.imports import tasks
from tutela.imports.models import ImportJob, ImportUpload
from tutela.imports.runs import start_run


def queue_run(*, upload: ImportUpload, actor: Actor, dry_run: bool) -> ImportJob:
    """Record the run and put it on the queue once the record is committed."""
    job = start_run(upload=upload, actor=actor, dry_run=dry_run)
    job_id = job.pk
    transaction.on_commit(lambda: tasks.upload_run_task(job_id))
    return job
