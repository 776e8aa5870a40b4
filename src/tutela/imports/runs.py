"""Running an uploaded file: its preview (the engine's dry run) and its real run, in the
background, with live progress of the rows read.

``start_run`` records the run as a queued import job (``tutela.jobs.lifecycle``: status,
heartbeat, stale runs marked failed, one bulk job at a time); the screens put it on the queue
(``imports.jobs``), and the queue's task calls ``execute_run``, which goes through
``run_import`` like the command line, with the upload's column mapping and the person who
started the run as the actor. The live progress is the job's live state beside the queue,
which every web worker reads while the run holds its transaction.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.db import transaction

from tutela.accounts.scopes import Actor
from tutela.core.audit import account_of, actor_name, audited
from tutela.core.tabular import FileProblem
from tutela.imports.models import ImportJob, ImportUpload
from tutela.imports.registry import importers
from tutela.imports.runner import run_import, sha256_of
from tutela.imports.uploads import in_words, stored_path
from tutela.jobs import lifecycle

Status = ImportJob.Status


class RunRefused(Exception):
    """The run cannot start (one is going, or the file was already imported)."""


def latest_run(upload: ImportUpload) -> ImportJob | None:
    """The upload's last run: its real run once there is one, else its preview."""
    return upload.imported or upload.preview


def start_run(*, upload: ImportUpload, actor: Actor, dry_run: bool) -> ImportJob:
    """Record ``upload``'s preview (``dry_run``) or real run as a queued import job."""
    with audited(actor), transaction.atomic():
        locked = (
            ImportUpload.objects.select_for_update(of=("self",))
            .select_related("preview", "imported")
            .get(pk=upload.pk)
        )
        going = latest_run(locked)
        if going is not None and not going.finished:
            what = "preview" if going.dry_run else "import"
            raise RunRefused(f"the {what} of {locked.file_name} is still going")
        if locked.imported is not None and locked.imported.status == Status.DONE:
            raise RunRefused(f"{locked.file_name} was imported already: upload it again")
        if not dry_run and (locked.preview is None or locked.preview.status != Status.DONE):
            raise RunRefused(f"preview {locked.file_name} before importing it")
        options: dict[str, Any] = {"upload": locked.pk, "dry_run": dry_run}
        if locked.pairs:
            options["mapping"] = dict(locked.pairs)
        job = ImportJob.objects.create(
            kind=locked.kind,
            actor=account_of(actor),
            actor_name=actor_name(actor),
            file_name=locked.file_name,
            checksum=sha256_of(stored_path(locked)),
            options=options,
            dry_run=dry_run,
        )
        if dry_run:
            locked.preview = job
        else:
            locked.imported = job
        locked.save(update_fields=["preview", "imported"])
    return job


def execute_run(*, job_id: int) -> ImportJob:
    """Run the queued job of an upload; a file the run cannot use marks it failed with why
    (``lifecycle``), and nothing is written."""
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    upload = ImportUpload.objects.filter(pk=job.options.get("upload")).first()
    actor = job.actor
    if upload is None or actor is None or not actor.is_active:
        lifecycle.fail(job, "the upload or the account that started the run is gone")
        return job
    # A refused file or a job another delivery ran is recorded on the job itself.
    with contextlib.suppress(FileProblem, lifecycle.AlreadyRun):
        run_import(
            importers()[upload.kind],
            stored_path(upload),
            actor=actor,
            dry_run=job.dry_run,
            job=job,
            mapping=upload.pairs,
        ).close()  # the job holds the results now
    return job


def run_progress(upload: ImportUpload, job: ImportJob) -> dict[str, Any]:
    """What the progress page and its script show: status, phase, rows done of total, what
    the run waits for, and why it failed (naming the file as it was uploaded)."""
    lifecycle.refreshed(job)
    live = {} if job.finished else lifecycle.live_state(job)
    total = live.get("total") or upload.rows
    done = total if job.status == Status.DONE else min(live.get("done") or 0, total)
    return {
        "id": job.pk,
        "status": job.status,
        "phase": live.get("phase") or "",
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "finished": job.finished,
        "waiting": live.get("waiting") or "",
        "error": in_words(job.error, stored_path(upload), upload.file_name),
    }
