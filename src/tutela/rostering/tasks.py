"""The nightly delivery of every enabled sync target, at ``TUTELA_SYNC_HOUR``."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tutela.core.audit import command_line_user
from tutela.rostering.services import run_enabled_targets


@db_periodic_task(crontab(hour=str(settings.TUTELA_SYNC_HOUR), minute="17"))
def nightly_sync_task() -> None:
    # At night, after the SIS's own nightly import, so the learning systems get today's families.
    run_enabled_targets(actor=command_line_user())
