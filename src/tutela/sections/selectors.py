"""Which sections a person may see: district code managers all of them, a teacher their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tutela.sections.models import Section

EXPORT_ALL_PERMISSION = "accesscodes.export_access_codes"


def sections_visible_to(*, user: Any) -> QuerySet[Section]:
    """Every section for those who may export any code; otherwise the sections a user teaches."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Section.objects.none()
    if user.has_perm(EXPORT_ALL_PERMISSION):
        return Section.objects.all()
    return Section.objects.filter(teachers=user)
