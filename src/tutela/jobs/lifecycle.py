"""The one lifecycle of every long-running job: started, beating, finished or failed.

A job's writes are one database transaction, so nothing it does is visible (and, on SQLite,
nothing else may write) until it commits. Its lifecycle is therefore written around that
transaction, never inside it until the very end:

- **started**: before the transaction, a committed record with status ``running`` (a queued
  record is claimed in one statement, so a job delivered twice runs once);
- **beating**: while it runs, a thread writes a heartbeat, and the live progress, to the job
  queue's store (its own SQLite file, or Redis), which every process can read at any moment;
- **finished**: the final record (status ``done``, totals, report) is saved *inside* the job's
  transaction, so the rows and their job commit together: a ``kill -9`` can never leave
  committed rows without their record;
- **failed**: an error rolls the transaction back and the record says why; a process that
  died says nothing, so a job whose heartbeat stops for ``TUTELA_JOB_STALE_SECONDS`` is
  marked failed with the reason, by the periodic upkeep and whenever a screen reads it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from types import TracebackType
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tutela.jobs import exclusive
from tutela.jobs.models import Job

logger = logging.getLogger(__name__)

J = TypeVar("J", bound=Job)


def _store() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def _key(job: Job) -> str:
    # The database's name keeps two districts (or two test runs) on one Redis apart.
    database = connection.settings_dict["NAME"]
    return f"tutela.job.{database}.{job._meta.label_lower}.{job.pk}"


def stale_seconds() -> float:
    return float(settings.TUTELA_JOB_STALE_SECONDS)


def beat_interval() -> float:
    """How often a running job beats: several times within the stale limit."""
    return max(0.1, min(10.0, stale_seconds() / 5))


def live_state(job: Job) -> dict[str, Any]:
    """What the running job last said: ``done``, ``total``, ``phase``, ``waiting`` and
    ``beat`` (a Unix time); empty when it said nothing (or has finished)."""
    try:
        state = _store().get(_key(job), peek=True)
    except Exception:  # the queue's store is down: the job's record still answers
        logger.warning("the job queue's store cannot be read", exc_info=True)
        return {}
    return state if isinstance(state, dict) else {}


def _clear(job: Job) -> None:
    try:
        _store().delete(_key(job))
    except Exception:
        logger.warning("the job queue's store cannot be written", exc_info=True)


class Running:
    """A job's heartbeat and live progress while this process runs it (a context manager).

    A thread beats every ``beat_interval()`` seconds, so a job busy in one long statement
    still beats; the process dying stops it, which is what the stale check looks for.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self._state: dict[str, Any] = {"done": 0, "total": 0, "phase": "", "waiting": ""}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat {job}", daemon=True)

    def progress(self, done: int, total: int, phase: str = "") -> None:
        with self._lock:
            self._state.update(done=done, total=total, waiting="")
            if phase:
                self._state["phase"] = phase
            self._write()

    def phase(self, name: str) -> None:
        """Say which step the job has reached (``"writing: contact inserted"``)."""
        with self._lock:
            self._state["phase"] = name
            self._write()

    def waiting(self, message: str) -> None:
        """Say what the job waits for (``"waiting for import 12 to finish"``)."""
        with self._lock:
            self._state["waiting"] = message
            self._write()

    def _write(self) -> None:
        self._state["beat"] = time.time()
        try:
            _store().put(_key(self.job), dict(self._state))
        except Exception:
            logger.warning("the job queue's store cannot be written", exc_info=True)

    def _beat(self) -> None:
        while not self._stop.wait(beat_interval()):
            with self._lock:
                self._write()

    def __enter__(self) -> Running:
        with self._lock:
            self._write()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self.job.finished:  # the record now says it all
            _clear(self.job)


def start(job: J) -> J:
    """Record ``job`` (new, or queued) as started, committed before its work begins."""
    now = timezone.now()
    job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
    job.save()
    return job


