"""The generated district's planted duplicates: only when asked for, each kind of evidence in
turn, and each found by the duplicate search."""

from __future__ import annotations

import pytest

from tutela.core.audit import command_line_user
from tutela.people.duplicates import find_duplicates
from tutela.people.models import Contact
from tutela.sampledata.district import PLANTED_KINDS, generate_district
from tutela.sampledata.load import load_district


def people(students: int, duplicates: int = 0) -> list[tuple[str, str, list[str]]]:
    district = generate_district(students, duplicates=duplicates)
    return [
        (g.key, g.first_name, g.emails)
        for family in district.families
        for g in family.guardians
        if not g.duplicate_of
    ]


def test_the_district_is_unchanged_without_planted_duplicates() -> None:
    district = generate_district(200)
    assert not any(g.duplicate_of for f in district.families for g in f.guardians)
    # Planting draws from its own random numbers: everyone else is generated as before.
    assert [p[:2] for p in people(200, duplicates=20)] == [p[:2] for p in people(200)]


@pytest.mark.django_db
def test_each_kind_of_planted_duplicate_is_found_by_the_search() -> None:
    district = generate_district(300, duplicates=24)
    guardians = [g for family in district.families for g in family.guardians]
    copies = [g for g in guardians if g.duplicate_of]
    assert len(copies) == 24
    assert {g.planted_by for g in copies} == set(PLANTED_KINDS)
    load_district(district)
    contact_of = {
        g.key: pk
        for g, pk in zip(
            guardians, Contact.objects.order_by("pk").values_list("pk", flat=True), strict=True
        )
    }
    listed = {(p.a, p.b): p for p in find_duplicates(actor=command_line_user())}
    for copy in copies:
        a, b = sorted((contact_of[copy.duplicate_of], contact_of[copy.key]))
        pair = (a, b)
        assert pair in listed, copy.planted_by
        evidence = " ".join(listed[pair].evidence)
        word = {"state_id": "state contact ID"}.get(copy.planted_by, copy.planted_by)
        assert f"same {word}" in evidence, (copy.planted_by, evidence)
