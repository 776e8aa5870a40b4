"""A job's downloads after the run: its rejected rows as the file had them, with an
``Errors`` column (the same report as ``tutela import --report``), to fix and upload again."""

from __future__ import annotations

from pathlib import Path

from tutela.core.tabular import TEXT_SUFFIXES, XLSX_SUFFIXES
from tutela.imports.models import ImportJob, ImportRowResult
from tutela.imports.results import ImportResult, RowResult


def report_suffix(job: ImportJob) -> str:
    """The imported file's own format: a CSV, a tab-delimited text file or a workbook."""
    suffix = Path(job.file_name).suffix.lower()
    return suffix if suffix in TEXT_SUFFIXES or suffix in XLSX_SUFFIXES else ".csv"


def write_rejected_rows(job: ImportJob, path: Path, *, source: Path | None) -> int:
    """Write the job's rejected rows to ``path`` (its suffix picks the format); ``source`` is
    the imported file while it is kept (a workbook's numbers and dates come back as they
    were; a CSV keeps its byte-order mark). Returns how many rows."""
    kept = ImportJob.objects.only("rejected_rows_gz").get(pk=job.pk).rejected_rows
    result = ImportResult(job.kind, kept["headers"])
    result.source = source if source is not None and source.is_file() else None
    cells = kept["rows"]
    rejected = ImportRowResult.objects.filter(job=job, outcome="rejected").order_by("row")
    rows = [
        RowResult(
            row=number,
            group=group,
            cells=cells.get(number, []),
            status="rejected",
            errors=[words] if words else [],
            outcome="rejected",
        )
        for number, group, words in rejected.values_list("row", "group", "messages").iterator()
    ]
    for row in rows:
        result.add(row)
    result.tally.settle(rows)
    result.write_report(path)
    return result.row_count
