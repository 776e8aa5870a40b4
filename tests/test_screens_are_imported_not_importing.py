"""Screens (staff, portal) import domain apps, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import tutela

DOMAIN_APPS = ("people", "accounts", "imports", "provisioning", "accesscodes", "sections")
SCREENS = ("tutela.staff", "tutela.portal")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_domain_app_imports_a_screen_app() -> None:
    root = Path(tutela.__file__).parent
    offending = [
        f"{path.relative_to(root)} imports {name}"
        for app in DOMAIN_APPS
        for path in sorted((root / app).rglob("*.py"))
        for name in sorted(_imports(path))
        if name.startswith(SCREENS)
    ]
    assert offending == []
