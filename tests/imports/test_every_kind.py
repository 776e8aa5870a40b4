"""Rules every kind of ``tutela import`` shares, checked for each kind the command offers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tutela.imports import accounts as account_imports
from tutela.imports import parents, sections, students
from tutela.imports.models import ImportJob
from tutela.imports.registry import importers

pytestmark = pytest.mark.django_db

# The columns each kind cannot do without: a header of them and nothing else.
HEADERS = {
    "students": list(students.REQUIRED),
    "contacts": ["Identifier", "LastName"],
    "accounts": list(account_imports.ACCOUNT_REQUIRED),
    "account-students": list(account_imports.LINK_REQUIRED),
    "sections": list(sections.REQUIRED),
    "parents": [*parents.REQUIRED, "Email"],
    "associations": ["Parent Unique ID", "Child Unique ID"],
}


def test_every_kind_is_covered() -> None:
    assert set(HEADERS) == {kind for kind, found in importers().items() if found.spreadsheet}


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_a_file_with_only_a_header_is_refused(
    tutela: Callable[..., Run], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(",".join(HEADERS[kind]) + "\n\n")
    run = tutela("import", kind, str(path), "--json")
    assert run.code == 2, (run.out, run.err)
    assert run.err == f"tutela: {kind}.csv: the file has a header but no data rows\n"
    assert run.out == ""
    assert not ImportJob.objects.exists()
