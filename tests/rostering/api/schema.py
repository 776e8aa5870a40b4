"""The project's own checks of 1EdTech's OneRoster 1.2 Rostering schemas (the OpenAPI
definition of the REST binding, ``components/schemas``), written out from the specification.

Each type lists its properties, which of them are required, and what each holds: a string (an
enumeration, a date, a date-time, a URI, an ``ext:`` extension when the vocabulary allows one),
a reference to another type, or an array of one. Every object is closed
(``additionalProperties: false``) except the metadata and credential types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
URI = re.compile(r"[a-z][a-z0-9+.-]*://\S+\Z")
EXTENSION = re.compile(r"(ext:)[a-zA-Z0-9\.\-_]+")
STATUS = ("active", "tobedeleted")
BOOLEAN = ("true", "false")


@dataclass(frozen=True)
class Kind:
    """What one property holds: ``string`` (with an enum, a format, an extension pattern),
    ``ref`` to another type, or an ``array`` of one of those (with ``min_items``)."""

    kind: str
    enum: tuple[str, ...] = ()
    format: str = ""
    extensible: bool = False
    ref: str = ""
    item: Kind | None = None
    min_items: int = 0


S = Kind("string")
DATE_S = Kind("string", format="date")
DATE_TIME_S = Kind("string", format="date-time")
URI_S = Kind("string", format="uri")


def enum(*values: str, extensible: bool = False) -> Kind:
    return Kind("string", enum=values, extensible=extensible)


def ref(name: str) -> Kind:
    return Kind("ref", ref=name)


def array(item: Kind, min_items: int = 0) -> Kind:
    return Kind("array", item=item, min_items=min_items)


@dataclass(frozen=True)
class Type:
    properties: dict[str, Kind]
    required: tuple[str, ...]
    closed: bool = True
    extra: dict[str, Kind] = field(default_factory=dict)


BASE = {
    "sourcedId": S,
    "status": enum(*STATUS),
    "dateLastModified": DATE_TIME_S,
    "metadata": ref("MetadataDType"),
}
BASE_REQUIRED = ("sourcedId", "status", "dateLastModified")


def guid_ref(kind: str) -> Type:
    return Type({"href": URI_S, "sourcedId": S, "type": enum(kind)}, ("href", "sourcedId", "type"))


TYPES: dict[str, Type] = {
    "MetadataDType": Type({}, (), closed=False),
    "AcadSessionGUIDRefDType": guid_ref("academicSession"),
    "ClassGUIDRefDType": guid_ref("class"),
    "CourseGUIDRefDType": guid_ref("course"),
    "OrgGUIDRefDType": guid_ref("org"),
    "ResourceGUIDRefDType": guid_ref("resource"),
    "UserGUIDRefDType": guid_ref("user"),
    "AcademicSessionDType": Type(
        {
            **BASE,
            "title": S,
            "startDate": DATE_S,
            "endDate": DATE_S,
            "type": enum("gradingPeriod", "semester", "schoolYear", "term", extensible=True),
            "parent": ref("AcadSessionGUIDRefDType"),
            "children": array(ref("AcadSessionGUIDRefDType")),
            "schoolYear": S,
        },
        (*BASE_REQUIRED, "title", "startDate", "endDate", "type", "schoolYear"),
    ),
    "ClassDType": Type(
        {
            **BASE,
            "title": S,
            "classCode": S,
            "classType": enum("homeroom", "scheduled", extensible=True),
            "location": S,
            "grades": array(S),
            "subjects": array(S),
            "course": ref("CourseGUIDRefDType"),
            "school": ref("OrgGUIDRefDType"),
            "terms": array(ref("AcadSessionGUIDRefDType"), min_items=1),
            "subjectCodes": array(S),
            "periods": array(S),
            "resources": array(ref("ResourceGUIDRefDType")),
        },
        (*BASE_REQUIRED, "title", "course", "school", "terms"),
    ),
    "CourseDType": Type(
        {
            **BASE,
            "title": S,
            "schoolYear": ref("AcadSessionGUIDRefDType"),
            "courseCode": S,
            "grades": array(S),
            "subjects": array(S),
            "org": ref("OrgGUIDRefDType"),
            "subjectCodes": array(S),
            "resources": array(ref("ResourceGUIDRefDType")),
        },
        (*BASE_REQUIRED, "title", "courseCode"),
    ),
    "EnrollmentDType": Type(
        {
            **BASE,
            "user": ref("UserGUIDRefDType"),
            "class": ref("ClassGUIDRefDType"),
            "school": ref("OrgGUIDRefDType"),
            "role": enum("administrator", "proctor", "student", "teacher", extensible=True),
            "primary": enum(*BOOLEAN),
            "beginDate": DATE_S,
            "endDate": DATE_S,
        },
        (*BASE_REQUIRED, "user", "class", "school", "role"),
    ),
    "OrgDType": Type(
        {
            **BASE,
            "name": S,
            "type": enum(
                "department", "district", "local", "national", "school", "state", extensible=True
            ),
            "identifier": S,
            "parent": ref("OrgGUIDRefDType"),
            "children": array(ref("OrgGUIDRefDType")),
        },
        (*BASE_REQUIRED, "name", "type", "identifier"),
    ),
    "RoleDType": Type(
        {
            "roleType": enum("primary", "secondary"),
            "role": enum(
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
                extensible=True,
            ),
            "org": ref("OrgGUIDRefDType"),
            "userProfile": URI_S,
            "beginDate": DATE_S,
            "endDate": DATE_S,
        },
        ("roleType", "role", "org"),
    ),
    "UserIdDType": Type({"type": S, "identifier": S}, ("type", "identifier")),
    "CredentialDType": Type(
        {"type": S, "username": S, "password": S}, ("type", "username"), closed=False
    ),
    "UserProfileDType": Type(
        {
            "profileId": URI_S,
            "profileType": S,
            "vendorId": S,
            "applicationId": S,
            "description": S,
            "credentials": array(ref("CredentialDType")),
        },
        ("profileId", "profileType", "vendorId"),
    ),
    "UserDType": Type(
        {
            **BASE,
            "userMasterIdentifier": S,
            "username": S,
            "userIds": array(ref("UserIdDType")),
            "enabledUser": enum(*BOOLEAN),
            "givenName": S,
            "familyName": S,
            "middleName": S,
            "preferredFirstName": S,
            "preferredMiddleName": S,
            "preferredLastName": S,
            "pronouns": S,
            "roles": array(ref("RoleDType"), min_items=1),
            "userProfiles": array(ref("UserProfileDType")),
            "primaryOrg": ref("OrgGUIDRefDType"),
            "identifier": S,
            "email": S,
            "sms": S,
            "phone": S,
            "agents": array(ref("UserGUIDRefDType")),
            "grades": array(S),
            "password": S,
            "resources": array(ref("ResourceGUIDRefDType")),
        },
        (*BASE_REQUIRED, "enabledUser", "givenName", "familyName", "roles"),
    ),
    "imsx_CodeMinorFieldDType": Type(
        {
            "imsx_codeMinorFieldName": S,
            "imsx_codeMinorFieldValue": enum(
                "fullsuccess",
                "invalid_filter_field",
                "invalid_selection_field",
                "invaliddata",
                "unauthorisedrequest",
                "forbidden",
                "server_busy",
                "unknownobject",
                "internal_server_error",
            ),
        },
        ("imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"),
    ),
    "imsx_CodeMinorDType": Type(
        {"imsx_codeMinorField": array(ref("imsx_CodeMinorFieldDType"), min_items=1)},
        ("imsx_codeMinorField",),
    ),
    "imsx_StatusInfoDType": Type(
        {
            "imsx_codeMajor": enum("success", "processing", "failure", "unsupported"),
            "imsx_severity": enum("status", "warning", "error"),
            "imsx_description": S,
            "imsx_CodeMinor": ref("imsx_CodeMinorDType"),
        },
        ("imsx_codeMajor", "imsx_severity"),
    ),
}
# The payloads: a collection ("UserSetDType": {"users": [...]}) or one object
# ("SingleUserDType": {"user": {...}}).
for _single, _set, _key, _plural in (
    ("AcademicSessionDType", "AcademicSessionSetDType", "academicSession", "academicSessions"),
    ("ClassDType", "ClassSetDType", "class", "classes"),
    ("CourseDType", "CourseSetDType", "course", "courses"),
    ("EnrollmentDType", "EnrollmentSetDType", "enrollment", "enrollments"),
    ("OrgDType", "OrgSetDType", "org", "orgs"),
    ("UserDType", "UserSetDType", "user", "users"),
):
    TYPES[_set] = Type({_plural: array(ref(_single))}, ())
    TYPES["Single" + _single] = Type({_key: ref(_single)}, (_key,))


def _check_string(value: Any, kind: Kind, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {value!r} is not a string"]
    extension = kind.extensible and EXTENSION.fullmatch(value)
    if kind.enum and value not in kind.enum and not extension:
        return [f"{where}: {value!r} is not one of {kind.enum}"]
    pattern = {"date": DATE, "date-time": DATE_TIME, "uri": URI}.get(kind.format)
    if pattern is not None and not pattern.match(value):
        return [f"{where}: {value!r} is not a {kind.format}"]
    return []


def _check(value: Any, kind: Kind, where: str) -> list[str]:
    if kind.kind == "string":
        return _check_string(value, kind, where)
    if kind.kind == "ref":
        return errors(value, kind.ref, where)
    assert kind.item is not None
    if not isinstance(value, list):
        return [f"{where}: {value!r} is not an array"]
    if len(value) < kind.min_items:
        return [f"{where}: fewer than {kind.min_items} items"]
    return [e for i, item in enumerate(value) for e in _check(item, kind.item, f"{where}[{i}]")]


def errors(value: Any, type_name: str, where: str = "$") -> list[str]:
    """Every way ``value`` breaks the definition's ``type_name``; empty when it is valid."""
    schema = TYPES[type_name]
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not an object"]
    found = [f"{where}: required {name!r} missing" for name in schema.required if name not in value]
    for name, item in value.items():
        kind = schema.properties.get(name)
        if kind is None:
            if schema.closed:
                found.append(f"{where}: unknown property {name!r}")
            continue
        found += _check(item, kind, f"{where}.{name}")
    return found


def assert_valid(value: Any, type_name: str) -> None:
    found = errors(value, type_name)
    assert found == [], "\n".join(found)
