"""The OneRoster 1.2 Rostering service: read-only, for OAuth 2.0 clients.

Each request is authorised by a bearer token of a registered client (``clients.py``) with a
read scope of the binding, counted against the client's rate limit, answered from the
client's own roster (``records.py``) and logged: which client, what it asked, how many
records it was given, never the token. Refusals are the binding's ``imsx_StatusInfo``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from oauth2_provider.oauth2_backends import get_oauthlib_core

from tutela.rostering.listings import LISTED_KINDS
from tutela.rostering.models import ClientRequest, RosteringClient

from .query import Query, QueryError, Record, parse_fields, parse_query
from .records import COLLECTIONS, Collection, Rostering

logger = logging.getLogger(__name__)

READ_SCOPES = (
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
)
RATE_WINDOW = timedelta(minutes=1)
TOO_MANY = 429


def status_info(status: int, code_minor: str, description: str) -> JsonResponse:
    """A refusal as the binding's ``imsx_StatusInfo``."""
    return JsonResponse(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": "TargetEndSystem",
                        "imsx_codeMinorFieldValue": code_minor,
                    }
                ]
            },
        },
        status=status,
    )


def _authorise(request: HttpRequest) -> RosteringClient | JsonResponse:
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        refused = status_info(
            401, "unauthorisedrequest", "a valid bearer token is needed (POST /oauth/token)"
        )
        refused["WWW-Authenticate"] = 'Bearer realm="oneroster"'
        return refused
    token = oauth_request.access_token
    client = (
        RosteringClient.objects.filter(application_id=token.application_id)
        .prefetch_related("schools")
        .first()
    )
    if client is None:
        return status_info(403, "forbidden", "this token's client is not a rostering client")
    if not any(token.allow_scopes([scope]) for scope in READ_SCOPES):
        return status_info(
            403, "forbidden", "this token has no rostering read scope (roster.readonly)"
        )
    return client


def _retry_after(client: RosteringClient) -> int | None:
    """Seconds until ``client`` may ask again, or None while it is within its limit."""
    limit = settings.TUTELA_ONEROSTER_RATE_LIMIT
    now = timezone.now()
    recent = ClientRequest.objects.filter(client=client, at__gt=now - RATE_WINDOW).exclude(
        status=TOO_MANY
    )
    if recent.count() < limit:
        return None
    # The request that must leave the window before the client is under its limit again.
    leaving = recent.order_by("-at").values_list("at", flat=True)[limit - 1]
    return max(1, math.ceil((leaving + RATE_WINDOW - now).total_seconds()))


def _endpoint(request: HttpRequest) -> str:
    params = [(k, v) for k, v in request.GET.items() if k != "access_token"]
    query = f"?{urlencode(params)}" if params else ""
    return f"{request.path}{query}"[:500]


def _record(client: RosteringClient, request: HttpRequest, status: int, count: int) -> None:
    endpoint = _endpoint(request)
    ClientRequest.objects.create(client=client, endpoint=endpoint, status=status, count=count)
    logger.info("OneRoster client %s: %s -> %s, %s records", client.name, endpoint, status, count)


Answer = Callable[[HttpRequest, Rostering], tuple[JsonResponse, int]]


def _serve(request: HttpRequest, answer: Answer) -> JsonResponse:
    authorised = _authorise(request)
    if isinstance(authorised, JsonResponse):
        return authorised
    client = authorised
    wait = _retry_after(client)
    if wait is not None:
        refused = status_info(
            TOO_MANY, "server_busy", f"too many requests: try again in {wait} seconds"
        )
        refused["Retry-After"] = str(wait)
        _record(client, request, TOO_MANY, 0)
        return refused
    root = reverse("oneroster:orgs").removesuffix("orgs")
    schools = list(client.schools.all()) or None
    rostering = Rostering(base_url=request.build_absolute_uri(root), schools=schools)
    try:
        response, count = answer(request, rostering)
    except QueryError as error:
        response, count = status_info(400, error.code_minor, error.description), 0
    _record(client, request, response.status_code, count)
    return response


def _links(request: HttpRequest, total: int, limit: int, offset: int) -> str:
    here = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.GET.items() if k not in {"limit", "offset"}}

    def link(at: int, rel: str) -> str:
        return f'<{here}?{urlencode({**params, "limit": limit, "offset": at})}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = [link(0, "first"), link(last, "last")]
    if offset + limit < total:
        links.insert(0, link(offset + limit, "next"))
    if offset > 0:
        links.append(link(max(0, offset - limit), "prev"))
    return ", ".join(links)


def _answer(
    request: HttpRequest, collection: Collection, query: Query, page: list[Record], total: int
) -> tuple[JsonResponse, int]:
    response = JsonResponse({collection.name: [query.shape(record) for record in page]})
    response["X-Total-Count"] = str(total)
    response["Link"] = _links(request, total, query.limit, query.offset)
    return response, len(page)


def _page(
    request: HttpRequest, collection: Collection, records: list[Record]
) -> tuple[JsonResponse, int]:
    query = parse_query(request.GET, collection.fields)
    selected = query.select(records)
    return _answer(request, collection, query, query.page(selected), len(selected))


def _find(records: list[Record], sourced_id: str) -> Record | None:
    return next((record for record in records if record["sourcedId"] == sourced_id), None)


def _unknown(collection: str, sourced_id: str) -> tuple[JsonResponse, int]:
    return status_info(404, "unknownobject", f"{collection}/{sourced_id}: no such object"), 0


