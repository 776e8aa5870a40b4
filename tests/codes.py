"""Reading the district codes a record refers to, in assertions."""

from __future__ import annotations

from tutela.people.models import Code


def code_of(code: Code | None) -> str | None:
    """The code a nullable code reference holds; ``None`` when it holds none."""
    return None if code is None else code.code
