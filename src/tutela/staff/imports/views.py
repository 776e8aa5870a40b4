"""The imports screens: thin adapters over ``tutela.imports`` (uploads, runs, selectors).

upload -> map columns -> preview (the engine's dry run, in the background) -> confirm (the
real run, in the background) -> results. Every page is for staff (``staff_required``) and
reads through the imports selectors, so a school's staff reach their own and their
colleagues' jobs and only their own uploads; anything else answers 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.core.tabular import FileProblem
from tutela.imports.jobs import queue_run
from tutela.imports.mapping import mapped_headers
from tutela.imports.models import ImportJob
from tutela.imports.registry import importers
from tutela.imports.results import OUTCOMES
from tutela.imports.rows import indexed
from tutela.imports.runs import RunRefused, latest_run, run_progress
from tutela.imports.selectors import (
    job_rows,
    jobs_visible_to,
    saved_mappings,
    upload_of_job,
    uploads_of,
)
from tutela.imports.uploads import (
    choose_mapping,
    in_words,
    save_mapping,
    saved_mapping,
    store_upload,
    stored_path,
)
from tutela.staff.imports.forms import MappingForm, UploadForm, kind_choices

PER_PAGE = 50
# A job's status in the history: its lifecycle's, a finished one told apart by its rows.
STATUSES = {
    "queued": "queued",
    "running": "running",
    "complete": "done, every row imported",
    "rejected": "done, some rows rejected",
    "failed": "failed",
}


class CountedPaginator(Paginator):
    """A paginator told how many rows there are: a job's totals already say how many rows
    had each outcome, and counting 267,819 rows again took most of the page's time."""

    def __init__(self, items: Any, per_page: int, count: int) -> None:
        super().__init__(items, per_page)
        self._known = count

    @property
    def count(self) -> int:
        return self._known


def _page(request: HttpRequest, items: Any, count: int | None = None) -> Any:
    pages = (
        Paginator(items, PER_PAGE) if count is None else CountedPaginator(items, PER_PAGE, count)
    )
    return pages.get_page(request.GET.get("page"))


def _query(request: HttpRequest, **changes: str) -> str:
    """The page's query with ``changes`` (an empty value drops the key), for filter links."""
    query = {key: value for key, value in request.GET.items() if key != "page"}
    query.update(changes)
    return urlencode({key: value for key, value in query.items() if value})


