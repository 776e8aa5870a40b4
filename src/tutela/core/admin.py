"""Admin pages for records people read but never edit here: logs, audit trails, people data."""

from __future__ import annotations

from typing import Any

from auditlog import admin as auditlog_admin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest

from tutela.core.audit import ACTOR_KEY


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and (where allowed) delete; the records are written by the services only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyAdmin(ReadOnlyAdmin):
    """Browse only, for every account whatever its permissions: audit trails, and the people
    data that only the services change (with an audit actor, the district's rules and errors
    a person can read), whichever screen or command the change comes from."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyInline(admin.TabularInline):
    """The related rows on a view-only page, view-only too."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LogEntryAdmin(auditlog_admin.LogEntryAdmin):
    """auditlog's own pages, naming the command-line user where auditlog would say "system"."""

    @admin.display(description="User")
    def user_url(self, obj: LogEntry) -> str:
        data = obj.additional_data if isinstance(obj.additional_data, dict) else {}
        if obj.actor_id is None and data.get(ACTOR_KEY):
            return str(data[ACTOR_KEY])
        return str(super().user_url(obj))


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, LogEntryAdmin)
