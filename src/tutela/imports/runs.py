"""Running an uploaded file: its preview (the engine's dry run) and its real run, in the
background, with live progress of the rows read.

``start_run`` records which run the upload waits for; the screens queue it
(``imports.jobs``), and the queue's task calls ``execute_run``, which goes through
``run_import`` like the command line, with the upload's column mapping and its uploader as
the actor. The progress (rows read of the rows in the file) is kept beside the queue
(``core.progress``) where every web worker reads it while the run holds its transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from tutela.accounts.scopes import Actor
from tutela.core import progress
from tutela.core.audit import audited, command_line_user
from tutela.core.tabular import FileProblem
from tutela.imports.models import ImportJob, ImportUpload
from tutela.imports.registry import importers
from tutela.imports.rows import index_rows
from tutela.imports.runner import run_import
from tutela.imports.uploads import in_words, stored_path

logger = logging.getLogger(__name__)

Run = ImportUpload.Run


class RunRefused(Exception):
    """The run cannot start (one is going, or the file was already imported)."""


def progress_key(upload_id: int) -> str:
    return f"tutela.imports.progress.{upload_id}"


def start_run(*, upload: ImportUpload, actor: Actor, dry_run: bool) -> ImportUpload:
    """Record that ``upload`` waits for its preview (``dry_run``) or its real run."""
    with audited(actor), transaction.atomic():
        locked = ImportUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.running:
            raise RunRefused(f"the {locked.running} of {locked.file_name} is still going")
        if locked.imported_id is not None:
            raise RunRefused(f"{locked.file_name} was imported already: upload it again")
        if not dry_run and locked.preview_id is None:
            raise RunRefused(f"preview {locked.file_name} before importing it")
        locked.running = Run.PREVIEW if dry_run else Run.IMPORT
        locked.error = ""
        locked.save(update_fields=["running", "error"])
    progress.save_progress(progress_key(upload.pk), done=0, total=locked.rows, phase="queued")
    return locked


def execute_run(*, upload_id: int) -> ImportJob | None:
    """Run what ``upload_id`` waits for; its job, or ``None`` if the file could not be used
    (the upload's ``error`` then says why, and nothing was written)."""
    upload = ImportUpload.objects.select_related("actor").get(pk=upload_id)
    if not upload.running:
        return None
    dry_run = upload.running == Run.PREVIEW
    actor = upload.actor
    key = progress_key(upload.pk)
    total = upload.rows

    def report(done: int, of: int | None) -> None:
        # The engine reports rows read (``of`` unknown); the kind's later steps count the
        # same rows again: the bar stays full while the rows are checked and saved.
        phase = "reading rows" if of is None else ("checking" if dry_run else "saving")
        progress.save_progress(
            key, done=min(done, total) if of is None else total, total=total, phase=phase
        )

    path = stored_path(upload)
    job: ImportJob | None = None
    error = ""
    try:
        if actor is None or not actor.is_active:
            raise FileProblem("the account that uploaded the file can no longer import")
        result = run_import(
            importers()[upload.kind],
            path,
            actor=actor,
            dry_run=dry_run,
            options={"upload": upload.pk},
            progress=report,
            mapping=upload.pairs,
            file_name=upload.file_name,
        )
        assert result.job is not None
        job = ImportJob.objects.defer("row_results_gz", "rejected_rows_gz").get(pk=result.job)
        index_rows(job, (row.as_json() for row in result.rows))
    except FileProblem as problem:
        error = in_words(problem, path, upload.file_name)
    except Exception:
        logger.exception("the %s of upload %s failed", upload.running, upload.pk)
        error = "The run stopped with an unexpected error; nothing was saved. Try it again."
    finally:
        progress.clear_progress(key)
    _finished(upload, actor, job, dry_run, error)
    return job


def _finished(
    upload: ImportUpload, actor: Any, job: ImportJob | None, dry_run: bool, error: str
) -> None:
    with audited(actor or command_line_user()), transaction.atomic():
        upload.running = Run.NONE
        upload.error = error
        if job is not None and dry_run:
            upload.preview = job
        elif job is not None:
            upload.imported = job
        upload.save(update_fields=["running", "error", "preview", "imported"])


def run_progress(upload: ImportUpload) -> dict[str, Any]:
    """What the progress page and its script show: phase, rows done of total, finished."""
    finished = not upload.running
    state = (progress.live_progress(progress_key(upload.pk)) if not finished else None) or {}
    done = state.get("done", upload.rows if finished else 0)
    total = state.get("total", upload.rows)
    return {
        "id": upload.pk,
        "status": "finished" if finished else "running",
        "phase": state.get("phase", "" if finished else "queued"),
        "done": done,
        "total": total,
        "percent": progress.percent(done, total, finished=finished),
        "finished": finished,
        "error": upload.error,
    }
