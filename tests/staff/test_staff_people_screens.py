"""The staff people screens: a district admin adds staff with a role and schools."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.cast import Cast, client_as
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope

pytestmark = pytest.mark.django_db


def test_a_district_admin_adds_a_school_admin_who_gets_an_activation_link(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    dana = client_as(cast, "dana")
    with django_capture_on_commit_callbacks(execute=True):
        response = dana.post(
            reverse("staff:staff-new"),
            {
                "username": "sara",
                "email": "sara@example.org",
                "role": "school-admin",
                "schools": [cast.hillcrest.pk],
            },
        )
    sara = Account.objects.get(username="sara")
    assert response["Location"] == reverse("staff:staff-person", args=[sara.pk])
    assert Scope.of(sara).school_ids == {cast.hillcrest.pk} and Scope.of(sara).staff
    assert [m.to for m in mail.outbox] == [["sara@example.org"]]
    listing = dana.get(reverse("staff:staff-people")).content.decode()
    assert "sara" in listing and "School admin" in listing and "Hillcrest Elementary" in listing
    assert "hana.hill" not in listing


def test_the_form_says_what_is_wrong_and_adds_no_one(cast: Cast) -> None:
    response = client_as(cast, "dana").post(
        reverse("staff:staff-new"),
        {"username": "sara", "email": "sara@example.org", "role": "school-admin"},
    )
    assert response.status_code == 200
    assert "a school admin needs at least one school" in response.content.decode()
    assert not Account.objects.filter(username="sara").exists()


def test_a_district_admin_changes_a_role_and_schools(cast: Cast) -> None:
    dana = client_as(cast, "dana")
    url = reverse("staff:staff-person", args=[cast.sam.pk])
    page = dana.get(url).content.decode()
    assert "School admin" in page and "Lakeside Middle" in page
    dana.post(url, {"role": "district-admin"})
    cast.sam.refresh_from_db()
    assert Scope.of(cast.sam).is_district_admin
    dana.post(url, {"role": "teacher", "schools": [cast.lakeside.pk]})
    cast.sam.refresh_from_db()
    assert not cast.sam.is_staff and Scope.of(cast.sam).school_ids == frozenset()


def test_a_district_admin_cannot_demote_or_disable_themselves(cast: Cast) -> None:
    dana = client_as(cast, "dana")
    own = reverse("staff:staff-person", args=[cast.dana.pk])
    refused = dana.post(own, {"role": "teacher"})
    assert "you cannot change your own role" in refused.content.decode()
    response = dana.post(reverse("staff:staff-status", args=[cast.dana.pk, "disable"]), follow=True)
    assert "you cannot disable your own account" in response.content.decode()
    cast.dana.refresh_from_db()
    assert cast.dana.is_active and cast.dana.is_district_admin


def test_disable_and_enable_a_staff_person(cast: Cast) -> None:
    dana = client_as(cast, "dana")
    dana.post(reverse("staff:staff-status", args=[cast.sam.pk, "disable"]))
    cast.sam.refresh_from_db()
    assert not cast.sam.is_active
    dana.post(reverse("staff:staff-status", args=[cast.sam.pk, "enable"]))
    cast.sam.refresh_from_db()
    assert cast.sam.is_active


def test_a_parents_account_is_no_staff_person(cast: Cast) -> None:
    dana = client_as(cast, "dana")
    assert dana.get(reverse("staff:staff-person", args=[cast.hana.pk])).status_code == 404


def test_only_district_admins_reach_the_staff_people_screens(cast: Cast) -> None:
    sam = client_as(cast, "sam")
    assert sam.get(reverse("staff:staff-people")).status_code == 403
    response = sam.post(
        reverse("staff:staff-new"),
        {"username": "x", "email": "x@example.org", "role": "district-admin"},
    )
    assert response.status_code == 403
    assert not Account.objects.filter(username="x").exists()
