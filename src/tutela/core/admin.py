"""Admin pages for records people read but never edit here: logs and audit trails."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and (where allowed) delete; the records are written by the services only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditTrailAdmin(ReadOnlyAdmin):
    """An audit trail: nobody deletes from it through the admin either."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
