"""Putting AutoCreate jobs on the background queue: the one place that knows the queue.

Services record and run jobs; the screens start them here, so a service never imports the
queue's tasks (and the tasks, which call the services, never form a cycle with them).
"""

from __future__ import annotations

from django.db import transaction

from tutela.accounts.scopes import Actor
from tutela.provisioning import tasks
from tutela.provisioning.emails import EmailChoice
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.selection import Selection
from tutela.provisioning.services import record_autocreate_job


def start_autocreate_job(
    *,
    selection: Selection,
    actor: Actor,
    simulate: bool = True,
    emails: EmailChoice | None = None,
) -> AutoCreateJob:
    """Record a job and put it on the queue once the record is committed."""
    job = record_autocreate_job(selection=selection, actor=actor, simulate=simulate, emails=emails)
    job_id = job.pk
    transaction.on_commit(lambda: tasks.autocreate_task(job_id))
    return job
