"""The staff menu for the site's header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tutela.staff.navigation import MenuLink, staff_menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    def menu() -> list[MenuLink]:
        """Built only when a page shows it, so pages without a header menu cost no query."""
        return staff_menu(getattr(request, "user", None))

    return {"staff_menu": menu}
