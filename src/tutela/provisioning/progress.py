"""What a staff screen shows of an AutoCreate job while it runs and once it has finished.

The live part (phase, done of total, what it waits for) is the job's live state beside the job
queue (``tutela.jobs.lifecycle``): a real run writes inside one database transaction, so a
progress column updated from inside it would be invisible until the very end.
"""

from __future__ import annotations

from typing import Any

from tutela.jobs import lifecycle
from tutela.provisioning.models import AutoCreateJob


def job_progress(job: AutoCreateJob) -> dict[str, Any]:
    """Status, phase, done of total, what it waits for, and the totals when done.

    Reading a job whose heartbeat has stopped marks it failed first, with the reason.
    """
    lifecycle.refreshed(job)
    state: dict[str, Any] = {"done": job.done, "total": job.total, "phase": job.phase}
    waiting = ""
    if not job.finished:
        live = lifecycle.live_state(job)
        state.update({k: live[k] for k in ("done", "total", "phase") if live.get(k) is not None})
        waiting = live.get("waiting") or ""
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
        "waiting": waiting,
        "retry": job.status == AutoCreateJob.Status.FAILED,
    }
