"""Files uploaded on the imports screen: stored privately, described, mapped, cleaned up.

The upload is kept under ``TUTELA_HOME/uploads/`` with mode 600 from its first byte until
``TUTELA_UPLOAD_KEEP_DAYS`` after it came: it holds children's data, and the district needs
it for the preview, the real run and the rejected rows' report (a workbook's cells as they
were). The record keeps the file's headers and first rows for the mapping screen.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tutela.accounts.scopes import Actor
from tutela.core.audit import account_of, actor_name, audited
from tutela.core.private import create_private, private_directory
from tutela.core.tabular import FileProblem
from tutela.imports.engine import ImportKind
from tutela.imports.mapping import resolved
from tutela.imports.models import ColumnMapping, ImportJob, ImportUpload
from tutela.imports.registry import importers

# How many rows the mapping screen shows under each column.
SAMPLE_ROWS = 5


def upload_folder() -> Path:
    return private_directory(Path(settings.TUTELA_HOME) / "uploads")


def stored_path(upload: ImportUpload) -> Path:
    return upload_folder() / upload.stored_name


def in_words(problem: FileProblem | str, path: Path, file_name: str) -> str:
    """A file problem naming the file as the person uploaded it, not where it is stored."""
    return str(problem).replace(str(path), file_name).replace(path.name, file_name)


def store_upload(
    *, kind: str, file_name: str, chunks: Iterable[bytes], actor: Actor
) -> ImportUpload:
    """Store an uploaded file and describe it (headers, first rows, how many rows).

    ``FileProblem`` (a type the readers cannot read, an encoding, no header...) says why,
    naming the file; the file is then not kept.
    """
    importer = importers().get(kind)
    if importer is None or not importer.upload_suffixes:
        raise FileProblem(f"there is no {kind!r} import")
    name = Path(file_name).name
    suffix = Path(name).suffix.lower()
    if suffix not in importer.upload_suffixes:
        use = (
            "use .csv (comma), .txt or .tsv (tab) or .xlsx"
            if importer.spreadsheet
            else f"use {' or '.join(importer.upload_suffixes)}"
        )
        raise FileProblem(f"{name}: unsupported file type {suffix or '(none)'!r}; {use}")
    path = upload_folder() / f"{secrets.token_hex(16)}{suffix}"
    size = 0
    try:
        with create_private(path) as handle:
            for block in chunks:
                handle.write(block)
                size += len(block)
        headers, sample, rows = _described(importer, path)
    except FileProblem as problem:
        path.unlink(missing_ok=True)
        raise FileProblem(in_words(problem, path, name)) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    with audited(actor), transaction.atomic():
        return ImportUpload.objects.create(
            kind=kind,
            file_name=name,
            stored_name=path.name,
            size=size,
            headers=headers,
            sample=sample,
            rows=rows,
            actor=account_of(actor),
            actor_name=actor_name(actor),
        )


def _described(importer: ImportKind[Any], path: Path) -> tuple[list[str], list[list[str]], int]:
    """The file read once as the import will read it: headers, first rows, row count."""
    table = importer.read(path)
    sample: list[list[str]] = []
    rows = 0
    for _, cells in table.rows:
        rows += 1
        if len(sample) < SAMPLE_ROWS:
            sample.append(cells)
    if not rows:
        raise FileProblem(f"{path.name}: the file has a header but no data rows")
    return table.headers, sample, rows


def choose_mapping(*, upload: ImportUpload, pairs: Mapping[str, str], actor: Actor) -> None:
    """Set the upload's column mapping (checked against its kind) before its preview."""
    resolved(importers()[upload.kind], pairs)
    with audited(actor), transaction.atomic():
        upload.pairs = dict(pairs)
        upload.save(update_fields=["pairs"])


def save_mapping(*, kind: str, name: str, pairs: Mapping[str, str], actor: Actor) -> ColumnMapping:
    """Save ``pairs`` under ``name`` for ``kind`` (replacing a mapping of that name)."""
    resolved(importers()[kind], pairs)
    with audited(actor), transaction.atomic():
        mapping, _ = ColumnMapping.objects.update_or_create(
            kind=kind,
            name=name.strip(),
            defaults={
                "pairs": dict(pairs),
                "saved_by": account_of(actor),
                "saved_at": timezone.now(),
            },
        )
    return mapping


def saved_mapping(kind: str, name: str) -> dict[str, str]:
    """The pairs saved under ``name`` for ``kind``; ``FileProblem`` names the known ones."""
    found = ColumnMapping.objects.filter(kind=kind, name=name.strip()).first()
    if found is None:
        names = ", ".join(ColumnMapping.objects.filter(kind=kind).values_list("name", flat=True))
        raise FileProblem(
            f"no saved {kind} mapping named {name!r}"
            + (f" (saved: {names})" if names else " (none is saved yet)")
        )
    return dict(found.pairs)


def delete_old_uploads(*, actor: Actor, now: datetime.datetime | None = None) -> int:
    """Delete the uploads older than ``TUTELA_UPLOAD_KEEP_DAYS``, and stray files as old
    (an upload whose record was never made); the job records stay. Returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TUTELA_UPLOAD_KEEP_DAYS)
    folder = upload_folder()
    going = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    old = list(
        ImportUpload.objects.filter(uploaded_at__lt=cutoff)
        .exclude(preview__status__in=going)
        .exclude(imported__status__in=going)
    )
    with audited(actor), transaction.atomic():
        for upload in old:
            upload.delete()  # one audit entry each: a handful a day
    for upload in old:
        (folder / upload.stored_name).unlink(missing_ok=True)
    known = set(ImportUpload.objects.values_list("stored_name", flat=True))
    for path in folder.iterdir():
        if path.name not in known and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
    return len(old)
