"""A file imported slice by slice decides exactly as it would in one slice.

The engine plans and writes ``SLICE_ROWS`` rows' groups at a time; these files are built so
that their rules cross the slices' boundaries when the slices are forced small: a group whose
rows are at both ends of the file, students, phones and usernames shared by groups in
different slices, a rejected group between accepted ones.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from tutela.core.audit import command_line_user
from tutela.core.spill import LEFT_FOR
from tutela.imports import engine
from tutela.imports.contacts.importer import ContactImporter
from tutela.imports.runner import run_import
from tutela.people.export import export_contacts
from tutela.people.models import Contact, Phone, Student, StudentContact

pytestmark = pytest.mark.django_db

H = [
    "ID",
    "Identifier",
    "LastName",
    "EmailAddress",
    "PhoneNumber",
    "StudentNumber",
    "ContactPriorityOrder",
    "OriginalContactType",
    "Access Account User Name",
    "Access Account Email Address",
]


def row(ident: str, number: str = "", **values: str) -> list[str]:
    cells = dict.fromkeys(H, "")
    cells.update({"Identifier": ident, "LastName": ident, "StudentNumber": number})
    cells.update(values)
    return [cells[h] for h in H]


class _Undo(Exception):
    """Rolls a run back so the same file can be imported again into the same database."""


def imported(path: Path, slice_rows: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """Every row's result and what the database holds after importing ``path`` in slices of
    ``slice_rows`` rows; then the database as it was before."""
    monkeypatch.setattr(engine, "SLICE_ROWS", slice_rows)
    try:
        with transaction.atomic():
            result = run_import(ContactImporter(), path, actor=command_line_user())
            held = _held()
            raise _Undo
    except _Undo:
        pass
    return [row.as_json() for row in result.rows], held


def _held() -> list[dict[str, Any]]:
    """Every contact's exported rows without the record ids (a rolled-back run's ids are not
    given out again on PostgreSQL), and each student's contacts in order."""
    rows = [_without_ids(exported) for exported in export_contacts()]
    orders = list(
        StudentContact.objects.order_by(
            "student__student_number", "contact_priority_order"
        ).values_list("student__student_number", "contact__last_name", "contact_priority_order")
    )
    return [*rows, {"orders": orders, "phones": Phone.objects.count()}]


def _without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            name: _without_ids(inner)
            for name, inner in value.items()
            if name != "id" and not name.endswith("_id")
        }
    if isinstance(value, list):
        return [_without_ids(inner) for inner in value]
    return value


@pytest.fixture
def district(db: None) -> dict[str, Student]:
    from tests.factories import SchoolFactory

    school = SchoolFactory.create(school_number="10")
    return {
        number: Student.objects.create(
            student_number=number, first_name=f"Kid{number}", last_name="Lee", school=school
        )
        for number in ("1001", "1002", "1003")
    }


