"""A client walks the users of its scope from a stored listing: every user once, in sourcedId
order; rebuilt when anyone may have joined the scope (the change marker moved); and whoever
has left is dropped from the very next page, even by the listing as it stands."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.cast import Cast, parent
from tests.factories import AccountFactory, SectionFactory
from tests.rostering.api.conftest import Api
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.imports.models import ImportJob
from tutela.people.models import StudentContact, StudentContactDetail
from tutela.people.services import change_data_access, link_student, save_student
from tutela.rostering.clients import remove_client
from tutela.rostering.listings import change_marker, scope_key
from tutela.rostering.models import ListedUser, UserListing

pytestmark = pytest.mark.django_db


def walk(api: Api, collection: str = "users", limit: int = 2) -> list[dict[str, Any]]:
    """Every page of ``collection``, ``limit`` at a time, as a client walks it."""
    users: list[dict[str, Any]] = []
    offset = 0
    while True:
        response = api.get(collection, limit=limit, offset=offset)
        assert response.status_code == 200, response.content
        users += response.json()["users"]
        offset += limit
        if offset >= int(response["X-Total-Count"]):
            return users


def given_names(api: Api, collection: str = "users") -> list[str]:
    return [user["givenName"] for user in walk(api, collection)]


def the_listing(collection: str = "users", key: str = "district") -> UserListing:
    return UserListing.objects.get(scope=key, collection=collection)


def more_students(count: int, school_number: str = "10") -> None:
    for number in range(count):
        save_student(
            actor=command_line_user(),
            student_number=f"5{number:03d}",
            first_name=f"Pupil{number}",
            last_name="More",
            school_number=school_number,
        )


def test_a_walk_gives_every_user_once_in_sourcedid_order(api: Api) -> None:
    more_students(5)
    users = walk(api)
    ids = [user["sourcedId"] for user in users]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == 11
    everyone = api.json("users", limit=100, filter="sourcedId!='-'")["users"]
    assert users == sorted(everyone, key=lambda user: user["sourcedId"])
    listing = the_listing()
    assert listing.total == 11
    entries = ListedUser.objects.filter(listing=listing).order_by("position")
    assert list(entries.values_list("position", "sourced_id")) == list(enumerate(ids))


def test_pages_read_the_listing_as_built_while_nothing_changes(api: Api) -> None:
    walk(api)
    built = the_listing()
    assert given_names(api) and the_listing().built_at == built.built_at
    assert the_listing().marker == built.marker == change_marker()


def test_a_new_student_is_on_the_next_walk(api: Api) -> None:
    walk(api)
    before = the_listing()
    save_student(
        actor=command_line_user(),
        student_number="4100",
        first_name="Nell",
        last_name="New",
        school_number="20",
    )
    assert change_marker() != before.marker
    assert "Nell" in given_names(api)
    assert the_listing().built_at > before.built_at and the_listing().total == before.total + 1


def test_a_new_student_asked_for_by_sourcedid_is_found_before_any_walk(api: Api) -> None:
    walk(api)
    save_student(
        actor=command_line_user(),
        student_number="4101",
        first_name="Nina",
        last_name="New",
        school_number="20",
    )
    assert api.json("users/4101")["user"]["givenName"] == "Nina"
    assert api.json("students/4101")["user"]["givenName"] == "Nina"
    assert api.get("teachers/4101").status_code == 404


def test_a_parent_granted_access_is_on_the_next_walk(api: Api, cast: Cast) -> None:
    pia = parent(first="Pia", last="Park", email="pia@example.org", phone="555-0404")
    link = link_student(
        actor=command_line_user(), contact=pia, student=cast.holly, allow_data_access=False
    )
    AccountFactory.create(username="pia@example.org", contact=pia)
    assert "Pia" not in given_names(api)
    change_data_access(actor=command_line_user(), link=link, allow=True)
    assert "Pia" in given_names(api)
    holly = next(u for u in walk(api) if u["givenName"] == "Holly")
    assert len(holly["agents"]) == 2


def test_a_new_teacher_is_on_the_next_walk(api: Api, cast: Cast) -> None:
    assert "Tess" not in given_names(api, "teachers")
    tess = AccountFactory.create(username="tess", first_name="Tess", last_name="Teach")
    SectionFactory.create(section_id="SCI-5", school=cast.lakeside, teachers=[tess])
    assert "Tess" in given_names(api, "teachers")
    assert "Tess" in given_names(api)


def test_an_import_that_grants_in_bulk_is_on_the_walk_once_its_job_finishes(
    api: Api, cast: Cast
) -> None:
    """An import writes no audit entry per row: its job's record says when its rows land."""
    pia = parent(first="Pia", last="Park", email="pia@example.org", phone="555-0404")
    link = link_student(
        actor=command_line_user(), contact=pia, student=cast.lila, allow_data_access=False
    )
    AccountFactory.create(username="pia@example.org", contact=pia)
    job = ImportJob.objects.create(
        kind="contacts", file_name="grants.csv", checksum="0" * 64, status=ImportJob.Status.RUNNING
    )
    assert "Pia" not in given_names(api)
    with transaction.atomic():  # the job's rows and its final record commit together
        StudentContactDetail.objects.filter(link=link).update(allow_data_access=True)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    assert "Pia" in given_names(api)


