"""Which import jobs and uploads a member of staff may see.

A district admin (and the command line) sees every job; a school admin or secretary sees their
own jobs and those of the staff of their schools (who import for the same students); anyone
else sees none. An upload, on its way from the mapping screen to its real run, is its
uploader's alone.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import account_of
from tutela.imports.models import ColumnMapping, ImportJob, ImportRowResult, ImportUpload


def jobs_visible_to(*, actor: Actor) -> QuerySet[ImportJob]:
    """The jobs ``actor`` may open, without their row results (read a page at a time)."""
    jobs = ImportJob.objects.defer("row_results_gz", "rejected_rows_gz")
    scope = Scope.of(actor)
    if scope.district_wide:
        return jobs
    account = account_of(actor)
    if account is None or not scope.staff:
        return jobs.none()
    colleagues = Q(actor__is_staff=True, actor__schools__in=scope.school_ids)
    visible = ImportJob.objects.filter(Q(actor=account) | colleagues).values("pk")
    return jobs.filter(pk__in=visible)


def uploads_of(*, actor: Actor) -> QuerySet[ImportUpload]:
    account = account_of(actor)
    if account is None or not Scope.of(actor).staff:
        return ImportUpload.objects.none()
    return ImportUpload.objects.filter(actor=account)


def upload_of_job(*, job: ImportJob, actor: Actor) -> ImportUpload | None:
    """The upload a job ran, while it is kept and it is ``actor``'s."""
    upload_id = job.options.get("upload")
    if not isinstance(upload_id, int):
        return None
    found = uploads_of(actor=actor).select_related("preview", "imported")
    return found.filter(pk=upload_id).first()


def job_rows(*, job: ImportJob, outcome: str = "") -> QuerySet[ImportRowResult]:
    """A job's row results in file order, of one outcome if given (the caller checked that
    the job is visible)."""
    # By row alone: ordering by the job would join it (its own ordering) for every page.
    rows = ImportRowResult.objects.filter(job=job).order_by("row")
    return rows.filter(outcome=outcome) if outcome else rows


def saved_mappings(*, kind: str) -> QuerySet[ColumnMapping]:
    """The district's saved mappings of one kind (every member of staff may pick them)."""
    return ColumnMapping.objects.filter(kind=kind)
