"""A job's downloads: the rejected rows in the imported file's format with an ``Errors``
column, and every row's result as CSV."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.core.spreadsheets import csv_writer
from tutela.imports.reports import report_suffix, write_rejected_rows
from tutela.imports.rows import indexed
from tutela.imports.selectors import job_rows, upload_of_job
from tutela.imports.uploads import stored_path, upload_folder
from tutela.staff.imports.views import attachment, download_name, visible_job

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".txt": "text/tab-separated-values; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@staff_required
@require_GET
def rejected_rows(request: HttpRequest, account: Account, job_id: int) -> HttpResponse:
    job = indexed(visible_job(account, job_id))
    suffix = report_suffix(job)
    upload = upload_of_job(job=job, actor=account)
    source = stored_path(upload) if upload is not None else None
    # Written in a private folder of the data folder, read back, and removed: it holds
    # children's data.
    with tempfile.TemporaryDirectory(dir=upload_folder()) as folder:
        path = Path(folder) / f"rejected{suffix}"
        write_rejected_rows(job, path, source=source)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=CONTENT_TYPES[suffix])
    return attachment(response, download_name(job, "rejected", suffix))


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required
@require_GET
def all_rows(request: HttpRequest, account: Account, job_id: int) -> StreamingHttpResponse:
    job = indexed(visible_job(account, job_id))
    writer = csv_writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(["Row", "Group", "Outcome", "Messages"])
        found = job_rows(job=job).values_list("row", "group", "outcome", "messages")
        for row, group, outcome, words in found.iterator(chunk_size=5000):
            yield writer.writerow([row, group, outcome, words])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(job, "rows", ".csv")}"'
    return response
