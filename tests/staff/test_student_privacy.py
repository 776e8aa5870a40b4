"""The student page's privacy parts: who sees the student and by what, the age-18 hand-over and
the dependent or consent record; the staff home's hand-overs."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.privacy.majority import hand_over
from tutela.privacy.models import MajorityException

pytestmark = pytest.mark.django_db


def client_of(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_the_student_page_says_who_sees_and_by_what(cast: Cast) -> None:
    page = client_of(cast.sam).get(reverse("staff:student", args=[cast.lila.pk])).content.decode()
    assert "leo@example.org" in page and "<td>command line</td>" in page


def test_a_school_admin_records_a_dependent_and_the_page_shows_it(cast: Cast) -> None:
    cast.lila.date_of_birth = datetime.date.today() - datetime.timedelta(days=17 * 365)
    cast.lila.save()
    client = client_of(cast.sam)
    url = reverse("staff:student-keep-access", args=[cast.lila.pk])
    response = client.post(url, {"kind": "dependent", "until": "", "note": ""}, follow=True)
    assert "needs an end date" in response.content.decode()
    assert not MajorityException.objects.exists()
    response = client.post(
        url, {"kind": "dependent", "until": "2031-12-31", "note": "tax return 2030"}, follow=True
    )
    page = response.content.decode()
    assert "the parents keep their access: dependent for tax purposes until 2031-12-31" in page
    record = MajorityException.objects.get()
    assert (record.recorded_by, record.note) == (cast.sam, "tax return 2030")


def test_another_schools_admin_cannot_record_one(cast: Cast) -> None:
    url = reverse("staff:student-keep-access", args=[cast.holly.pk])
    response = client_of(cast.sam).post(url, {"kind": "consent"})
    assert response.status_code == 404
    assert not MajorityException.objects.exists()


def test_the_staff_home_lists_recent_and_coming_hand_overs(cast: Cast) -> None:
    today = datetime.date.today()
    cast.lila.date_of_birth = datetime.date(today.year - 19, 1, 1)
    cast.lila.save()
    hand_over(actor=command_line_user(), today=today)
    soon = today + datetime.timedelta(days=10)
    cast.hugo.date_of_birth = datetime.date(soon.year - 18, soon.month, min(soon.day, 28))
    cast.hugo.save()
    page = client_of(cast.dana).get(reverse("staff:home")).content.decode()
    assert "Rights handed over in the last 30 days" in page
    assert "Lila Lake (3001)" in page
    assert "Coming in the next 30 days" in page and "Hugo Hill (2002)" in page
    # A school admin of Lakeside sees Lila's; Hillcrest's students are not theirs.
    page = client_of(cast.sam).get(reverse("staff:home")).content.decode()
    assert "Lila Lake (3001)" in page and "Hugo Hill" not in page