def test_the_marker_moves_with_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    today = change_marker()

    class Tomorrow(datetime.date):
        @classmethod
        def today(cls) -> Tomorrow:
            return cls(2099, 1, 1)

    monkeypatch.setattr(datetime, "date", Tomorrow)
    assert change_marker() != today


@pytest.mark.parametrize("leaves", ["restricted", "grant ended", "account disabled"])
def test_a_parent_who_leaves_is_off_the_very_next_page_without_a_rebuild(
    api: Api, cast: Cast, leaves: str
) -> None:
    """Each change is made behind the services' back, so that no audit entry moves the
    marker: the page's own check of its people is what drops Leo."""
    assert "Leo" in given_names(api)
    built = the_listing()
    leo_id = next(u["sourcedId"] for u in walk(api) if u["givenName"] == "Leo")
    link = StudentContact.objects.filter(contact=cast.leo_contact, student=cast.lila)
    if leaves == "restricted":
        link.update(restricted=True)
    elif leaves == "grant ended":
        yesterday = datetime.date.today() - datetime.timedelta(days=1)
        StudentContactDetail.objects.filter(link__in=link).update(end_date=yesterday)
    else:
        Account.objects.filter(pk=cast.leo.pk).update(is_active=False)
    users = walk(api)
    assert "Leo" not in [user["givenName"] for user in users]
    lila = next(user for user in users if user["givenName"] == "Lila")
    assert lila["agents"] == []
    assert api.get(f"users/{leo_id}").status_code == 404
    now = the_listing()
    assert (now.built_at, now.marker, now.total) == (built.built_at, built.marker, built.total)


def test_a_student_who_moves_school_leaves_a_school_clients_next_page(
    make_api: Callable[..., Api], cast: Cast
) -> None:
    lakeside = make_api(cast.lakeside)
    assert "Lila" in given_names(lakeside)
    type(cast.lila).objects.filter(pk=cast.lila.pk).update(school=cast.hillcrest)
    assert {"Lila", "Leo"}.isdisjoint(given_names(lakeside))


def test_a_client_limited_to_schools_has_its_own_listing_shared_with_its_like(
    make_api: Callable[..., Api], cast: Cast
) -> None:
    district = make_api()
    lakeside = make_api(cast.lakeside)
    also_lakeside = make_api(cast.lakeside)
    assert sorted(given_names(lakeside)) == ["Leo", "Lila"]
    assert sorted(given_names(also_lakeside)) == ["Leo", "Lila"]
    assert len(given_names(district)) == 6
    key = scope_key([cast.lakeside])
    assert set(UserListing.objects.values_list("scope", flat=True)) == {"district", key}
    assert the_listing(key=key).total == 2


def test_removing_a_client_keeps_the_listing_another_client_shares(
    make_api: Callable[..., Api], cast: Cast
) -> None:
    district = make_api()
    first, second = make_api(cast.lakeside), make_api(cast.lakeside)
    for api in (district, first, second):
        walk(api)
    key = scope_key([cast.lakeside])
    remove_client(actor=command_line_user(), client_id=first.made.client_id)
    assert the_listing(key=key).total == 2
    remove_client(actor=command_line_user(), client_id=second.made.client_id)
    assert not UserListing.objects.filter(scope=key).exists()
    assert not ListedUser.objects.exclude(listing__scope="district").exists()
    assert the_listing().total == 6


def queries_of(api: Api, collection: str, offset: int, limit: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(collection, limit=limit, offset=offset).status_code == 200
    return len(captured)


def test_a_late_page_takes_the_same_queries_as_the_first(api: Api) -> None:
    more_students(20)
    walk(api, "students")  # builds the listing
    counts = {queries_of(api, "students", offset, 4) for offset in (0, 8, 20)}
    assert len(counts) == 1
    walk(api)
    assert max(queries_of(api, "users", offset, 4) for offset in (0, 8, 20)) <= 25
