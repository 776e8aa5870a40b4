"""Background tasks: thin adapters that run a recorded job on the Huey queue."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from tutela.provisioning.services import execute_autocreate_job


@db_task()
def autocreate_task(job_id: int) -> None:
    execute_autocreate_job(job_id=job_id)
