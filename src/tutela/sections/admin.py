"""Class sections in the Django admin, view only: for browsing what ``tutela import sections``
loaded (a section names its students, so it changes only through the import)."""

from __future__ import annotations

from django.contrib import admin

from tutela.core.admin import ViewOnlyAdmin
from tutela.sections.models import Section


@admin.register(Section)
class SectionAdmin(ViewOnlyAdmin):
    list_display = ("section_id", "name", "school")
    list_filter = ("school",)
    search_fields = ("section_id", "name")
    raw_id_fields = ("students",)
    filter_horizontal = ("teachers",)
