"""The code-entry audit trail in the Django admin, read-only.

Access codes themselves are not in the admin: they are downloaded through the scoped CSV export,
never browsed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tutela.accesscodes.models import AddressBlock, CodeAttempt, PendingLink


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CodeAttempt)
class CodeAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "remote_address", "account", "purpose", "outcome", "student")
    list_filter = ("outcome", "purpose")
    search_fields = ("remote_address",)
    exclude = ("entry_digest",)


@admin.register(AddressBlock)
class AddressBlockAdmin(admin.ModelAdmin):
    list_display = ("remote_address", "created_at", "blocked_until", "distinct_failures")
    search_fields = ("remote_address",)


@admin.register(PendingLink)
class PendingLinkAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "student", "contact", "status", "decided_by", "decided_at")
    list_filter = ("status",)
