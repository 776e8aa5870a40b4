"""A job's row results as rows of a table, so the results page reads one page at a time.

The job keeps every row's result in one gzipped document (``ImportJob.row_results``), which a
267,819-row job takes most of a second to decode. The results page lists fifty rows at a
time, filtered by outcome, from ``ImportRowResult`` instead: written once, in bulk, as the run
ends and before it is recorded done (a command-line job's when its results page is first
opened).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import IntegrityError, connection, transaction

from tutela.core.bulk import chunks, insert_rows
from tutela.imports.models import ImportJob, ImportRowResult

FIELDS = ("job_id", "row", "group", "outcome", "messages")
# After this many rows PostgreSQL is asked to refresh the table's statistics: a fresh table has
# none, and its planner then sorted a whole job's rows to show fifty (hundreds of ms).
ANALYZE_AFTER = 10_000


def row_words(row: dict[str, Any]) -> str:
    """A row's messages in one cell: its errors when rejected, else what it did."""
    if row.get("status") == "rejected":
        return "; ".join(row.get("errors") or [])
    return str(row.get("message", ""))


def index_rows(job: ImportJob, rows: Iterable[dict[str, Any]]) -> None:
    """Write ``rows`` (each row's ``as_json()``) as the job's ``ImportRowResult`` rows."""
    values: Iterator[tuple[Any, ...]] = (
        (job.pk, row["row"], row["group"], row["outcome"] or "", row_words(row)) for row in rows
    )
    written = 0
    try:
        with transaction.atomic():
            for batch in chunks(values):
                insert_rows(ImportRowResult, FIELDS, batch, may_drop_indexes=False)
                written += len(batch)
    except IntegrityError:
        return  # another request indexed the same job first: its rows are the same
    if written >= ANALYZE_AFTER and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(ImportRowResult._meta.db_table)}")


def indexed(job: ImportJob) -> ImportJob:
    """``job``, its row results written as rows if they were not yet (a command-line job)."""
    if not ImportRowResult.objects.filter(job=job).exists():
        full = ImportJob.objects.only("row_results_gz").get(pk=job.pk)
        index_rows(job, full.each_row_result())
    return job
