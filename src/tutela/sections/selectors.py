"""Which sections a person may see.

District-wide staff (superusers, district admins, or holders of the ``export_access_codes``
permission) see every section; school staff the sections of their schools; a teacher the
sections they teach. A teacher's account needs no schools: giving it schools makes it school
staff, who see the whole school.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tutela.sections.models import Section

EXPORT_ALL_PERMISSION = "accesscodes.export_access_codes"


def is_active_account(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def sees_whole_district(user: Any) -> bool:
    """District admins and holders of the export permission see every school and section."""
    return is_active_account(user) and bool(
        user.is_superuser
        or (getattr(user, "is_district_admin", False) and user.is_staff)
        or user.has_perm(EXPORT_ALL_PERMISSION)
    )


def school_ids_of(user: Any) -> list[int]:
    """The schools a (non-district) staff member works at; none for anyone else."""
    if not is_active_account(user) or not user.is_staff or not hasattr(user, "schools"):
        return []
    return list(user.schools.values_list("pk", flat=True))


def sections_visible_to(*, user: Any) -> QuerySet[Section]:
    """Every section for district-wide staff; else their schools' sections and those they teach."""
    if not is_active_account(user):
        return Section.objects.none()
    if sees_whole_district(user):
        return Section.objects.all()
    return Section.objects.filter(Q(teachers=user) | Q(school__in=school_ids_of(user))).distinct()
