"""The AutoCreate staff screens: start a run (a simulation by default), watch it, download its
plan, and edit and preview the email templates. Thin adapters over the services."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path
from typing import TextIO

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tutela.accounts.access import district_admin_required
from tutela.accounts.models import Account
from tutela.core.audit import audited
from tutela.core.spreadsheets import restored
from tutela.core.tabular import FileProblem
from tutela.notifications.email import render_email
from tutela.provisioning.emails import EmailChoice, preview_context
from tutela.provisioning.forms import AutoCreateForm, EmailTemplateForm
from tutela.provisioning.jobs import start_autocreate_job
from tutela.provisioning.models import AutoCreateJob
from tutela.provisioning.progress import job_progress
from tutela.provisioning.selection import Selection, read_student_numbers
from tutela.provisioning.selectors import (
    jobs_visible_to,
    preview_recipient,
    templates_visible_to,
)
from tutela.provisioning.services import selection_of

SHOWN_LINES = 200


@district_admin_required
@require_http_methods(["GET", "POST"])
def autocreate(request: HttpRequest, account: Account) -> HttpResponse:
    form = AutoCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        numbers: tuple[str, ...] | None = None
        file_name = ""
        upload = data["students_file"]
        if upload is not None:
            file_name = Path(upload.name).name
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"students{Path(upload.name).suffix.lower()}"
                with path.open("wb") as handle:
                    for block in upload.chunks():
                        handle.write(block)
                try:
                    numbers = read_student_numbers(path)
                except FileProblem as problem:
                    form.add_error("students_file", str(problem).replace(str(path), file_name))
        if not form.errors:
            school = data["school"]
            job = start_autocreate_job(
                selection=Selection(
                    school=school.school_number if school else "",
                    grades=data["grades"],
                    student_numbers=numbers,
                    file_name=file_name,
                ),
                actor=account,
                simulate=data["simulate"],
                emails=EmailChoice(
                    created=data["created_template"],
                    attached=data["attached_template"],
                    language=data["email_language"],
                ),
            )
            return redirect("provisioning:job", job_id=job.pk)
    jobs = list(jobs_visible_to(actor=account)[:20])
    return render(request, "provisioning/autocreate.html", {"form": form, "jobs": jobs})


@district_admin_required
@require_GET
def job_detail(request: HttpRequest, account: Account, job_id: int) -> HttpResponse:
    job = get_object_or_404(jobs_visible_to(actor=account), pk=job_id)
    report = None
    if job.status == AutoCreateJob.Status.DONE:
        full = get_object_or_404(AutoCreateJob.objects.only("plan_csv_gz"), pk=job.pk)
        with full.open_plan_csv() as plan:
            report = _report_lines(plan)
    return render(
        request,
        "provisioning/job.html",
        {
            "job": job,
            "progress": job_progress(job),
            "selection": selection_of(job).describe(),
            "lines": report[0] if report else [],
            "more_lines": report[1] if report else 0,
        },
    )


def _report_lines(plan: TextIO) -> tuple[list[list[str]], int]:
    """The first lines of the saved plan for the page; the CSV download has them all."""
    import csv

    rows = csv.reader(plan)
    next(rows, None)
    shown: list[list[str]] = []
    total = 0
    for row in rows:
        if not row:
            break  # plans saved before the CSV was one table end their lines at a blank row
        total += 1
        if len(shown) < SHOWN_LINES:
            shown.append(restored(row))  # the page shows the names as typed
    return shown, max(0, total - len(shown))


@district_admin_required
@require_GET
def job_progress_json(request: HttpRequest, account: Account, job_id: int) -> JsonResponse:
    """What the job page polls: status, phase, done of total, totals when finished."""
    job = get_object_or_404(jobs_visible_to(actor=account), pk=job_id)
    return JsonResponse(job_progress(job))


@district_admin_required
@require_GET
def job_plan_csv(request: HttpRequest, account: Account, job_id: int) -> HttpResponseBase:
    job = get_object_or_404(jobs_visible_to(actor=account).defer(None), pk=job_id)
    if job.status != AutoCreateJob.Status.DONE:
        return HttpResponse("The plan is ready when the job is done.", status=409)
    mode = "simulation" if job.simulate else "run"
    plan = job.open_plan_csv()
    # Streamed as it is decompressed: a district's plan is too big to hold as one string.
    response = StreamingHttpResponse(
        iter(partial(plan.read, 1 << 16), ""), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="autocreate-{mode}-{job.pk}.csv"'
    return response


@district_admin_required
@require_POST
def job_run_for_real(request: HttpRequest, account: Account, job_id: int) -> HttpResponse:
    """After reviewing a simulation: the same selection and emails, for real."""
    job = get_object_or_404(jobs_visible_to(actor=account), pk=job_id, simulate=True)
    real = _again(job, account, simulate=False)
    messages.success(request, "AutoCreate started for real with the simulated selection.")
    return redirect("provisioning:job", job_id=real.pk)


@district_admin_required
@require_POST
def job_retry(request: HttpRequest, account: Account, job_id: int) -> HttpResponse:
    """A failed run (its worker stopped, or an error): the same run again, as a new job.

    The failed run wrote nothing (its writes were one transaction), so running it again is
    safe; the failed record stays, with its reason."""
    job = get_object_or_404(
        jobs_visible_to(actor=account), pk=job_id, status=AutoCreateJob.Status.FAILED
    )
    again = _again(job, account, simulate=job.simulate)
    messages.success(request, f"AutoCreate #{job.pk} started again as #{again.pk}.")
    return redirect("provisioning:job", job_id=again.pk)


def _again(job: AutoCreateJob, account: Account, *, simulate: bool) -> AutoCreateJob:
    """A new job with ``job``'s students and emails."""
    return start_autocreate_job(
        selection=selection_of(job),
        actor=account,
        simulate=simulate,
        emails=EmailChoice(
            created=job.created_template,
            attached=job.attached_template,
            language=job.email_language,
        ),
    )


@district_admin_required
@require_GET
def template_list(request: HttpRequest, account: Account) -> HttpResponse:
    return render(
        request,
        "provisioning/templates.html",
        {"templates": templates_visible_to(actor=account)},
    )


@district_admin_required
@require_http_methods(["GET", "POST"])
def template_edit(
    request: HttpRequest, account: Account, template_id: int | None = None
) -> HttpResponse:
    template = (
        get_object_or_404(templates_visible_to(actor=account), pk=template_id)
        if template_id is not None
        else None
    )
    form = EmailTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        with audited(account), transaction.atomic():
            saved = form.save()
        messages.success(request, f"Template {saved.name} saved.")
        return redirect("provisioning:template", template_id=saved.pk)
    preview = None
    recipient = None
    if template is not None:
        contact_id = request.GET.get("contact", "")
        recipient = preview_recipient(
            actor=account, contact_id=int(contact_id) if contact_id.isdigit() else None
        )
        if recipient is not None:
            rendered = render_email(template, preview_context(recipient))
            preview = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
    return render(
        request,
        "provisioning/template_edit.html",
        {"form": form, "template": template, "preview": preview, "recipient": recipient},
    )
