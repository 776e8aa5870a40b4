"""Who may import whom: screens import domain apps, never the other way round; ``core`` knows no
models (nor any other part of Tutela); and the modules once tangled in a cycle stay apart.

The source is read with ``ast``, so an import inside a function counts as much as one at the
top of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import tutela

SOURCE = Path(tutela.__file__).resolve().parent
DOMAIN_APPS = (
    "people",
    "accounts",
    "imports",
    "provisioning",
    "accesscodes",
    "sections",
    "jobs",
    "rostering",
    "privacy",
)
SCREENS = ("tutela.staff", "tutela.portal", "tutela.api")


def modules_under(folder: Path) -> Iterator[Path]:
    yield from sorted(path for path in folder.rglob("*.py") if "migrations" not in path.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_by(path: Path) -> set[str]:
    """Every module ``path`` imports, by full name (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_a_domain_app_never_imports_a_screen(app: str) -> None:
    wrong = {
        f"{module_name(path)} imports {name}"
        for path in modules_under(SOURCE / app)
        for name in imported_by(path)
        if any(within(name, screen) for screen in SCREENS)
    }
    assert not wrong, sorted(wrong)


def test_core_imports_nothing_of_tutela_but_core() -> None:
    wrong = {
        f"{module_name(path)} imports {name}"
        for path in modules_under(SOURCE / "core")
        for name in imported_by(path)
        if within(name, "tutela") and not within(name, "tutela.core")
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize(
    ("module", "never"),
    [
        ("tutela.provisioning.models", "tutela.provisioning.emails"),
        ("tutela.provisioning.services", "tutela.provisioning.tasks"),
        ("tutela.provisioning.services", "tutela.provisioning.jobs"),
    ],
)
def test_modules_that_once_formed_a_cycle_stay_apart(module: str, never: str) -> None:
    path = SOURCE.parent.joinpath(*module.split(".")).with_suffix(".py")
    assert not any(within(name, never) for name in imported_by(path))


def test_the_walk_sees_imports_inside_functions() -> None:
    """The rule would be empty if the walk missed the imports made where they are used."""
    names = imported_by(SOURCE / "accounts" / "scopes.py")
    assert "tutela.people.models" in names  # imported inside Scope's methods
