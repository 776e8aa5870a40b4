"""Every endpoint's answers validate against the OneRoster 1.2 definition's schemas, and say
what the district shares: Hana is Holly's mother (granted) and Hugo's (not granted), Leo is
Lila's father (granted), Una has no account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rostering.api.conftest import Api
from tests.rostering.api.schema import assert_valid

pytestmark = pytest.mark.django_db

SETS = {
    "academicSessions": ("AcademicSessionSetDType", "SingleAcademicSessionDType"),
    "classes": ("ClassSetDType", "SingleClassDType"),
    "courses": ("CourseSetDType", "SingleCourseDType"),
    "enrollments": ("EnrollmentSetDType", "SingleEnrollmentDType"),
    "orgs": ("OrgSetDType", "SingleOrgDType"),
    "schools": ("OrgSetDType", "SingleOrgDType"),
    "students": ("UserSetDType", "SingleUserDType"),
    "teachers": ("UserSetDType", "SingleUserDType"),
    "terms": ("AcademicSessionSetDType", "SingleAcademicSessionDType"),
    "users": ("UserSetDType", "SingleUserDType"),
}
KEYS = {"UserSetDType": "users", "OrgSetDType": "orgs", "ClassSetDType": "classes"}


def only(body: dict[str, Any]) -> list[dict[str, Any]]:
    (records,) = body.values()
    assert isinstance(records, list)
    return records


def by_name(api: Api, path: str = "users") -> dict[str, dict[str, Any]]:
    return {user["givenName"]: user for user in only(api.json(path))}


@pytest.mark.parametrize("collection", sorted(SETS))
def test_each_collection_and_each_of_its_objects_validate(api: Api, collection: str) -> None:
    set_type, single_type = SETS[collection]
    response = api.get(collection)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert_valid(body, set_type)
    records = only(body)
    assert records, f"{collection} is empty: the cast should fill it"
    assert response["X-Total-Count"] == str(len(records))
    for record in records:
        one = api.json(f"{collection}/{record['sourcedId']}")
        assert_valid(one, single_type)
        assert list(one.values()) == [record]


def nested_paths(api: Api) -> list[tuple[str, str]]:
    school = next(o for o in only(api.json("schools")) if o["identifier"] == "10")["sourcedId"]
    math = next(c for c in only(api.json("classes")) if c["classCode"] == "MATH-3")
    course = math["course"]["sourcedId"]
    (term,) = only(api.json("terms"))
    users = by_name(api)
    holly, lou = users["Holly"]["sourcedId"], users["Lou"]["sourcedId"]
    klass = math["sourcedId"]
    return [
        (f"schools/{school}/students", "UserSetDType"),
        (f"schools/{school}/teachers", "UserSetDType"),
        (f"schools/{school}/classes", "ClassSetDType"),
        (f"schools/{school}/courses", "CourseSetDType"),
        (f"schools/{school}/enrollments", "EnrollmentSetDType"),
        (f"schools/{school}/terms", "AcademicSessionSetDType"),
        (f"schools/{school}/classes/{klass}/enrollments", "EnrollmentSetDType"),
        (f"schools/{school}/classes/{klass}/students", "UserSetDType"),
        (f"schools/{school}/classes/{klass}/teachers", "UserSetDType"),
        (f"classes/{klass}/students", "UserSetDType"),
        (f"classes/{klass}/teachers", "UserSetDType"),
        (f"courses/{course}/classes", "ClassSetDType"),
        (f"terms/{term['sourcedId']}/classes", "ClassSetDType"),
        (f"students/{holly}/classes", "ClassSetDType"),
        (f"teachers/{lou}/classes", "ClassSetDType"),
        (f"users/{holly}/classes", "ClassSetDType"),
    ]


def test_every_nested_collection_validates_and_holds_what_belongs_to_its_owner(api: Api) -> None:
    for path, set_type in nested_paths(api):
        body = api.json(path)
        assert_valid(body, set_type)
        assert only(body), f"{path} is empty"
    math_students = only(api.json(nested_paths(api)[9][0]))
    assert [user["givenName"] for user in math_students] == ["Holly"]
    hillcrest_students = {u["givenName"] for u in only(api.json(nested_paths(api)[0][0]))}
    assert hillcrest_students == {"Holly", "Hugo"}


def test_a_parent_has_only_the_granted_child_as_agent_and_that_child_only_her(api: Api) -> None:
    users = by_name(api)
    hana, holly, hugo = users["Hana"], users["Holly"], users["Hugo"]
    assert [role["role"] for role in hana["roles"]] == ["parent"]
    assert hana["roles"][0]["roleType"] == "primary"
    assert [agent["sourcedId"] for agent in hana["agents"]] == [holly["sourcedId"]]
    assert {agent["type"] for agent in hana["agents"]} == {"user"}
    assert hana["agents"][0]["href"].endswith(
        f"/ims/oneroster/rostering/v1p2/users/{holly['sourcedId']}"
    )
    assert [agent["sourcedId"] for agent in holly["agents"]] == [hana["sourcedId"]]
    assert hugo["agents"] == []
    assert hana["enabledUser"] == "true" and hana["email"] == "hana@example.org"
    assert "Una" not in users  # no account: nothing of her leaves
    assert [a["sourcedId"] for a in users["Leo"]["agents"]] == [users["Lila"]["sourcedId"]]


def test_students_carry_their_number_grade_and_school(api: Api) -> None:
    holly = by_name(api, "students")["Holly"]
    assert holly["userIds"] == [{"type": "studentNumber", "identifier": "2001"}]
    assert holly["grades"] == ["03"]
    assert holly["enabledUser"] == "true"
    assert holly["roles"][0]["role"] == "student"
    assert holly["primaryOrg"]["sourcedId"] == holly["roles"][0]["org"]["sourcedId"]


def test_students_and_teachers_hold_only_their_own_kind(api: Api) -> None:
    assert set(by_name(api, "students")) == {"Holly", "Hugo", "Lila"}
    assert set(by_name(api, "teachers")) == {"Lou"}
    assert set(by_name(api)) == {"Holly", "Hugo", "Lila", "Hana", "Leo", "Lou"}


def test_an_unknown_object_is_unknownobject_404(api: Api) -> None:
    for path in ("users/nobody", "students/nobody", "schools/nowhere/students"):
        response = api.get(path)
        assert response.status_code == 404
        body = response.json()
        assert_valid(body, "imsx_StatusInfoDType")
        field = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]
        assert field["imsx_codeMinorFieldValue"] == "unknownobject"
        assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")


def test_a_parent_is_not_a_student(api: Api) -> None:
    hana = by_name(api)["Hana"]
    assert api.get(f"students/{hana['sourcedId']}").status_code == 404
    assert api.get(f"users/{hana['sourcedId']}").status_code == 200


def test_a_school_limited_client_sees_only_that_schools_people(make_api: Any, cast: Any) -> None:
    lakeside = make_api(cast.lakeside)
    assert set(by_name(lakeside)) == {"Lila", "Leo"}
    schools = only(lakeside.json("schools"))
    assert [school["identifier"] for school in schools] == ["20"]
    hillcrest = make_api()
    holly = by_name(hillcrest)["Holly"]["sourcedId"]
    assert lakeside.get(f"users/{holly}").status_code == 404
    assert [c["classCode"] for c in only(lakeside.json("classes"))] == ["ART-7"]
    assert {e["user"]["sourcedId"] for e in only(lakeside.json("enrollments"))} == {
        by_name(lakeside)["Lila"]["sourcedId"]
    }
