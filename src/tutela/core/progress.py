"""Live progress of a background job, kept beside the job queue rather than in the database.

A real run writes inside one database transaction, so a progress column updated from inside
it would be invisible to the staff screen until the very end (and, on SQLite, would wait for the
run's own write lock). Huey's key-value store lives in the queue's storage (its own SQLite file,
or Redis), which every web worker can read while the run is going. AutoCreate and the imports
screen both report here, and their pages poll it through the same script (``tutela/job.js``).
"""

from __future__ import annotations

from typing import Any


def _huey() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def save_progress(key: str, *, done: int, total: int, phase: str) -> None:
    _huey().put(key, {"done": done, "total": total, "phase": phase})


def live_progress(key: str) -> dict[str, Any] | None:
    """What the running job last reported (``done``, ``total``, ``phase``), if anything."""
    live = _huey().get(key, peek=True)
    return live if isinstance(live, dict) else None


def clear_progress(key: str) -> None:
    _huey().delete(key)


def percent(done: int, total: int, *, finished: bool) -> int:
    """How far along, for a ``<progress max="100">``."""
    if total:
        return min(100, round(100 * done / total))
    return 100 if finished else 0
