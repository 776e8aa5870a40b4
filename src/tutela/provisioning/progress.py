"""Live progress of an AutoCreate job (``core.progress``), as its staff screen shows it."""

from __future__ import annotations

from typing import Any

from tutela.core import progress
from tutela.provisioning.models import AutoCreateJob


def _key(job_id: int) -> str:
    return f"tutela.autocreate.progress.{job_id}"


def save_progress(job_id: int, *, done: int, total: int, phase: str) -> None:
    progress.save_progress(_key(job_id), done=done, total=total, phase=phase)


def clear_progress(job_id: int) -> None:
    progress.clear_progress(_key(job_id))


def job_progress(job: AutoCreateJob) -> dict[str, Any]:
    """What a staff screen shows: status, phase, done of total, and the totals when done."""
    state: dict[str, Any] = {"done": job.done, "total": job.total, "phase": job.phase}
    if job.status == AutoCreateJob.Status.RUNNING:
        state.update(progress.live_progress(_key(job.pk)) or {})
    total = state["total"] or 0
    return {
        "id": job.pk,
        "status": job.status,
        "simulate": job.simulate,
        "phase": state["phase"],
        "done": state["done"],
        "total": total,
        "percent": progress.percent(state["done"], total, finished=job.finished),
        "finished": job.finished,
        "totals": job.totals,
        "error": job.error,
    }
