"""Running an importer: read the file, apply it in one transaction, record the job.

The CLI, the web upload and background jobs all come through ``run_import`` so a dry run is the
very same code path as a real one, rolled back at the end.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from tutela.core.audit import actor_name, audited, command_line_user
from tutela.core.tabular import FileProblem, Table, read_table
from tutela.imports.models import ImportJob
from tutela.imports.results import ImportResult

Progress = Callable[[int, int], None]


class Importer(Protocol):
    """Turns a table into changes. It must write only inside the caller's transaction."""

    kind: str

    def run(self, table: Table, *, actor: Any, progress: Progress | None) -> ImportResult: ...


class _RollBack(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
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
    importer: Importer,
    path: Path,
    *,
    actor: Any = None,
    dry_run: bool = False,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` with ``importer``; ``FileProblem`` means nothing was written."""
    with _collector_paused():
        return _run_import(importer, path, actor, dry_run, options, progress)


def _run_import(
    importer: Importer,
    path: Path,
    actor: Any,
    dry_run: bool,
    options: dict[str, Any] | None,
    progress: Progress | None,
) -> ImportResult:
    table = read_table(path)
    started = timezone.now()
    result: ImportResult | None = None
    try:
        with audited(actor), transaction.atomic():
            result = importer.run(table, actor=actor, progress=progress)
            if not result.rows:  # every kind: a file with nothing to import is not usable
                raise FileProblem(f"{path.name}: the file has a header but no data rows")
            result.dry_run = dry_run
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    assert result is not None
    # The report reads the imported file back: rejected rows whose cells were not kept, a
    # byte-order mark to keep, and an .xlsx's cells as the workbook holds them.
    result.source = path
    job = ImportJob(
        kind=importer.kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor) or str(command_line_user()),
        file_name=path.name,
        checksum=sha256_of(path),
        options={**(options or {}), "dry_run": dry_run},
        dry_run=dry_run,
        started_at=started,
        finished_at=timezone.now(),
        totals=result.totals(),
    )
    job.row_results = [row.as_json() for row in result.rows]
    job.save()
    return result
