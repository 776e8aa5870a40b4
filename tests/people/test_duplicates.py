"""Finding duplicate contacts: each evidence rule finds its pair, decisions stick, scope holds."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.cast import Cast, parent
from tests.conftest import Run
from tests.factories import ContactFactory, StudentFactory
from tutela.core.audit import command_line_user
from tutela.people.duplicates import address_key, find_duplicates, fold, name_sound
from tutela.people.models import Contact, NotDuplicates
from tutela.people.services import (
    ServiceError,
    add_address,
    add_email,
    add_phone,
    link_student,
    mark_not_duplicates,
)

pytestmark = pytest.mark.django_db


def pairs_of(contact: Contact) -> list[tuple[int, int]]:
    return [
        (p.a, p.b) for p in find_duplicates(actor=command_line_user()) if contact.pk in (p.a, p.b)
    ]


def test_folding_and_sounds_ignore_case_accents_and_spelling() -> None:
    assert fold("  JOSÉ  Núñez-Ortiz ") == "jose nunez ortiz"
    assert name_sound("Smith") == name_sound("Smyth") == "s530"
    assert name_sound("Catherine") == name_sound("Cathryn")
    assert address_key("12 Oak Street", "", "Grand Bend", "78834") == address_key(
        "12 oak st.", "", "GRAND BEND", "78834-1234"
    )


def test_the_same_email_in_another_case_pairs_two_contacts(cast: Cast) -> None:
    twin = ContactFactory.create(first_name="Hana", last_name="Hill")
    add_email(actor=command_line_user(), contact=twin, address="HANA@example.org")
    [pair] = find_duplicates(actor=command_line_user())
    assert (pair.a, pair.b) == (cast.hana_contact.pk, twin.pk)
    assert "same email hana@example.org" in pair.evidence
    assert 0 < pair.score <= 1


def test_the_same_phone_digits_and_last_name_pair_two_contacts(cast: Cast) -> None:
    twin = ContactFactory.create(first_name="Hanna", last_name="HILL")
    add_phone(actor=command_line_user(), contact=twin, number="(555) 0101")
    assert pairs_of(twin) == [(cast.hana_contact.pk, twin.pk)]


def test_a_shared_phone_with_another_first_name_is_a_household_not_a_duplicate(
    cast: Cast,
) -> None:
    husband = ContactFactory.create(first_name="Oscar", last_name="Hill")
    add_phone(actor=command_line_user(), contact=husband, number="555-0101")
    assert pairs_of(husband) == []


def test_the_same_address_and_similar_names_pair_two_contacts() -> None:
    one = ContactFactory.create(first_name="José", last_name="Núñez")
    other = ContactFactory.create(first_name="Jose", last_name="Nunez")
    far = ContactFactory.create(first_name="Ana", last_name="Nunez")
    for contact, street in ((one, "12 Oak Street"), (other, "12 oak st"), (far, "12 Oak St")):
        add_address(actor=command_line_user(), contact=contact, street=street, city="Grand Bend")
    [pair] = find_duplicates(actor=command_line_user())
    assert (pair.a, pair.b) == (one.pk, other.pk)
    assert any(e.startswith("same address") for e in pair.evidence)


def test_the_same_state_contact_id_pairs_two_contacts() -> None:
    one = ContactFactory.create(first_name="Ruth", last_name="Ortiz", state_contact_id="TX-9")
    other = ContactFactory.create(first_name="Ruthie", last_name="Ortiz", state_contact_id="tx-9")
    [pair] = find_duplicates(actor=command_line_user())
    assert (pair.a, pair.b) == (one.pk, other.pk)
    assert "same state contact ID" in pair.evidence


def test_a_pair_marked_not_duplicates_is_not_listed_again(cast: Cast) -> None:
    twin = ContactFactory.create(first_name="Hana", last_name="Hill")
    add_email(actor=command_line_user(), contact=twin, address="hana@example.org")
    decision = mark_not_duplicates(actor=cast.dana, one=twin, other=cast.hana_contact)
    assert (decision.contact_a_id, decision.contact_b_id) == (cast.hana_contact.pk, twin.pk)
    assert find_duplicates(actor=command_line_user()) == []
    again = mark_not_duplicates(actor=cast.dana, one=cast.hana_contact, other=twin)
    assert again.pk == decision.pk and NotDuplicates.objects.count() == 1


def test_only_staff_who_may_open_both_contacts_mark_them(cast: Cast) -> None:
    with pytest.raises(ServiceError):
        mark_not_duplicates(actor=cast.sam, one=cast.leo_contact, other=cast.hana_contact)
    with pytest.raises(ServiceError):
        mark_not_duplicates(actor=cast.dana, one=cast.leo_contact, other=cast.leo_contact)


def test_a_school_admin_sees_pairs_whose_contacts_both_touch_their_schools(cast: Cast) -> None:
    """Sam (Lakeside) sees Leo's twin, linked to Lila, but not Hana's, which is Hillcrest's."""
    leo_twin = parent(first="Leo", last="Lake", email="leo@example.org", phone="555-9999")
    link_student(actor=command_line_user(), contact=leo_twin, student=cast.lila)
    hana_twin = parent(first="Hana", last="Hill", email="hana@example.org", phone="555-9998")
    link_student(actor=command_line_user(), contact=hana_twin, student=cast.lila)
    seen = {(p.a, p.b) for p in find_duplicates(actor=cast.sam)}
    assert seen == {(cast.leo_contact.pk, leo_twin.pk)}
    everything = {(p.a, p.b) for p in find_duplicates(actor=cast.dana)}
    assert everything == seen | {(cast.hana_contact.pk, hana_twin.pk)}
    hillcrest = {(p.a, p.b) for p in find_duplicates(actor=cast.dana, school=cast.hillcrest)}
    assert hillcrest == set()


