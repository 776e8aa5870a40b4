"""sourcedIds: given once, kept for good, unique across kinds."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from tutela.core.bulk import CHUNK
from tutela.rostering.identifiers import sourced_ids, usable
from tutela.rostering.models import SourcedId, SourcedKind

pytestmark = pytest.mark.django_db


def test_an_object_gets_the_id_it_would_like_and_keeps_it() -> None:
    assert sourced_ids(SourcedKind.CONTACT, {7: "PRNT_778393"}) == {7: "PRNT_778393"}
    # Its Unique ID changed since: the learning system still knows it by the first one.
    assert sourced_ids(SourcedKind.CONTACT, {7: "P-2"}) == {7: "PRNT_778393"}


def test_an_id_with_characters_the_binding_refuses_is_replaced_by_a_uuid() -> None:
    given = sourced_ids(SourcedKind.CONTACT, {1: "has space", 2: "é", 3: ""})
    assert all(usable(value) and len(value) == 36 for value in given.values())
    assert len(set(given.values())) == 3


def test_an_id_another_object_holds_is_not_given_twice() -> None:
    student = sourced_ids(SourcedKind.STUDENT, {1: "1001"})
    contact = sourced_ids(SourcedKind.CONTACT, {1: "1001", 2: "1001"})
    assert student == {1: "1001"}
    assert "1001" not in contact.values() and len(set(contact.values())) == 2


def test_a_district_already_given_its_ids_reads_them_in_a_few_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    preferred = {pk: f"S{pk}" for pk in range(1, 12_001)}
    assert sourced_ids(SourcedKind.STUDENT, preferred) == preferred
    assert SourcedId.objects.filter(kind=SourcedKind.STUDENT).count() == 12_000
    with django_assert_max_num_queries(3):
        assert sourced_ids(SourcedKind.STUDENT, preferred) == preferred


def test_new_ids_are_written_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[int] = []
    bulk_create = SourcedId.objects.bulk_create

    def counted(objs: list[SourcedId], **options: Any) -> list[SourcedId]:
        written.append(len(objs))
        return bulk_create(objs, **options)

    monkeypatch.setattr(SourcedId.objects, "bulk_create", counted)
    preferred = {pk: f"S{pk}" for pk in range(1, 12_001)}
    assert sourced_ids(SourcedKind.STUDENT, preferred) == preferred
    assert sum(written) == 12_000 and max(written) <= CHUNK


@pytest.mark.parametrize(
    ("candidate", "ok"),
    [("a.b_c/d@e-f9", True), ("a b", False), ("", False), ("x" * 256, False), ("ü", False)],
)
def test_usable(candidate: str, ok: bool) -> None:
    assert usable(candidate) is ok
