"""Whether pages should offer registration and Add Child with a code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def access_codes(request: HttpRequest) -> dict[str, Any]:
    def teaches_sections() -> bool:
        """A signed-in teacher who is not staff: the menu offers their sections' codes.
        Called by the template only where it matters, so other pages cost no query."""
        from tutela.accounts.scopes import Scope

        return Scope.of(getattr(request, "user", None)).sections().exists()

    return {
        "access_codes_enabled": settings.ACCESS_CODES_ENABLED,
        "teaches_sections": teaches_sections,
    }
