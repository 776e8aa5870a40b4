"""Granting and revoking a link's data access from a day keeps the history of who could see
the child: a new dated detail with the same facts, or the detail starting that day corrected."""

from __future__ import annotations

import datetime

import pytest

from tests.cast import Cast
from tutela.people.models import StudentContact
from tutela.people.services import OutsideScope, change_data_access

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def test_a_revocation_from_next_week_leaves_access_until_then(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact)
    next_week = TODAY + datetime.timedelta(days=7)
    new = change_data_access(actor=cast.sam, link=link, allow=False, day=next_week)
    assert new.start_date == next_week and not new.allow_data_access
    assert new.relationship_type is not None and new.relationship_type.code == "Father"
    assert link.grants_access(TODAY)
    assert not link.grants_access(next_week)
    assert link.details.count() == 2


def test_granting_again_the_same_day_corrects_the_day_s_detail(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact)
    change_data_access(actor=cast.sam, link=link, allow=False)
    change_data_access(actor=cast.sam, link=link, allow=True)
    assert link.grants_access() and link.details.count() == 2


def test_another_school_s_staff_cannot_change_who_sees_a_child(cast: Cast) -> None:
    link = StudentContact.objects.get(student=cast.holly)
    with pytest.raises(OutsideScope):
        change_data_access(actor=cast.sam, link=link, allow=False)
    assert link.grants_access()
