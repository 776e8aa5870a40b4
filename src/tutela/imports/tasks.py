"""Background tasks: an upload's preview or real run, and the daily clean-up of old uploads."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tutela.core.audit import command_line_user
from tutela.imports.runs import execute_run
from tutela.imports.uploads import delete_old_uploads


@db_task()
def upload_run_task(job_id: int) -> None:
    execute_run(job_id=job_id)


@db_periodic_task(crontab(hour="3", minute="17"))
def delete_old_uploads_task() -> None:
    delete_old_uploads(actor=command_line_user())
