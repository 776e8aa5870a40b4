"""Data migrations carry their own data: they import nothing from Tutela outside migrations.

A data migration runs on every new database for as long as Tutela exists. If it read the shipped
code sets or email templates from the application, a later edit there would silently change what
an old migration does (and a migration already applied elsewhere would not be run again).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tutela

SRC = Path(tutela.__file__).resolve().parent
MIGRATIONS = sorted(SRC.glob("*/migrations/[0-9]*.py"))


def _is_data_migration(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Attribute) and node.attr in ("RunPython", "RunSQL")
        for node in ast.walk(tree)
    )


def _imported_modules(tree: ast.Module) -> list[str]:
    """Every module the file imports: import statements and import_module("...") calls."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.append(str(node.args[0].value))
    return names


def _reaches_live_code(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tutela" and not (len(parts) >= 3 and parts[2] == "migrations")


DATA_MIGRATIONS = [
    path for path in MIGRATIONS if _is_data_migration(ast.parse(path.read_text(encoding="utf-8")))
]


def test_the_data_migrations_are_found() -> None:
    names = {f"{path.parent.parent.name}.{path.stem}" for path in DATA_MIGRATIONS}
    assert {"people.0002_default_code_sets", "provisioning.0002_default_email_templates"} <= names


@pytest.mark.parametrize(
    "path", DATA_MIGRATIONS, ids=[f"{p.parent.parent.name}.{p.stem}" for p in DATA_MIGRATIONS]
)
def test_a_data_migration_imports_nothing_from_tutela_outside_migrations(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    live = [name for name in _imported_modules(tree) if _reaches_live_code(name)]
    assert live == [], f"{path.relative_to(SRC)} imports live code: {live}"


def test_the_check_sees_an_import_of_live_code() -> None:
    tree = ast.parse(
        "from tutela.people.codesets import DEFAULT_CODES\n"
        "import tutela.provisioning.emails\n"
        "shipped = import_module('tutela.provisioning.migrations.0002_default_email_templates')\n"
    )
    found = [name for name in _imported_modules(tree) if _reaches_live_code(name)]
    assert found == ["tutela.people.codesets", "tutela.provisioning.emails"]