def test_a_sliced_import_decides_exactly_as_one_slice(
    csv_file: Callable[..., Path],
    district: dict[str, Student],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    existing = Contact.objects.create(last_name="Old")
    StudentContact.objects.create(
        student=district["1003"], contact=existing, contact_priority_order=1
    )
    path = csv_file(
        [
            H,
            # A group split across the file: its first row here, its last at the very end.
            row("Split", "1001", EmailAddress="split@example.org", ContactPriorityOrder="1"),
            # A student shared by groups in different slices: the earlier claims priority 1.
            row("Early", "1002", ContactPriorityOrder="1", OriginalContactType="mother"),
            row("Early", "", PhoneNumber="555-010-0001"),
            row("Bad", "1002", EmailAddress="not an email"),
            row("Bad", "1003"),
            row("Named", "1001", **{"Access Account User Name": "pat"}),
            row("Named", "", **{"Access Account Email Address": "pat@example.org"}),
            row("Late", "1002", ContactPriorityOrder="1"),
            row("Later", "1002", OriginalContactType="mother"),
            row("Twin", "1002", PhoneNumber="(555) 010-0001", ContactPriorityOrder="2"),
            row(
                "Taken",
                "1003",
                **{
                    "Access Account User Name": "PAT",
                    "Access Account Email Address": "t@example.org",
                },
            ),
            row("", "1003", ID=str(existing.pk), LastName="Older", ContactPriorityOrder="2"),
            row("Split", "1003", PhoneNumber="555-010-0001"),
        ]
    )
    whole = imported(path, 1_000_000, monkeypatch)
    for size in (1, 2, 3):
        assert imported(path, size, monkeypatch) == whole, f"slices of {size} rows"
    results, held = whole
    # The file's rules held across the slices (the comparison above is what matters; this
    # says the file exercises them).
    errors = {r["row"]: r["errors"] for r in results if r["status"] == "rejected"}
    assert errors == {
        5: [
            "EmailAddress 'not an email': is not a valid email address (An email address must "
            "have an @-sign.)"
        ],
        6: ["not imported because related row 5 has an error"],
        9: [
            "ContactPriorityOrder '1': row 3 already puts another contact at that position for "
            "student '1002'"
        ],
        10: ["OriginalContactType 'mother': student '1002' already has a mother contact"],
        12: ["Access Account User Name 'PAT': Username not available"],
    }
    assert held[-1]["orders"] == [
        ("1001", "Split", 1),
        ("1001", "Named", 2),
        ("1002", "Early", 1),
        ("1002", "Twin", 2),
        ("1003", "Older", 2),
        ("1003", "Split", 3),
    ]
    assert held[-1]["phones"] == 1  # Twin's number is Early's, written a slice before


def test_a_run_sliced_small_is_one_transaction(
    csv_file: Callable[..., Path],
    district: dict[str, Student],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A dry run sliced small writes nothing, though each slice wrote before the next."""
    monkeypatch.setattr(engine, "SLICE_ROWS", 1)
    path = csv_file([H, row("One", "1001"), row("Two", "1002"), row("Three", "1003")])
    result = run_import(ContactImporter(), path, actor=command_line_user(), dry_run=True)
    assert [r.outcome for r in result.rows] == ["added", "added", "added"]
    assert not Contact.objects.exists()


def test_a_sliced_run_keeps_one_slice_of_results_and_spills_the_rest_privately(
    csv_file: Callable[..., Path],
    district: dict[str, Student],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    monkeypatch.setattr(engine, "SLICE_ROWS", 1)
    seen: list[tuple[int, int, Path | None]] = []
    apply = ContactImporter.apply

    def watched(self: ContactImporter, groups: list[Any], context: Any) -> None:
        result = context.result
        seen.append((result.held, sum(len(g.rows) for g in groups), result.spill_path))
        apply(self, groups, context)

    monkeypatch.setattr(ContactImporter, "apply", watched)
    names = ["P0", "P1", "P1", "P2", "P3", "P4"]
    path = csv_file([H, *(row(name, "1001") for name in names), row("Bad", "x")])
    result = run_import(ContactImporter(), path, actor=command_line_user())
    # While each slice (one group) was applied, memory held that slice's rows, none settled
    # before it; the rest were on disk.
    assert [(held, rows) for held, rows, _ in seen] == [(1, 1), (2, 2), *[(1, 1)] * 4]
    assert [spill is None for _, _, spill in seen] == [True, *[False] * 5]
    assert result.held == 0
    spill = result.spill_path
    assert spill is not None and spill.parent == Path(settings.TUTELA_HOME) / "import-rows"
    assert stat.S_IMODE(spill.stat().st_mode) == 0o600
    assert [(r.row, r.group, r.outcome) for r in result.rows] == [
        *((n + 2, name, "added") for n, name in enumerate(names)),
        (8, "Bad", "rejected"),
    ]
    assert result.totals()["rows"] == 7 and result.totals()["rejected_groups"] == 1
    result.close()
    assert not spill.exists()
    assert result.totals()["groups"] == 6  # the totals outlive the spilled rows


def test_a_result_dropped_unclosed_or_a_failed_run_leaves_no_spill(
    csv_file: Callable[..., Path],
    district: dict[str, Student],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.TUTELA_HOME = tmp_path
    monkeypatch.setattr(engine, "SLICE_ROWS", 1)
    path = csv_file([H, row("One", "1001"), row("Two", "1002")])
    result = run_import(ContactImporter(), path, actor=command_line_user(), dry_run=True)
    spill = result.spill_path
    assert spill is not None and spill.exists()
    del result
    assert not spill.exists()

    apply = ContactImporter.apply

    def broken(self: ContactImporter, groups: list[Any], context: Any) -> None:
        if context.result.spill_path is not None:  # a slice after the first was spilled
            raise RuntimeError("the database went away")
        apply(self, groups, context)

    monkeypatch.setattr(ContactImporter, "apply", broken)
    with pytest.raises(RuntimeError):
        run_import(ContactImporter(), path, actor=command_line_user())
    assert list(spill.parent.iterdir()) == []


def test_a_run_deletes_the_spills_that_killed_runs_left_a_day_ago(
    csv_file: Callable[..., Path],
    district: dict[str, Student],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.TUTELA_HOME = tmp_path
    folder = tmp_path / "import-rows"
    folder.mkdir()
    killed, going = folder / "killed.jsonl", folder / "going.jsonl"
    for left in (killed, going):
        left.write_text("[]\n")
    day_ago = time.time() - LEFT_FOR - 60
    os.utime(killed, (day_ago, day_ago))
    path = csv_file([H, row("One", "1001")])
    with run_import(ContactImporter(), path, actor=command_line_user(), dry_run=True):
        assert not killed.exists() and going.exists()
