"""The staff home: the screens each role may open, and the district's state for their scope."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.imports.models import ImportJob
from tutela.provisioning.models import AutoCreateJob

pytestmark = pytest.mark.django_db


def home_of(account: Account) -> str:
    client = Client()
    client.force_login(account)
    response = client.get(reverse("staff:home"))
    assert response.status_code == 200
    return response.content.decode()


def glance(page: str) -> dict[str, int]:
    """The "at a glance" table as {label: count}."""
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', page)
    return {label: int(count) for label, count in rows}


def test_a_district_admin_sees_the_whole_districts_state(cast: Cast) -> None:
    assert glance(home_of(cast.dana)) == {
        "Students no parent can see": 1,  # Hugo: Hana is linked but not granted
        "Accounts never activated": 2,  # Hana's and Leo's
        "Data access without an account": 1,  # Una, granted Lila, has no account
        "Restricted links waiting": 0,
    }


def test_a_school_admin_counts_only_their_schools(cast: Cast) -> None:
    page = home_of(cast.sam)
    assert glance(page) == {
        "Students no parent can see": 0,
        "Accounts never activated": 1,  # Leo's (Lila's father, at Lakeside)
        "Data access without an account": 1,
        "Restricted links waiting": 0,
    }
    assert "Lakeside Middle" in page and "Hillcrest" not in page


def test_a_parent_who_signs_in_is_no_longer_never_activated(cast: Cast) -> None:
    cast.leo.last_login = timezone.now()
    cast.leo.save()
    assert glance(home_of(cast.sam))["Accounts never activated"] == 0


def test_a_disabled_account_leaves_its_students_unseen(cast: Cast) -> None:
    cast.leo.is_active = False
    cast.leo.save()
    assert glance(home_of(cast.sam))["Students no parent can see"] == 1  # Lila


def test_an_ended_grant_counts_as_no_access(cast: Cast) -> None:
    link = cast.leo_contact.student_links.get()
    link.details.update(end_date=datetime.date.today() - datetime.timedelta(days=1))
    assert glance(home_of(cast.sam))["Students no parent can see"] == 1


def test_the_menu_offers_each_role_its_screens(cast: Cast) -> None:
    dana, sam = home_of(cast.dana), home_of(cast.sam)
    staff_screens = re.compile(r'<nav aria-label="Staff screens">(.*?)</nav>', re.S)
    dana_screens = staff_screens.search(dana).group(1)  # type: ignore[union-attr]
    sam_screens = staff_screens.search(sam).group(1)  # type: ignore[union-attr]
    assert 'href="/staff/autocreate/"' in dana_screens
    assert 'href="/staff/autocreate/templates/"' in dana_screens
    assert 'href="/staff/autocreate/"' not in sam_screens
    assert 'href="/staff/people/"' in dana_screens and 'href="/staff/people/"' not in sam_screens
    for screens in (dana_screens, sam_screens):
        assert 'href="/staff/search/"' in screens
        assert 'href="/staff/restricted-links/"' in screens
        assert 'href="/staff/accounts/"' in screens


def test_the_last_imports_are_the_district_admins_and_each_staff_members_own(cast: Cast) -> None:
    for who, name in ((cast.dana, "district.csv"), (cast.sam, "lakeside.csv")):
        ImportJob.objects.create(
            kind="contacts",
            actor=who,
            actor_name=who.username,
            file_name=name,
            checksum="0" * 64,
            started_at=timezone.now(),
            totals={"rows": 3, "outcomes": {"added": 2, "rejected": 1}},
        )
    dana, sam = home_of(cast.dana), home_of(cast.sam)
    assert "district.csv" in dana and "lakeside.csv" in dana
    assert "lakeside.csv" in sam and "district.csv" not in sam
    assert "added 2, rejected 1" in sam


def test_only_district_admins_see_the_autocreate_jobs(cast: Cast) -> None:
    job = AutoCreateJob.objects.create(actor=cast.dana, actor_name="dana")
    assert f'href="/staff/autocreate/jobs/{job.pk}/"' in home_of(cast.dana)
    sam = home_of(cast.sam)
    assert "AutoCreate jobs" not in sam and f"/jobs/{job.pk}/" not in sam
