"""The OneRoster 1.2 Rostering endpoints on the named cast: Hana is Holly's mother (granted)
and Hugo's (not granted); Leo is Lila's father (granted); Una is linked to Lila with access but
has no account. Holly and Hugo are at Hillcrest (10), Lila at Lakeside (20)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import BASE, fetch_token
from tests.api.schema import (
    ONE_ORG,
    ONE_USER,
    ORG,
    ORGS,
    STATUS_INFO,
    USER,
    USERS,
    check,
    check_fields,
)
from tests.cast import Cast
from tutela.api.services import NewClient
from tutela.people.models import Student
from tutela.rostering.models import SourcedId, SourcedKind

pytestmark = pytest.mark.django_db
Get = Callable[..., Any]


def by_name(users: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {user["givenName"]: user for user in users}


def code_minor(response: Any) -> str:
    body = response.json()
    check(body, STATUS_INFO)
    value: str = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    return value


@pytest.mark.parametrize(
    ("path", "spec"),
    [("users", USERS), ("students", USERS), ("orgs", ORGS), ("schools", ORGS)],
)
def test_collections_validate(api: Get, path: str, spec: dict[str, Any]) -> None:
    response = api(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    check(response.json(), spec)
    assert int(response["X-Total-Count"]) == len(next(iter(response.json().values())))


def test_each_object_by_its_sourced_id_validates(api: Get) -> None:
    for path, one, spec in [("users", "user", ONE_USER), ("orgs", "org", ONE_ORG)]:
        for item in next(iter(api(path).json().values())):
            response = api(f"{path}/{item['sourcedId']}")
            assert response.status_code == 200
            check(response.json(), spec)
            found = response.json()[one]
            assert found | {"dateLastModified": ""} == item | {"dateLastModified": ""}


def test_a_parent_names_only_the_granted_child(api: Get, cast: Cast) -> None:
    users = by_name(api("users").json()["users"])
    assert set(users) == {"Holly", "Hugo", "Lila", "Hana", "Leo"}
    hana, holly = users["Hana"], users["Holly"]
    assert [agent["sourcedId"] for agent in hana["agents"]] == [holly["sourcedId"]]
    assert hana["agents"][0]["href"].endswith(f"{BASE}/users/{holly['sourcedId']}")
    assert hana["agents"][0]["type"] == "user"
    assert hana["roles"] == [{"roleType": "primary", "role": "parent", "org": holly["primaryOrg"]}]
    assert hana["enabledUser"] == "true"
    assert hana["email"] == "hana@example.org"


def test_students_carry_their_school_grade_and_number(api: Get, cast: Cast) -> None:
    students = by_name(api("students").json()["users"])
    assert set(students) == {"Holly", "Hugo", "Lila"}
    holly = students["Holly"]
    assert holly["roles"][0]["role"] == "student"
    assert holly["userIds"] == [{"type": "studentNumber", "identifier": cast.holly.student_number}]
    assert holly["enabledUser"] in {"true", "false"}


def test_sourced_ids_stay_fixed(api: Get, cast: Cast) -> None:
    first = {u["givenName"]: u["sourcedId"] for u in api("users").json()["users"]}
    Student.objects.filter(pk=cast.holly.pk).update(student_number="renumbered")
    again = {u["givenName"]: u["sourcedId"] for u in api("users").json()["users"]}
    assert first == again
    assert (
        SourcedId.objects.get(kind=SourcedKind.STUDENT, object_id=cast.holly.pk).sourced_id
        == (first["Holly"])
    )


def test_an_unknown_sourced_id_is_404(api: Get) -> None:
    for path in ["users/nobody", "students/nobody", "orgs/nobody", "schools/nobody"]:
        response = api(path)
        assert response.status_code == 404
        assert code_minor(response) == "unknownobject"


def test_a_parent_is_not_a_student(api: Get) -> None:
    hana = by_name(api("users").json()["users"])["Hana"]
    assert api(f"students/{hana['sourcedId']}").status_code == 404


def test_orgs_are_the_district_and_its_schools(api: Get) -> None:
    orgs = api("orgs").json()["orgs"]
    assert [org["type"] for org in orgs] == ["district", "school", "school"]
    district = orgs[0]
    assert {child["sourcedId"] for child in district["children"]} == {
        org["sourcedId"] for org in orgs[1:]
    }
    assert all(org["parent"]["sourcedId"] == district["sourcedId"] for org in orgs[1:])
    assert [org["type"] for org in api("schools").json()["orgs"]] == ["school", "school"]


def test_a_school_s_students(api: Get) -> None:
    lakeside = next(o for o in api("schools").json()["orgs"] if o["identifier"] == "20")
    response = api(f"schools/{lakeside['sourcedId']}/students")
    check(response.json(), USERS)
    assert [user["givenName"] for user in response.json()["users"]] == ["Lila"]
    assert code_minor(api("schools/nowhere/students")) == "unknownobject"


# Paging --------------------------------------------------------------------------------------
def test_limit_and_offset_with_total_and_links(api: Get) -> None:
    everyone = api("users", sort="sourcedId").json()["users"]
    response = api("users", limit="2", offset="2", sort="sourcedId")
    assert response.json()["users"] == everyone[2:4]
    assert response["X-Total-Count"] == "5"
    links = {
        part.split('rel="')[1].rstrip('"'): part.split(">")[0].lstrip("<")
        for part in response["Link"].split(", ")
    }
    assert set(links) == {"first", "last", "next", "prev"}
    assert "offset=4" in links["next"] and "limit=2" in links["next"]
    assert "offset=0" in links["prev"] and "offset=0" in links["first"]
    assert "offset=4" in links["last"]
    assert "sort=sourcedId" in links["next"]


def test_the_first_page_has_no_prev_and_the_last_no_next(api: Get) -> None:
    assert 'rel="prev"' not in api("users", limit="2")["Link"]
    assert 'rel="next"' not in api("users", limit="2", offset="4")["Link"]


def test_limit_defaults_to_100(api: Get) -> None:
    response = api("users")
    assert "limit=100" in response["Link"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "ten"}, {"limit": "-1"}, {"offset": "-1"}, {"offset": "x"}],
)
def test_bad_paging_is_invaliddata(api: Get, params: dict[str, str]) -> None:
    response = api("users", **params)
    assert response.status_code == 400
    assert code_minor(response) == "invaliddata"


# Sorting -------------------------------------------------------------------------------------
def test_sort_and_order_by(api: Get) -> None:
    given = [u["givenName"] for u in api("users", sort="givenName").json()["users"]]
    assert given == sorted(given)
    down = [u["givenName"] for u in api("users", sort="givenName", orderBy="desc").json()["users"]]
    assert down == sorted(given, reverse=True)


@pytest.mark.parametrize("params", [{"sort": "shoeSize"}, {"sort": "givenName", "orderBy": "up"}])
def test_a_bad_sort_is_invalid_selection_field(api: Get, params: dict[str, str]) -> None:
    response = api("users", **params)
    assert response.status_code == 400
    assert code_minor(response) == "invalid_selection_field"


# Filtering -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("givenName='Hana'", {"Hana"}),
        ("givenName!='Hana'", {"Holly", "Hugo", "Lila", "Leo"}),
        ("givenName>'Hugo'", {"Lila", "Leo"}),
        ("givenName>='Hugo'", {"Hugo", "Lila", "Leo"}),
        ("givenName<'Hana'", set()),
        ("givenName<='Hana'", {"Hana"}),
        ("givenName~'l'", {"Holly", "Lila", "Leo"}),
        ("givenName='Hana' OR givenName='Leo'", {"Hana", "Leo"}),
        ("familyName='Hill' AND givenName~'h'", {"Holly", "Hugo", "Hana"}),
        ("roles.role='parent'", {"Hana", "Leo"}),
        ("roles.role!='parent'", {"Holly", "Hugo", "Lila"}),
        ("status='active'", {"Holly", "Hugo", "Lila", "Hana", "Leo"}),
    ],
)
def test_filter(api: Get, cast: Cast, expression: str, names: set[str]) -> None:
    response = api("users", filter=expression)
    assert response.status_code == 200, response.json()
    found = {user["givenName"] for user in response.json()["users"]}
    assert found == names
    assert response["X-Total-Count"] == str(len(names))


@pytest.mark.parametrize(
    "expression",
    [
        "shoeSize='9'",
        "givenName=Hana",
        "givenName=='Hana'",
        "givenName='Hana' AND givenName='Leo' OR givenName='Holly'",
        "'Hana'",
    ],
)
def test_a_bad_filter_is_invalid_filter_field(api: Get, expression: str) -> None:
    response = api("users", filter=expression)
    assert response.status_code == 400
    assert code_minor(response) == "invalid_filter_field"


# Fields --------------------------------------------------------------------------------------
def test_fields_choose_what_is_returned(api: Get) -> None:
    users = api("users", fields="sourcedId,givenName").json()["users"]
    assert users and all(set(user) == {"sourcedId", "givenName"} for user in users)
    for user in users:
        check_fields(user, USER)
    one = api(f"users/{users[0]['sourcedId']}", fields="familyName").json()["user"]
    assert set(one) == {"familyName"}
    orgs = api("orgs", fields="name").json()["orgs"]
    assert all(set(org) == {"name"} for org in orgs)
    check_fields(orgs[0], ORG)


def test_an_unknown_field_is_invalid_selection_field(api: Get) -> None:
    for path in ["users", "orgs"]:
        response = api(path, fields="sourcedId,shoeSize")
        assert response.status_code == 400
        assert code_minor(response) == "invalid_selection_field"


# Clients limited to schools ------------------------------------------------------------------
def test_a_client_limited_to_a_school_sees_only_its_people(
    cast: Cast, make_client: Callable[..., NewClient]
) -> None:
    web = Client()
    token = fetch_token(web, make_client(schools=[cast.lakeside])).json()["access_token"]
    auth = f"Bearer {token}"
    users = web.get(f"{BASE}/users", HTTP_AUTHORIZATION=auth).json()["users"]
    assert {user["givenName"] for user in users} == {"Lila", "Leo"}
    schools = web.get(f"{BASE}/schools", HTTP_AUTHORIZATION=auth).json()["orgs"]
    assert [school["identifier"] for school in schools] == ["20"]
    everyone = Client()
    wide = fetch_token(everyone, make_client("Wide")).json()["access_token"]
    all_users = everyone.get(f"{BASE}/users", HTTP_AUTHORIZATION=f"Bearer {wide}").json()
    holly = by_name(all_users["users"])["Holly"]
    response = web.get(f"{BASE}/users/{holly['sourcedId']}", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 404


# Queries -------------------------------------------------------------------------------------
def test_a_page_takes_a_fixed_number_of_queries(api: Get, cast: Cast) -> None:
    api("users")  # gives out every sourcedId once
    with CaptureQueriesContext(connection) as small:
        api("users", limit="1")
    with CaptureQueriesContext(connection) as large:
        api("users", limit="100")
    assert len(small) == len(large)
