"""The periodic upkeep of jobs, run by ``tutela worker``: stale jobs are marked failed."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tutela.jobs.lifecycle import mark_stale_jobs

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def mark_stale_jobs_task() -> None:
    for label in mark_stale_jobs():
        logger.warning("%s stopped beating and was marked failed", label)
