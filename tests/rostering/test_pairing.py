"""Who is whose agent, held as arrays: the same answers as a dict of lists each way."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from tests.cast import Cast
from tutela.core.audit import command_line_user
from tutela.people.services import link_student
from tutela.rostering.exports.pairing import Pairing, keys
from tutela.rostering.exports.roster import build_roster


def pairing_of(pairs: list[tuple[int, int]]) -> Pairing:
    contacts, students = keys(), keys()
    for contact, student in sorted(pairs):
        contacts.append(contact)
        students.append(student)
    return Pairing(contacts, students)


def test_it_answers_as_a_dict_of_lists_each_way_would() -> None:
    chance = random.Random(7)
    pairs = list({(chance.randrange(1, 400), chance.randrange(1, 600)) for _ in range(2_000)})
    children: defaultdict[int, list[int]] = defaultdict(list)
    agents: defaultdict[int, list[int]] = defaultdict(list)
    for contact, student in sorted(pairs):
        children[contact].append(student)
        agents[student].append(contact)
    pairing = pairing_of(pairs)
    assert len(pairing) == len(pairs)
    assert list(pairing) == sorted(pairs)
    assert pairing.contacts() == sorted(children)
    for contact in range(402):
        assert list(pairing.children_of(contact)) == children.get(contact, [])
        assert (contact in pairing) is (contact in children)
    for student in range(602):
        assert list(pairing.agents_of(student)) == agents.get(student, [])


def test_an_empty_pairing_shares_no_one() -> None:
    pairing = pairing_of([])
    assert list(pairing) == [] and pairing.contacts() == []
    assert list(pairing.children_of(1)) == [] and list(pairing.agents_of(1)) == []
    assert 1 not in pairing and "1" not in pairing


@pytest.mark.django_db
def test_the_roster_holds_each_parent_once_with_its_strongest_role(cast: Cast) -> None:
    # Leo is Lila's father and, granted too, Holly's guardian: a parent still.
    link_student(
        actor=command_line_user(),
        contact=cast.leo_contact,
        student=cast.holly,
        relationship_type="Guardian",
        allow_data_access=True,
    )
    roster = build_roster()
    leo, hana = cast.leo_contact.pk, cast.hana_contact.pk
    assert roster.parent_contacts() == sorted([leo, hana])
    assert list(roster.pairing.children_of(leo)) == sorted([cast.lila.pk, cast.holly.pk])
    assert list(roster.pairing.agents_of(cast.holly.pk)) == sorted([leo, hana])
    assert roster.role(leo) == "parent" and roster.role(hana) == "parent"
    assert cast.una_contact.pk not in roster.pairing
