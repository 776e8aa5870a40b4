"""The one rule of what leaves Tutela for a learning system, on the named cast: Hana is Holly's
mother (granted) and Hugo's (not granted); Leo is Lila's father (granted); Una is linked to Lila
with access but has no account."""

from __future__ import annotations

import datetime

import pytest

from tests.cast import Cast
from tutela.accounts.services import disable_account
from tutela.core.audit import command_line_user
from tutela.people.models import School, StudentContact
from tutela.people.services import end_link_detail, link_student, restrict_link
from tutela.rostering.selection import (
    ceds_grade,
    oneroster_role,
    shared_links,
    shared_pairs,
    stronger_role,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def pairs(
    cast: Cast, *, schools: list[School] | None = None, day: datetime.date | None = None
) -> set[tuple[str, str, str]]:
    names = {cast.holly.pk: "holly", cast.hugo.pk: "hugo", cast.lila.pk: "lila"}
    contacts = {cast.hana_contact.pk: "hana", cast.leo_contact.pk: "leo"}
    found = shared_pairs(schools=schools, day=day)
    return {(names[p.student_id], contacts[p.contact_id], p.relationship) for p in found}


def test_only_granted_pairs_of_enabled_accounts_leave(cast: Cast) -> None:
    assert pairs(cast) == {("holly", "hana", "Mother"), ("lila", "leo", "Father")}
    assert shared_links().count() == 2


def test_a_restricted_link_does_not_leave(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=command_line_user(), link=link, kind="court-order", note="order 7")
    assert pairs(cast) == {("holly", "hana", "Mother")}


def test_a_disabled_account_takes_its_parent_out(cast: Cast) -> None:
    disable_account(actor=command_line_user(), account=cast.leo)
    assert pairs(cast) == {("holly", "hana", "Mother")}


def test_an_ended_grant_does_not_leave_after_its_end(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly)
    detail = link.details.get()
    yesterday = TODAY - datetime.timedelta(days=1)
    end_link_detail(actor=command_line_user(), detail=detail, end_date=yesterday)
    assert pairs(cast) == {("lila", "leo", "Father")}
    assert ("holly", "hana", "Mother") in pairs(cast, day=yesterday)


def test_the_pairs_are_streamed_by_contact_then_student(cast: Cast) -> None:
    link_student(
        actor=command_line_user(),
        contact=cast.leo_contact,
        student=cast.holly,
        relationship_type="Guardian",
        allow_data_access=True,
    )
    found = shared_pairs()
    assert iter(found) is found  # read as it goes, never held whole
    links = (
        shared_links().order_by("contact_id", "student_id").values_list("student_id", "contact_id")
    )
    assert [(pair.student_id, pair.contact_id) for pair in found] == list(links)


def test_limited_to_schools(cast: Cast) -> None:
    assert pairs(cast, schools=[cast.lakeside]) == {("lila", "leo", "Father")}


def test_the_relationship_of_a_pair_without_one_is_blank(cast: Cast) -> None:
    link_student(
        actor=command_line_user(),
        contact=cast.leo_contact,
        student=cast.hugo,
        allow_data_access=True,
    )
    assert ("hugo", "leo", "") in pairs(cast)


@pytest.mark.parametrize(
    ("relationships", "role"),
    [
        (["Mother"], "parent"),
        (["guardian", "FATHER"], "parent"),
        (["Parent"], "parent"),
        (["Guardian", "Aunt"], "guardian"),
        (["Grandmother"], "relative"),
        ([""], "relative"),
        ([], "relative"),
    ],
)
def test_oneroster_role(relationships: list[str], role: str) -> None:
    assert oneroster_role(relationships) == role


@pytest.mark.parametrize(
    ("role", "relationship", "stronger"),
    [
        ("relative", "Mother", "parent"),
        ("relative", "Guardian", "guardian"),
        ("guardian", "Aunt", "guardian"),
        ("guardian", "father", "parent"),
        ("parent", "Guardian", "parent"),
        ("parent", "", "parent"),
        ("relative", "", "relative"),
    ],
)
def test_a_role_held_one_pair_at_a_time_only_grows(
    role: str, relationship: str, stronger: str
) -> None:
    assert stronger_role(role, relationship) == stronger


@pytest.mark.parametrize(
    ("grade", "code"),
    [
        ("K", "KG"),
        ("0", "KG"),
        ("kg", "KG"),
        ("-1", "PK"),
        ("PK", "PK"),
        ("1", "01"),
        ("09", "09"),
        ("12", "12"),
        ("TK", "TK"),
        ("14", "Other"),
        ("Adult", "Other"),
        ("", ""),
    ],
)
def test_ceds_grade(grade: str, code: str) -> None:
    assert ceds_grade(grade) == code
