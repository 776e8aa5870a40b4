"""The docs speak of the product: every app on the map, no source file names or ticket numbers."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = sorted(path.parent.name for path in (ROOT / "src" / "tutela").glob("*/apps.py"))
DOCS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])


@pytest.mark.parametrize("page", ["CONTRIBUTING.md", "docs/architecture.md"])
def test_every_app_is_on_the_map(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    assert [app for app in APPS if f"{app}/" not in text] == []


@pytest.mark.parametrize("path", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_a_page_names_the_specification_not_a_source_file_or_a_ticket(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"\bseeds?\b|\bissue \d+|\b\d{3}_[a-z]+", text, flags=re.IGNORECASE)
    assert found == []


def test_the_readme_and_contributing_link_the_architecture() -> None:
    for page in ("README.md", "CONTRIBUTING.md"):
        assert "docs/architecture.md" in (ROOT / page).read_text(encoding="utf-8")
