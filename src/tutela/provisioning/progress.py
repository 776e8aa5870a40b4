"""Live progress of an AutoCreate job, kept beside the job queue rather than in the database.

A real run writes inside one database transaction, so a progress column updated from inside
it would be invisible to the staff screen until the very end (and, on SQLite, would wait for the
run's own write lock). Huey's key-value store lives in the queue's storage (its own SQLite file,
or Redis), which every web worker can read while the run is going.
"""

from __future__ import annotations

from typing import Any

from tutela.provisioning.models import AutoCreateJob


def _key(job_id: int) -> str:
    return f"tutela.autocreate.progress.{job_id}"


def _huey() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def save_progress(job_id: int, *, done: int, total: int, phase: str) -> None:
    _huey().put(_key(job_id), {"done": done, "total": total, "phase": phase})


def clear_progress(job_id: int) -> None:
    _huey().delete(_key(job_id))


def job_progress(job: AutoCreateJob) -> dict[str, Any]:
    """What a staff screen shows: status, phase, done of total, and the totals when done."""
    state: dict[str, Any] = {"done": job.done, "total": job.total, "phase": job.phase}
    if job.status == AutoCreateJob.Status.RUNNING:
        live = _huey().get(_key(job.pk), peek=True)
        if isinstance(live, dict):
            state.update(live)
    total = state["total"] or 0
    percent = round(100 * state["done"] / total) if total else (100 if job.finished else 0)
    return {
        "id": job.pk,
        "status": job.status,
        "simulate": job.simulate,
        "phase": state["phase"],
        "done": state["done"],
        "total": total,
        "percent": percent,
        "finished": job.finished,
        "totals": job.totals,
        "error": job.error,
    }
