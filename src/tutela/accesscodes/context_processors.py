"""Whether pages should offer registration and Add Child with a code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def access_codes(request: HttpRequest) -> dict[str, Any]:
    return {"access_codes_enabled": settings.ACCESS_CODES_ENABLED}
