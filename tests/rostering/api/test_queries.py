"""``limit``, ``offset``, ``sort``, ``orderBy``, ``filter`` and ``fields`` as the REST binding
defines them, ``X-Total-Count`` and ``Link``; each bad value refused with its code minor."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.rostering.api.conftest import Api
from tests.rostering.api.schema import assert_valid
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact
from tutela.people.services import restrict_link, save_student

pytestmark = pytest.mark.django_db


def names(api: Api, path: str = "users", **params: Any) -> list[str]:
    return [user["givenName"] for user in api.json(path, **params)["users"]]


def links(response: Any) -> dict[str, dict[str, list[str]]]:
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])
    return {rel: parse_qs(urlsplit(url).query) for url, rel in found}


def test_a_page_says_the_total_and_links_first_last_next_and_prev(api: Api) -> None:
    response = api.get("users", limit=2, offset=2, sort="givenName")
    assert response["X-Total-Count"] == "6"
    assert [u["givenName"] for u in response.json()["users"]] == ["Hugo", "Leo"]
    rels = links(response)
    assert set(rels) == {"first", "last", "next", "prev"}
    assert (rels["next"]["offset"], rels["prev"]["offset"]) == (["4"], ["0"])
    assert (rels["first"]["offset"], rels["last"]["offset"]) == (["0"], ["4"])
    assert rels["next"]["limit"] == ["2"] and rels["next"]["sort"] == ["givenName"]
    first = links(api.get("users", limit=2))
    assert "prev" not in first and "next" in first
    assert "next" not in links(api.get("users", limit=2, offset=4))


def test_the_default_page_is_100_records_in_sourcedid_order(api: Api) -> None:
    users = api.json("users")["users"]
    assert [u["sourcedId"] for u in users] == sorted(u["sourcedId"] for u in users)
    assert links(api.get("users"))["next" if len(users) > 100 else "first"]["limit"] == ["100"]


def test_sort_and_order_by(api: Api) -> None:
    assert names(api, sort="givenName") == ["Hana", "Holly", "Hugo", "Leo", "Lila", "Lou"]
    descending = names(api, sort="givenName", orderBy="desc")
    assert descending == ["Lou", "Lila", "Leo", "Hugo", "Holly", "Hana"]


def test_filter_with_each_operator_and_both_joins(api: Api) -> None:
    assert names(api, filter="givenName='Holly'") == ["Holly"]
    assert set(names(api, filter="familyName!='Hill'")) == {"Leo", "Lila", "Lou"}
    assert set(names(api, filter="givenName~'h'")) == {"Hana", "Holly", "Hugo"}
    assert set(names(api, filter="givenName>'Leo'")) == {"Lila", "Lou"}
    assert set(names(api, filter="givenName>='Leo'")) == {"Leo", "Lila", "Lou"}
    assert set(names(api, filter="givenName<'Holly'")) == {"Hana"}
    assert set(names(api, filter="givenName<='Holly'")) == {"Hana", "Holly"}
    assert names(api, filter="familyName='Hill' AND givenName~'u'") == ["Hugo"]
    both = names(api, filter="givenName='Lou' OR givenName='Leo'", sort="givenName")
    assert both == ["Leo", "Lou"]
    assert set(names(api, filter="roles.role='parent'")) == {"Hana", "Leo"}
    response = api.get("users", filter="familyName='Hill'")
    assert response["X-Total-Count"] == "3"


def test_fields_chooses_the_properties(api: Api) -> None:
    users = api.json("users", fields="sourcedId,givenName")["users"]
    assert {tuple(user) for user in users} == {("sourcedId", "givenName")}
    holly = api.json("users", filter="givenName='Holly'")["users"][0]
    one = api.json(f"users/{holly['sourcedId']}", fields="familyName")
    assert one == {"user": {"familyName": "Hill"}}


@pytest.mark.parametrize(
    ("params", "code_minor", "named"),
    [
        ({"limit": "0"}, "invalid_selection_field", "limit"),
        ({"limit": "many"}, "invalid_selection_field", "limit"),
        ({"offset": "-1"}, "invalid_selection_field", "offset"),
        ({"sort": "shoeSize"}, "invalid_selection_field", "shoeSize"),
        ({"orderBy": "sideways"}, "invalid_selection_field", "orderBy"),
        ({"fields": "sourcedId,shoeSize"}, "invalid_selection_field", "shoeSize"),
        ({"filter": "shoeSize='9'"}, "invalid_filter_field", "shoeSize"),
        ({"filter": "givenName=Holly"}, "invalid_filter_field", "filter"),
        ({"filter": "givenName='Holly' XOR givenName='Hugo'"}, "invalid_filter_field", "AND"),
    ],
)
def test_a_bad_value_is_a_400_naming_it(
    api: Api, params: dict[str, str], code_minor: str, named: str
) -> None:
    response = api.get("users", **params)
    assert response.status_code == 400
    body = response.json()
    assert_valid(body, "imsx_StatusInfoDType")
    field = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]
    assert field == {
        "imsx_codeMinorFieldName": "TargetEndSystem",
        "imsx_codeMinorFieldValue": code_minor,
    }
    assert named in body["imsx_description"]


def test_a_bad_value_is_refused_on_nested_collections_and_objects_too(api: Api) -> None:
    school = api.json("schools")["orgs"][0]["sourcedId"]
    assert api.get(f"schools/{school}/students", limit="x").status_code == 400
    assert api.get(f"schools/{school}", fields="shoeSize").status_code == 400


@pytest.mark.parametrize("collection", ["users", "students", "teachers"])
def test_a_page_read_alone_is_the_page_of_the_whole_collection(api: Api, collection: str) -> None:
    """A page in sourcedId order is read without the roster; a filter that keeps everyone
    takes the other path: both give the same records, the same total, in the same order."""
    everyone = "sourcedId!='-'"
    for offset in range(0, 7, 2):
        alone = api.get(collection, limit=2, offset=offset)
        whole = api.get(collection, limit=2, offset=offset, filter=everyone)
        assert alone.json() == whole.json()
        assert alone["X-Total-Count"] == whole["X-Total-Count"]


def test_a_new_student_is_on_the_next_walk(api: Api) -> None:
    assert api.get("students")["X-Total-Count"] == "3"
    save_student(
        actor=command_line_user(),
        student_number="4001",
        first_name="Nell",
        last_name="New",
        school_number="20",
    )
    assert "Nell" in names(api, "students")
    assert api.json("users/4001")["user"]["givenName"] == "Nell"


def test_the_first_page_counts_the_new_student_it_gives_a_sourcedid(api: Api) -> None:
    assert api.get("users", limit=1)["X-Total-Count"] == "6"
    save_student(
        actor=command_line_user(),
        student_number="4002",
        first_name="Nora",
        last_name="New",
        school_number="20",
    )
    first = api.get("users", limit=1)
    assert first["X-Total-Count"] == "7"
    assert "Nora" in names(api, limit=10)
    assert api.get("users", limit=1)["X-Total-Count"] == "7"


def test_a_restricted_pair_leaves_the_next_page_at_once(api: Api, cast: Any) -> None:
    assert "Leo" in names(api, limit=10)
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=command_line_user(), link=link, kind="court-order", note="order 7")
    response = api.get("users", limit=10)
    assert response["X-Total-Count"] == "5"
    assert "Leo" not in [user["givenName"] for user in response.json()["users"]]
    lila = next(u for u in response.json()["users"] if u["givenName"] == "Lila")
    assert lila["agents"] == []


def test_a_page_of_users_takes_the_same_queries_however_big_the_district(api: Api) -> None:
    def queries() -> int:
        api.get("users", limit=100)  # gives out any new sourcedId first
        with CaptureQueriesContext(connection) as captured:
            assert api.get("users", limit=100).status_code == 200
        return len(captured)

    before = queries()
    for number in range(5001, 5011):
        save_student(
            actor=command_line_user(),
            student_number=str(number),
            first_name="More",
            last_name="Students",
            school_number="10",
        )
    assert queries() == before
    assert before <= 25
