"""axe-core accessibility checks for the browser suite.

axe-core comes from the project's own npm install (``scripts/ensure-axe``, pinned in
``package-lock.json``) and is evaluated in the page through the browser's debugging protocol, so
the site's Content-Security-Policy stays as strict as in production and no CDN is ever asked.
Every rule axe-core runs by default applies (WCAG 2.x A and AA and its best practices).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@cache
def _axe_source() -> str:
    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE} (run scripts/ensure-axe)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(f"ACCESSIBILITY CHECK NOT RUN: {message}")
    return AXE.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (each with its rule id and nodes)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate("async () => await window.axe.run(document)")
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"]
        )
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """Fail with every axe-core violation on the page, each with the elements at fault."""
    found = violations(page)
    assert not found, f"axe-core found violations on {page.url}:\n{describe(found)}"