@staff_required
@require_GET
def history(request: HttpRequest, account: Account) -> HttpResponse:
    """Every job the member of staff may see, newest first, by kind and status."""
    jobs = jobs_visible_to(actor=account).order_by("-pk")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in importers():
        jobs = jobs.filter(kind=kind)
    if status == "complete":
        jobs = jobs.filter(status=ImportJob.Status.DONE, totals__rejected_groups=0)
    elif status == "rejected":
        jobs = jobs.filter(status=ImportJob.Status.DONE).exclude(totals__rejected_groups=0)
    elif status in STATUSES:
        jobs = jobs.filter(status=status)
    return render(
        request,
        "staff/imports/history.html",
        {
            "page": _page(request, jobs),
            "kinds": kind_choices(),
            "kind": kind,
            "statuses": STATUSES.items(),
            "status": status,
            "query": _query(request),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def new_import(request: HttpRequest, account: Account) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = store_upload(
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                chunks=upload.chunks(),
                actor=account,
            )
        except FileProblem as problem:
            form.add_error("file", str(problem))
        else:
            return redirect("staff:imports:map", upload_id=stored.pk)
    return render(
        request,
        "staff/imports/new.html",
        {"form": form, "upload_limit_mb": settings.TUTELA_UPLOAD_MAX_MB},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def map_columns(request: HttpRequest, account: Account, upload_id: int) -> HttpResponse:
    """Each header with the field it fills; save the mapping, then start the preview."""
    upload = get_object_or_404(uploads_of(actor=account), pk=upload_id)
    run = latest_run(upload)
    if run is not None and not run.finished:
        return redirect("staff:imports:upload", upload_id=upload.pk)
    kind = importers()[upload.kind]
    saved = saved_mappings(kind=upload.kind)
    pairs = dict(upload.pairs)
    picked = request.GET.get("mapping", "")
    if picked:
        try:
            pairs = saved_mapping(upload.kind, picked)
        except FileProblem as problem:
            messages.error(request, str(problem))
    # A kind reading its own files (a OneRoster package) has no columns to map.
    headers = mapped_headers(kind, upload.headers, pairs) if kind.spreadsheet else []
    form = MappingForm(
        request.POST or None, headers=headers, fields=list(kind.field_headers().values())
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.pairs()
        try:
            choose_mapping(upload=upload, pairs=chosen, actor=account)
            if form.cleaned_data["save_as"].strip():
                save_mapping(
                    kind=upload.kind,
                    name=form.cleaned_data["save_as"],
                    pairs=chosen,
                    actor=account,
                )
            queue_run(upload=upload, actor=account, dry_run=True)
        except (FileProblem, RunRefused) as problem:
            messages.error(request, str(problem))
        else:
            return redirect("staff:imports:upload", upload_id=upload.pk)
    columns = [
        {
            "shown": shown,
            "field": form[MappingForm.field_name(shown)],
            "sample": [
                row[shown.position] if shown.position < len(row) else "" for row in upload.sample
            ],
        }
        for shown in headers
    ]
    return render(
        request,
        "staff/imports/map.html",
        {"upload": upload, "form": form, "columns": columns, "saved": saved, "picked": picked},
    )


@staff_required
@require_GET
def upload_detail(request: HttpRequest, account: Account, upload_id: int) -> HttpResponse:
    """The run's progress while it goes; then its results (or why the file was refused)."""
    upload = get_object_or_404(uploads_of(actor=account), pk=upload_id)
    run = latest_run(upload)
    if run is None:
        return redirect("staff:imports:map", upload_id=upload.pk)
    progress = run_progress(upload, run)
    if run.status == ImportJob.Status.DONE:
        return redirect("staff:imports:job", job_id=run.pk)
    return render(
        request, "staff/imports/progress.html", {"upload": upload, "run": run, "progress": progress}
    )


@staff_required
@require_GET
def upload_progress(request: HttpRequest, account: Account, upload_id: int) -> JsonResponse:
    """What the progress page polls (``tutela/job.js``)."""
    upload = get_object_or_404(uploads_of(actor=account), pk=upload_id)
    run = latest_run(upload)
    if run is None:
        raise Http404("nothing is running")
    return JsonResponse(run_progress(upload, run))


@staff_required
@require_POST
def confirm(request: HttpRequest, account: Account, upload_id: int) -> HttpResponse:
    """After the preview: the same file and mapping, for real."""
    upload = get_object_or_404(uploads_of(actor=account), pk=upload_id)
    try:
        queue_run(upload=upload, actor=account, dry_run=False)
    except RunRefused as problem:
        messages.error(request, str(problem))
    return redirect("staff:imports:upload", upload_id=upload.pk)


@staff_required
@require_GET
def job_detail(request: HttpRequest, account: Account, job_id: int) -> HttpResponse:
    """A job's totals and its rows, a page at a time, filtered by outcome."""
    job = get_object_or_404(jobs_visible_to(actor=account), pk=job_id)
    if job.status == ImportJob.Status.DONE:
        indexed(job)
    outcomes = job.totals.get("outcomes", {})
    outcome = request.GET.get("outcome")
    if outcome is None and job.dry_run and outcomes.get("rejected"):
        outcome = "rejected"  # a preview opens on what needs fixing
    outcome = outcome if outcome in OUTCOMES else ""
    upload = upload_of_job(job=job, actor=account)
    return render(
        request,
        "staff/imports/job.html",
        {
            "job": job,
            "outcomes": [(name, outcomes.get(name, 0)) for name in OUTCOMES],
            "outcome": outcome,
            "page": _page(
                request,
                job_rows(job=job, outcome=outcome),
                outcomes.get(outcome, 0) if outcome else job.totals.get("rows", 0),
            ),
            "query": _query(request, outcome=outcome),
            "upload": upload,
            "confirmable": upload is not None
            and job.dry_run
            and job.status == ImportJob.Status.DONE
            and upload.preview_id == job.pk
            and (upload.imported is None or upload.imported.status == ImportJob.Status.FAILED),
            "rejected": outcomes.get("rejected", 0),
            "error": in_words(job.error, stored_path(upload), upload.file_name)
            if upload
            else job.error,
        },
    )


def visible_job(account: Account, job_id: int) -> ImportJob:
    job: ImportJob = get_object_or_404(jobs_visible_to(actor=account), pk=job_id)
    return job


def attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def download_name(job: ImportJob, what: str, suffix: str) -> str:
    stem = Path(job.file_name).stem.replace('"', "") or job.kind
    return f"{stem}-{what}-{job.pk}{suffix}"
