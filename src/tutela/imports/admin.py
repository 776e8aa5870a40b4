"""Import jobs in the admin, read-only: they are the audit trail of bulk changes."""

from __future__ import annotations

from django.contrib import admin

from tutela.core.admin import ViewOnlyAdmin
from tutela.imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ViewOnlyAdmin):
    list_display = ("started_at", "kind", "file_name", "actor_name", "dry_run", "status")
    list_filter = ("kind", "dry_run", "status")
