"""The code-entry audit trail in the Django admin, read-only, and the restricted-student queue,
view only (a school admin decides it on the staff screen, where the parent is told).

Access codes themselves are not in the admin: they are downloaded through the scoped CSV export,
never browsed.
"""

from __future__ import annotations

from django.contrib import admin

from tutela.accesscodes.models import AccessCodeJob, AddressBlock, CodeAttempt, PendingLink
from tutela.core.admin import ReadOnlyAdmin, ViewOnlyAdmin


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
class PendingLinkAdmin(ViewOnlyAdmin):
    list_display = ("created_at", "student", "contact", "status", "decided_by", "decided_at")
    list_filter = ("status",)


@admin.register(AccessCodeJob)
class AccessCodeJobAdmin(ViewOnlyAdmin):
    """The record of each bulk issue of codes (never the codes themselves)."""

    list_display = ("started_at", "action", "scope", "actor_name", "issued", "status")
    list_filter = ("action", "status")
