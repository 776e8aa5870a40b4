"""Class sections in the Django admin, for browsing what ``tutela import sections`` loaded."""

from __future__ import annotations

from django.contrib import admin

from tutela.sections.models import Section


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("section_id", "name", "school")
    list_filter = ("school",)
    search_fields = ("section_id", "name")
    raw_id_fields = ("students",)
    filter_horizontal = ("teachers",)