@require_GET
def collection(request: HttpRequest, *, name: str) -> JsonResponse:
    """``GET /{collection}``: a page of the collection. A page of users in sourcedId order
    with no filter (how a client walks them all) is read from the scope's listing, without
    the whole roster."""
    chosen = COLLECTIONS[name]

    def answer(request: HttpRequest, rostering: Rostering) -> tuple[JsonResponse, int]:
        query = parse_query(request.GET, chosen.fields)
        walk = query.predicate is None and query.sort == "sourcedId" and not query.descending
        if name not in LISTED_KINDS or not walk:
            return _page(request, chosen, chosen.read(rostering))
        page, total = rostering.user_page(name, offset=query.offset, limit=query.limit)
        return _answer(request, chosen, query, page, total)

    return _serve(request, answer)


@require_GET
def single(request: HttpRequest, sourced_id: str, *, name: str) -> JsonResponse:
    """``GET /{collection}/{sourcedId}``: one object."""
    chosen = COLLECTIONS[name]

    def answer(request: HttpRequest, rostering: Rostering) -> tuple[JsonResponse, int]:
        fields = parse_fields(request.GET, chosen.fields)
        if name in LISTED_KINDS:
            found = rostering.user(name, sourced_id)
        else:
            found = _find(chosen.read(rostering), sourced_id)
        if found is None:
            return _unknown(name, sourced_id)
        shaped = {key: found[key] for key in fields if key in found} if fields else found
        return JsonResponse({chosen.singular: shaped}), 1

    return _serve(request, answer)


def _org_of(record: Record, key: str) -> str:
    value: Any = record.get(key, {})
    return str(value.get("sourcedId", "")) if isinstance(value, dict) else ""


def _role_orgs(record: Record) -> set[str]:
    return {role["org"]["sourcedId"] for role in record.get("roles", ())}


def _classes_of_users(rostering: Rostering, users: set[str]) -> list[Record]:
    ids = {
        e["class"]["sourcedId"] for e in rostering.enrollments if e["user"]["sourcedId"] in users
    }
    return [record for record in rostering.classes if record["sourcedId"] in ids]


def _users_of_class(rostering: Rostering, class_id: str, role: str) -> list[Record]:
    ids = {
        e["user"]["sourcedId"]
        for e in rostering.enrollments
        if e["class"]["sourcedId"] == class_id and e["role"] == role
    }
    people = rostering.students if role == "student" else rostering.teachers
    return [record for record in people if record["sourcedId"] in ids]


# The nested collections: (the owner's collection, what is listed) -> what belongs to the owner.
Related = Callable[[Rostering, str], list[Record]]
NESTED: dict[str, tuple[str, str, Related]] = {
    "school-students": (
        "schools",
        "students",
        lambda r, i: [u for u in r.students if i in _role_orgs(u)],
    ),
    "school-teachers": (
        "schools",
        "teachers",
        lambda r, i: [u for u in r.teachers if i in _role_orgs(u)],
    ),
    "school-classes": (
        "schools",
        "classes",
        lambda r, i: [c for c in r.classes if _org_of(c, "school") == i],
    ),
    "school-courses": (
        "schools",
        "courses",
        lambda r, i: [c for c in r.courses if _org_of(c, "org") == i],
    ),
    "school-enrollments": (
        "schools",
        "enrollments",
        lambda r, i: [e for e in r.enrollments if _org_of(e, "school") == i],
    ),
    "school-terms": ("schools", "terms", lambda r, i: r.terms),
    "class-students": ("classes", "students", lambda r, i: _users_of_class(r, i, "student")),
    "class-teachers": ("classes", "teachers", lambda r, i: _users_of_class(r, i, "teacher")),
    "course-classes": (
        "courses",
        "classes",
        lambda r, i: [c for c in r.classes if _org_of(c, "course") == i],
    ),
    "term-classes": (
        "terms",
        "classes",
        lambda r, i: [c for c in r.classes if i in {t["sourcedId"] for t in c["terms"]}],
    ),
    "student-classes": ("students", "classes", lambda r, i: _classes_of_users(r, {i})),
    "teacher-classes": ("teachers", "classes", lambda r, i: _classes_of_users(r, {i})),
    "user-classes": ("users", "classes", lambda r, i: _classes_of_users(r, {i})),
}


@require_GET
def nested(request: HttpRequest, sourced_id: str, *, name: str) -> JsonResponse:
    """``GET /{collection}/{sourcedId}/{related}``: a page of what belongs to one object."""
    owner, listed, related = NESTED[name]

    def answer(request: HttpRequest, rostering: Rostering) -> tuple[JsonResponse, int]:
        if _find(COLLECTIONS[owner].read(rostering), sourced_id) is None:
            return _unknown(owner, sourced_id)
        return _page(request, COLLECTIONS[listed], related(rostering, sourced_id))

    return _serve(request, answer)


@require_GET
def school_class(
    request: HttpRequest, school_id: str, class_id: str, *, listed: str
) -> JsonResponse:
    """``GET /schools/{id}/classes/{id}/{enrollments|students|teachers}``."""

    def answer(request: HttpRequest, rostering: Rostering) -> tuple[JsonResponse, int]:
        if _find(rostering.schools_list, school_id) is None:
            return _unknown("schools", school_id)
        found = _find(rostering.classes, class_id)
        if found is None or _org_of(found, "school") != school_id:
            return _unknown(f"schools/{school_id}/classes", class_id)
        if listed == "enrollments":
            records = [e for e in rostering.enrollments if e["class"]["sourcedId"] == class_id]
        else:
            records = _users_of_class(rostering, class_id, listed.removesuffix("s"))
        return _page(request, COLLECTIONS[listed], records)

    return _serve(request, answer)
