"""AutoCreate in slices of students: one slice's lines in memory, the rest spilled privately,
and the same plan whatever the slice size."""

from __future__ import annotations

import gzip
import stat
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.provisioning.helpers import guardian, student
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.provisioning import plan as plan_module
from tutela.provisioning.plan import AutoCreateReport
from tutela.provisioning.selection import Selection
from tutela.provisioning.services import run_autocreate

pytestmark = pytest.mark.django_db


def district() -> None:
    """Siblings far apart in number order (a guardian in two slices), two guardians on one
    email in two slices, an existing account, a guardian with no email."""
    first, middle, last = student("1001"), student("1002"), student("1003")
    guardian("Maria", "Lopez", "maria@example.org", students=(first, last))
    guardian("Ana", "Ruiz", "same@example.org", students=(first,))
    guardian("Eva", "Ruiz", "SAME@example.org", students=(last,))
    owner = guardian("Rosa", "Diaz", "rosa@example.org", students=(middle,))
    Account.objects.create(username="rosa@example.org", email="rosa@example.org", contact=owner)
    guardian("Juan", "Diaz", None, students=(middle,))


def plan_of(report: AutoCreateReport) -> tuple[Any, ...]:
    return report.totals(), list(report.lines), report.duplicates, report.csv_gz()


def test_a_run_in_slices_of_one_student_makes_the_plan_of_one_slice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    district()
    whole = run_autocreate(selection=Selection(), actor=command_line_user(), simulate=True)
    monkeypatch.setattr(plan_module, "SLICE", 1)
    sliced = run_autocreate(selection=Selection(), actor=command_line_user(), simulate=True)
    real = run_autocreate(selection=Selection(), actor=command_line_user())

    expected = plan_of(whole)
    assert gzip.decompress(expected[3]) == gzip.decompress(plan_of(sliced)[3])
    assert plan_of(sliced)[:3] == plan_of(real)[:3] == expected[:3]
    maria = [
        (line.student, line.action, line.reason)
        for line in real.lines
        if line.email == "maria@example.org"
    ]
    assert maria == [
        ("1001", "create", "new account for the contact's primary email"),
        ("1003", "attach", "student added to the account created for this contact"),
    ]
    shared = [line.reason for line in real.lines if line.email.lower() == "same@example.org"]
    assert len(shared) == 2 and all("also the primary email of contact" in r for r in shared)
    assert Account.objects.filter(username="maria@example.org").count() == 1
    assert Account.objects.count() == 2


def test_a_sliced_run_holds_one_slice_of_lines_and_spills_the_rest_privately(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    district()
    monkeypatch.setattr(plan_module, "SLICE", 1)
    seen: list[tuple[int, Path | None]] = []
    add = AutoCreateReport.add

    def watch(report: AutoCreateReport, lines: list[Any]) -> None:
        add(report, lines)
        seen.append((report.held, report.spill_path))

    monkeypatch.setattr(AutoCreateReport, "add", watch)

    report = run_autocreate(selection=Selection(), actor=command_line_user())

    # A slice per student, each with two guardians.
    assert [held for held, _ in seen] == [2, 2, 2]
    assert [spill is None for _, spill in seen] == [True, False, False]
    spill = report.spill_path
    assert spill is not None and spill.parent == Path(settings.TUTELA_HOME) / "autocreate-lines"
    assert stat.S_IMODE(spill.stat().st_mode) == 0o600
    assert len(list(report.lines)) == report.totals()["lines"] == 6
    report.close()
    assert not spill.exists()
    assert report.totals()["lines"] == 6  # the totals outlive the spilled lines