def test_find_prints_json_and_writes_a_report(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twin = ContactFactory.create(first_name="", last_name="=Hill")
    add_email(actor=command_line_user(), contact=twin, address="hana@example.org")
    report = tmp_path / "pairs.csv"
    call_command("duplicates", "find", "--json", "--report", str(report))
    body = json.loads(capsys.readouterr().out)
    [pair] = body["pairs"]
    assert set(pair) == {"a", "b", "score", "evidence"}
    assert (pair["a"], pair["b"]) == (cast.hana_contact.pk, twin.pk)
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["A", "A Name", "B", "B Name", "Score", "Evidence"]
    assert rows[1][3] == "'=Hill"


def test_find_for_one_school_and_a_school_that_does_not_exist(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    leo_twin = parent(first="Leo", last="Lake", email="leo@example.org", phone="555-9999")
    link_student(actor=command_line_user(), contact=leo_twin, student=cast.lila)
    call_command("duplicates", "find", "--school", "20")
    out = capsys.readouterr().out
    assert f"{cast.leo_contact.pk} Leo Lake ~ {leo_twin.pk} Leo Lake" in out
    assert "1 possible duplicate pairs" in out
    call_command("duplicates", "find", "--school", "10")
    assert "0 possible duplicate pairs" in capsys.readouterr().out


def test_find_refuses_an_unknown_school_and_an_unwritable_report(
    tutela: Callable[..., Run], tmp_path: Path
) -> None:
    run = tutela("duplicates", "find", "--school", "999")
    assert run.code == 2 and "--school 999: no school with that number" in run.err
    run = tutela("duplicates", "find", "--report", str(tmp_path / "no" / "pairs.csv"))
    assert run.code == 2 and "does not exist" in run.err


def test_the_search_does_not_pair_a_student_link_alone() -> None:
    student = StudentFactory.create()
    for first in ("Ann", "Bea"):
        contact = ContactFactory.create(first_name=first, last_name="Shared")
        link_student(actor=command_line_user(), contact=contact, student=student)
    assert find_duplicates(actor=command_line_user()) == []
