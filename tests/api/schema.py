"""OneRoster 1.2 Rostering's JSON schemas, written out from 1EdTech's OpenAPI definition of the
service (``UserDType``, ``OrgDType``, ``RoleDType``, the GUID references, ``imsx_StatusInfoDType``):
their required fields, their closed sets of properties (``additionalProperties: false``) and
their enumerations. ``check`` names the first thing wrong, so a test fails saying where.
"""

from __future__ import annotations

import re
from typing import Any

Spec = dict[str, Any]

STRING: Spec = {"type": "string"}
DATETIME: Spec = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"}
STATUS: Spec = {"type": "string", "enum": ["active", "tobedeleted"]}
METADATA: Spec = {"type": "object", "open": True}


def ref(kind: str) -> Spec:
    return {
        "type": "object",
        "required": ["href", "sourcedId", "type"],
        "properties": {
            "href": {"type": "string", "pattern": r"^https?://"},
            "sourcedId": STRING,
            "type": {"type": "string", "enum": [kind]},
        },
    }


ORG_REF = ref("org")
USER_REF = ref("user")

ROLE: Spec = {
    "type": "object",
    "required": ["roleType", "role", "org"],
    "properties": {
        "roleType": {"type": "string", "enum": ["primary", "secondary"]},
        "role": {
            "type": "string",
            "enum": [
                "aide",
                "counselor",
                "districtAdministrator",
                "guardian",
                "parent",
                "principal",
                "proctor",
                "relative",
                "siteAdministrator",
                "student",
                "systemAdministrator",
                "teacher",
            ],
        },
        "org": ORG_REF,
        "userProfile": STRING,
        "beginDate": STRING,
        "endDate": STRING,
    },
}

USER_ID: Spec = {
    "type": "object",
    "required": ["type", "identifier"],
    "properties": {"type": STRING, "identifier": STRING},
}

USER: Spec = {
    "type": "object",
    "required": [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "givenName",
        "familyName",
        "roles",
    ],
    "properties": {
        "sourcedId": STRING,
        "status": STATUS,
        "dateLastModified": DATETIME,
        "metadata": METADATA,
        "userMasterIdentifier": STRING,
        "username": STRING,
        "userIds": {"type": "array", "items": USER_ID},
        "enabledUser": {"type": "string", "enum": ["true", "false"]},
        "givenName": STRING,
        "familyName": STRING,
        "middleName": STRING,
        "preferredFirstName": STRING,
        "preferredMiddleName": STRING,
        "preferredLastName": STRING,
        "pronouns": STRING,
        "roles": {"type": "array", "items": ROLE, "minItems": 1},
        "userProfiles": {"type": "array", "items": METADATA},
        "primaryOrg": ORG_REF,
        "identifier": STRING,
        "email": STRING,
        "sms": STRING,
        "phone": STRING,
        "agents": {"type": "array", "items": USER_REF},
        "grades": {"type": "array", "items": STRING},
        "password": STRING,
        "resources": {"type": "array", "items": METADATA},
    },
}

ORG: Spec = {
    "type": "object",
    "required": ["sourcedId", "status", "dateLastModified", "name", "type"],
    "properties": {
        "sourcedId": STRING,
        "status": STATUS,
        "dateLastModified": DATETIME,
        "metadata": METADATA,
        "name": STRING,
        "type": {
            "type": "string",
            "enum": ["department", "district", "local", "national", "school", "state"],
        },
        "identifier": STRING,
        "parent": ORG_REF,
        "children": {"type": "array", "items": ORG_REF},
    },
}

CODE_MINOR_FIELD: Spec = {
    "type": "object",
    "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
    "properties": {
        "imsx_codeMinorFieldName": STRING,
        "imsx_codeMinorFieldValue": {
            "type": "string",
            "enum": [
                "fullsuccess",
                "invalid_filter_field",
                "invalid_selection_field",
                "invaliddata",
                "unauthorisedrequest",
                "forbidden",
                "server_busy",
                "unknownobject",
                "internal_server_error",
            ],
        },
    },
}

STATUS_INFO: Spec = {
    "type": "object",
    "required": ["imsx_codeMajor", "imsx_severity"],
    "properties": {
        "imsx_codeMajor": {
            "type": "string",
            "enum": ["success", "processing", "failure", "unsupported"],
        },
        "imsx_severity": {"type": "string", "enum": ["status", "warning", "error"]},
        "imsx_description": STRING,
        "imsx_CodeMinor": {
            "type": "object",
            "required": ["imsx_codeMinorField"],
            "properties": {
                "imsx_codeMinorField": {
                    "type": "array",
                    "items": CODE_MINOR_FIELD,
                    "minItems": 1,
                }
            },
        },
    },
}


def collection(key: str, item: Spec) -> Spec:
    return {"type": "object", "required": [], "properties": {key: {"type": "array", "items": item}}}


def single(key: str, item: Spec) -> Spec:
    return {"type": "object", "required": [key], "properties": {key: item}}


USERS = collection("users", USER)
ORGS = collection("orgs", ORG)
ONE_USER = single("user", USER)
ONE_ORG = single("org", ORG)


def check(value: Any, spec: Spec, where: str = "$") -> None:
    """Raise ``AssertionError`` naming the first place ``value`` breaks ``spec``."""
    kind = spec["type"]
    if kind == "string":
        assert isinstance(value, str), f"{where}: {value!r} is not a string"
        if "enum" in spec:
            assert value in spec["enum"], f"{where}: {value!r} not one of {spec['enum']}"
        if "pattern" in spec:
            assert re.search(spec["pattern"], value), f"{where}: {value!r} has the wrong form"
    elif kind == "array":
        assert isinstance(value, list), f"{where}: {value!r} is not an array"
        assert len(value) >= spec.get("minItems", 0), f"{where}: too few items"
        for index, item in enumerate(value):
            check(item, spec["items"], f"{where}[{index}]")
    elif kind == "object":
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        if spec.get("open"):
            return
        for name in spec["required"]:
            assert name in value, f"{where}: required field {name!r} is missing"
        for name, item in value.items():
            assert name in spec["properties"], f"{where}: unknown field {name!r}"
            check(item, spec["properties"][name], f"{where}.{name}")


def check_fields(value: dict[str, Any], spec: Spec, where: str = "$") -> None:
    """``check`` for a record shaped by ``fields``: only what it holds, nothing unknown."""
    for name, item in value.items():
        assert name in spec["properties"], f"{where}: unknown field {name!r}"
        check(item, spec["properties"][name], f"{where}.{name}")
