"""Template context every page needs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def district(request: HttpRequest) -> dict[str, Any]:
    """The district's name, and the time zone every date on the page is shown in."""
    return {
        "district_name": settings.TUTELA_DISTRICT_NAME,
        "district_time_zone": settings.TIME_ZONE,
    }
