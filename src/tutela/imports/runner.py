"""Running an import: read the file, run the engine in one transaction, record the job.

The job is recorded as started before the transaction and finished inside it, with a heartbeat
between (``tutela.jobs.lifecycle``); one bulk job runs at a time (``tutela.jobs.exclusive``).

The CLI, the web upload and background jobs all come through ``run_import`` so a dry run is the
very same code path as a real one, rolled back at the end.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import transaction

from tutela.accounts.scopes import Actor
from tutela.core.audit import account_of, actor_name, audited
from tutela.core.tabular import FileProblem, Table
from tutela.imports.engine import ImportContext, ImportKind, Progress, run_kind
from tutela.imports.mapping import resolved
from tutela.imports.models import ImportJob
from tutela.imports.results import ImportResult
from tutela.imports.rows import index_rows
from tutela.jobs import lifecycle


class _RollBack(Exception):
    pass


def sha256_of(path: Path) -> str:
    """The file's checksum; a folder's is over its files' names and contents, in name order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the length of an import.

    An import makes hundreds of thousands of small records without reference cycles (rows,
    their results, the job record's JSON): the collector would only walk them again and again,
    a third of a big import's run time when measured. Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_import(
    kind: ImportKind[Any],
    path: Path,
    *,
    actor: Actor,
    dry_run: bool = False,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    job: ImportJob | None = None,
    on_wait: Callable[[str], None] | None = None,
    mapping: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import ``path`` as ``kind`` for ``actor``; ``FileProblem`` means nothing was written.

    ``options`` are the kind's own (recorded on the job, and read by the kind); the job's id
    is the result's ``job``. ``job`` is a queued record to run (from the web); without it a
    new one is recorded (``lifecycle.AlreadyRun``: the queued one was run by another delivery).
    One bulk job runs at a time: a second one waits, and ``on_wait`` is told what it waits
    for (``"waiting for import 12 to finish"``). ``mapping`` is the person's own column mapping
    (``imports.mapping``: file header -> field, empty: ignored), recorded on the job. The
    caller closes the result once it has read its rows (they may be spilled to a file).
    """
    chosen = resolved(kind, mapping or {})
    if mapping:
        options = {**(options or {}), "mapping": dict(mapping)}
    with _collector_paused():
        return _run_import(
            kind, path, actor, dry_run, options or {}, progress, job, on_wait, chosen
        )


def _run_import(
    kind: ImportKind[Any],
    path: Path,
    actor: Actor,
    dry_run: bool,
    options: dict[str, Any],
    progress: Progress | None,
    queued: ImportJob | None,
    on_wait: Callable[[str], None] | None,
    chosen: dict[str, str | None],
) -> ImportResult:
    table = kind.read(path)
    result = ImportResult(kind.kind, table.headers, counter_names=kind.counter_names)
    result.log = kind.prints_log
    result.lists = {name: [] for name in kind.lists}
    job = queued or ImportJob(
        kind=kind.kind,
        actor=account_of(actor),
        actor_name=actor_name(actor),
        file_name=path.name,
        checksum=sha256_of(path),
        options={**options, "dry_run": dry_run},
        dry_run=dry_run,
    )
    try:
        with lifecycle.running(job, on_wait=on_wait, refused=(FileProblem,)) as running:
            _apply(kind, table, job, result, actor, options, running, progress, chosen)
    except BaseException:
        result.close()  # a run that failed leaves none of its rows on disk
        raise
    result.job = job.pk
    return result


def _apply(
    kind: ImportKind[Any],
    table: Table,
    job: ImportJob,
    result: ImportResult,
    actor: Actor,
    options: dict[str, Any],
    running: lifecycle.Running,
    progress: Progress | None,
    chosen: dict[str, str | None],
) -> None:
    """The rows' transaction; the job's final record is saved inside it (or, for a dry run,
    after it rolled back)."""

    def report(done: int, total: int | None) -> None:
        # While the file is read the engine counts the rows read (its total is unknown).
        running.progress(done, total or 0, "reading rows" if total is None else "importing")
        if progress:
            progress(done, total)

    context = ImportContext(
        actor=actor,
        result=result,
        options=options,
        progress=report,
        phase=running.phase,
        mapping=chosen,
    )
    try:
        with audited(actor), transaction.atomic():
            run_kind(kind, table, context)
            if not result.row_count:  # every kind: a file with nothing to import is not usable
                raise FileProblem(f"{table.path.name}: the file has a header but no data rows")
            result.dry_run = job.dry_run
            if job.dry_run:
                raise _RollBack
            _record(job, result, table.path)
    except _RollBack:
        _record(job, result, table.path)


def _record(job: ImportJob, result: ImportResult, path: Path) -> None:
    """The job's totals, every row's result and the rejected rows' cells, each streamed from
    the result's rows (a big file's are read back from their spill, never held whole)."""
    # The report reads the imported file back: rejected rows whose cells were not kept, a
    # byte-order mark to keep, and an .xlsx's cells as the workbook holds them.
    result.source = path
    job.totals = result.totals()
    job.row_results = (row.as_json() for row in result.rows)
    job.keep_rejected_rows(result.headers, result.rejected_cells())
    if job.options.get("upload"):
        # A run from the imports screen: its results page opens the moment the job is done,
        # so its rows are written first (a command-line job's wait for that page).
        index_rows(job, (row.as_json() for row in result.rows))
    lifecycle.finish(job)
