"""Reading the import jobs, scoped by who is asking.

An import job names a file and counts its rows, but its row results hold the district's
records; so district-wide staff see every job, other staff only the imports they ran.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor, Scope
from tutela.imports.models import ImportJob


def import_jobs_visible_to(*, actor: Actor) -> QuerySet[ImportJob]:
    """The import jobs ``actor`` may see, newest first, without their stored rows."""
    jobs = ImportJob.objects.defer("row_results_gz", "rejected_rows_gz").order_by("-started_at")
    scope = Scope.of(actor)
    if scope.is_district_admin:
        return jobs
    if scope.staff and isinstance(actor, Account):
        return jobs.filter(actor=actor)
    return jobs.none()