def claim(job: Job) -> bool:
    """Start the queued ``job`` in one statement; ``False`` if it is not queued any more (a
    queue delivering a task twice, even to two workers at once, runs it once)."""
    now = timezone.now()
    claimed = (
        type(job)
        ._default_manager.filter(pk=job.pk, status=Job.Status.QUEUED)
        .update(status=Job.Status.RUNNING, started_at=now, heartbeat_at=now)
    )
    if claimed:
        job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
    return bool(claimed)


class AlreadyRun(Exception):
    """A queued job that another delivery of its task has already claimed."""


@contextmanager
def running(
    job: Job,
    *,
    bulk: bool = True,
    on_wait: Callable[[str], None] | None = None,
    refused: tuple[type[Exception], ...] = (),
) -> Iterator[Running]:
    """Run ``job`` in the block: wait for the bulk-job lock (``bulk``), start the job (or claim
    it, if it is a queued record), beat until the block ends, and mark the job failed with the
    error if the block raises. The block saves the final record with ``finish`` inside its
    own transaction. ``AlreadyRun``: a queued job that was claimed by another delivery.

    A ``refused`` error (a file refused as a whole) leaves no record of a job started here, as
    if it had never started; a queued record (someone is watching it) says why it failed.
    """
    queued = job.pk is not None
    waiting = Running(job)

    def wait(message: str) -> None:
        if queued:  # a job not yet recorded says it on the command line only
            waiting.waiting(message)
        if on_wait:
            on_wait(message)

    with exclusive.one_at_a_time(wait) if bulk else nullcontext():
        if queued:
            if not claim(job):
                raise AlreadyRun(job.label)
        else:
            start(job)
        if bulk:
            exclusive.announce(job)
        with Running(job) as beating:
            try:
                yield beating
            except BaseException as error:
                if not isinstance(error, refused):
                    fail(job, failure_reason(error))
                elif queued:
                    fail(job, str(error))
                else:
                    _clear(job)
                    job.delete()
                raise


def finish(job: Job) -> None:
    """Save the final record; called inside the job's own transaction, so that it commits
    with the job's rows or not at all."""
    job.status, job.finished_at, job.error = Job.Status.DONE, timezone.now(), ""
    job.save()


def fail(job: Job, reason: str) -> None:
    """Mark a started job failed with ``reason`` (after its transaction rolled back)."""
    job.status, job.error, job.finished_at = Job.Status.FAILED, reason[:500], timezone.now()
    type(job)._default_manager.filter(
        pk=job.pk, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
    ).update(status=job.status, error=job.error, finished_at=job.finished_at)
    _clear(job)


def failure_reason(error: BaseException) -> str:
    return f"{error.__class__.__name__}: {error}"


def silent_for(job: Job, now: float | None = None) -> float | None:
    """Seconds since a running job last beat (``None``: it is not running)."""
    if job.status != Job.Status.RUNNING:
        return None
    beats = [live_state(job).get("beat") or 0.0]
    if job.heartbeat_at is not None:
        beats.append(job.heartbeat_at.timestamp())
    return (time.time() if now is None else now) - max(beats)


def stale_reason(silence: float) -> str:
    return (
        f"stopped: no heartbeat for {round(silence)} s (TUTELA_JOB_STALE_SECONDS is "
        f"{round(stale_seconds())}); the process running it ended, and nothing it was "
        "writing was kept"
    )


def refreshed(job: J, now: float | None = None) -> J:
    """``job``, marked failed first if its heartbeat has stopped: what a screen shows."""
    silence = silent_for(job, now)
    if silence is not None and silence > stale_seconds():
        fail(job, stale_reason(silence))
    return job


def job_models() -> Iterable[type[Job]]:
    """Every kind of job record (each app's concrete ``Job``)."""
    return [model for model in apps.get_models() if issubclass(model, Job)]


def mark_stale_jobs(now: float | None = None) -> list[str]:
    """Mark failed every running job whose heartbeat has stopped; the ones marked."""
    marked = []
    for model in job_models():
        for job in model._default_manager.filter(status=Job.Status.RUNNING):
            if refreshed(job, now).status == Job.Status.FAILED:
                marked.append(job.label)
    return marked
