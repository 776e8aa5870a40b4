"""The schema checks themselves fail on what the definition forbids."""

from __future__ import annotations

import pytest

from tests.api.schema import ONE_USER, STATUS_INFO, check

ORG = {"href": "http://t/ims/oneroster/rostering/v1p2/orgs/1", "sourcedId": "1", "type": "org"}
GOOD = {
    "sourcedId": "s1",
    "status": "active",
    "dateLastModified": "2026-01-01T00:00:00.000Z",
    "enabledUser": "true",
    "givenName": "A",
    "familyName": "B",
    "roles": [{"roleType": "primary", "role": "student", "org": ORG}],
}


def test_a_good_user_passes() -> None:
    check({"user": GOOD}, ONE_USER)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nickname": "x"}, "unknown field 'nickname'"),
        ({"enabledUser": True}, "is not a string"),
        ({"status": "inactive"}, "not one of"),
        ({"roles": []}, "too few items"),
    ],
)
def test_a_bad_user_fails(change: dict[str, object], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check({"user": GOOD | change}, ONE_USER)


def test_a_missing_required_field_fails() -> None:
    user = dict(GOOD)
    del user["familyName"]
    with pytest.raises(AssertionError, match="required field 'familyName'"):
        check({"user": user}, ONE_USER)


def test_status_info_code_minor_is_closed() -> None:
    info = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "nope"}
            ]
        },
    }
    with pytest.raises(AssertionError, match="not one of"):
        check(info, STATUS_INFO)
