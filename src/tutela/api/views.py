"""The OneRoster 1.2 Rostering REST endpoints (read-only), under ``/ims/oneroster/rostering/v1p2/``.

Every request carries an OAuth 2.0 bearer token from ``/oauth/token``; the client is limited to
its schools (``ClientSchools``). Errors are the binding's ``imsx_StatusInfo``. Each request is
logged with the client, the endpoint and how many records it returned, never the token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_backends import get_oauthlib_core

from tutela.api.models import ClientSchools
from tutela.api.query import ApiError, Record, parse_fields, parse_query
from tutela.api.roster import ORG_FIELDS, USER_FIELDS, Roster
from tutela.people.models import School

logger = logging.getLogger("tutela.api")

# Every endpoint here reads the core roster: either scope gives it.
READ_SCOPES = (
    settings.ONEROSTER_SCOPE + "roster.readonly",
    settings.ONEROSTER_SCOPE + "roster-core.readonly",
)


def status_info(error: ApiError) -> JsonResponse:
    response = JsonResponse(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": error.description,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": "TargetEndSystem",
                        "imsx_codeMinorFieldValue": error.code_minor,
                    }
                ]
            },
        },
        status=error.status,
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="oneroster"'
    return response


def _client(request: HttpRequest) -> AbstractApplication:
    """The client whose valid token came with the request, or 401 / 403."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None)
    if not valid or token is None:
        raise ApiError(401, "unauthorisedrequest", "a valid bearer token is needed")
    if not any(token.allow_scopes([scope]) for scope in READ_SCOPES):
        raise ApiError(403, "forbidden", "the token's scope does not allow reading rosters")
    application: AbstractApplication = token.application
    return application


def _roster(request: HttpRequest, application: AbstractApplication) -> Roster:
    limits = ClientSchools.objects.filter(application=application).first()
    schools: list[School] | None = None
    if limits is not None:
        # A client limited to schools that have all gone reads nothing, never the district.
        schools = list(limits.schools.all())
    return Roster(base=request.build_absolute_uri("/").rstrip("/"), schools=schools)


def _links(request: HttpRequest, offset: int, limit: int, total: int) -> str:
    params = request.GET.copy()

    def url(start: int) -> str:
        params["offset"] = str(start)
        params["limit"] = str(limit)
        return f"<{request.build_absolute_uri(request.path)}?{urlencode(sorted(params.items()))}>"

    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = [f'{url(0)}; rel="first"', f'{url(last)}; rel="last"']
    if offset + limit < total:
        links.append(f'{url(offset + limit)}; rel="next"')
    if offset > 0:
        links.append(f'{url(max(0, offset - limit))}; rel="prev"')
    return ", ".join(links)


Builder = Callable[[Roster], list[Record]]


def _log(request: HttpRequest, client: str, count: int, status: int) -> None:
    logger.info(
        "oneroster client=%s endpoint=%s status=%s count=%s", client, request.path, status, count
    )


RATE_WINDOW_SECONDS = 60


def _seconds() -> float:
    return time.time()


def _check_rate(application: AbstractApplication) -> None:
    """At most ``TUTELA_API_RATE_LIMIT`` requests a minute per client, else 429."""
    now = int(_seconds())
    window = now // RATE_WINDOW_SECONDS
    key = f"tutela-api-rate:{application.client_id}:{window}"
    cache.add(key, 0, RATE_WINDOW_SECONDS * 2)
    if cache.incr(key) > settings.TUTELA_API_RATE_LIMIT:
        retry = RATE_WINDOW_SECONDS - now % RATE_WINDOW_SECONDS
        raise RateLimited(retry)


class RateLimited(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "server_busy", "too many requests: try again later")
        self.retry_after = retry_after


def _answer(
    request: HttpRequest, work: Callable[[AbstractApplication], HttpResponse]
) -> HttpResponse:
    client = "-"
    try:
        application = _client(request)
        client = application.client_id
        _check_rate(application)
        response = work(application)
    except ApiError as error:
        response = status_info(error)
        if isinstance(error, RateLimited):
            response["Retry-After"] = str(error.retry_after)
    _log(request, client, int(response.get("X-Count", "0")), response.status_code)
    del response["X-Count"]
    return response


def collection(key: str, known: frozenset[str], build: Builder) -> Callable[..., HttpResponse]:
    """A collection endpoint: ``{"<key>": [...]}`` paged, sorted, filtered and shaped."""

    @require_GET
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        def work(application: AbstractApplication) -> HttpResponse:
            query = parse_query(request.GET, known)
            page, total = query.select(build(_roster(request, application)))
            response = JsonResponse({key: page})
            response["X-Total-Count"] = str(total)
            response["Link"] = _links(request, query.offset, query.limit, total)
            response["X-Count"] = str(len(page))
            return response

        return _answer(request, work)

    return view


def single(key: str, known: frozenset[str], build: Builder) -> Callable[..., HttpResponse]:
    """One object by its sourcedId: ``{"<key>": {...}}``, or 404 ``unknownobject``."""

    @require_GET
    def view(request: HttpRequest, sourced_id: str) -> HttpResponse:
        def work(application: AbstractApplication) -> HttpResponse:
            fields = parse_fields(request.GET, known)
            for record in build(_roster(request, application)):
                if record["sourcedId"] == sourced_id:
                    shaped = {n: record[n] for n in fields if n in record} if fields else record
                    response = JsonResponse({key: shaped})
                    response["X-Count"] = "1"
                    return response
            raise ApiError(404, "unknownobject", f"no {key} has sourcedId {sourced_id}")

        return _answer(request, work)

    return view


def _students_of_school(sourced_id: str) -> Builder:
    def build(roster: Roster) -> list[Record]:
        if not any(school["sourcedId"] == sourced_id for school in roster.schools_records()):
            raise ApiError(404, "unknownobject", f"no school has sourcedId {sourced_id}")
        return [
            student
            for student in roster.students_records()
            if student["primaryOrg"]["sourcedId"] == sourced_id
        ]

    return build


@require_GET
def school_students(request: HttpRequest, sourced_id: str) -> HttpResponse:
    return collection("users", USER_FIELDS, _students_of_school(sourced_id))(request)


def users_builder(roster: Roster) -> list[Record]:
    return roster.users_records()


def students_builder(roster: Roster) -> list[Record]:
    return roster.students_records()


def orgs_builder(roster: Roster) -> list[Record]:
    return roster.orgs_records()


def schools_builder(roster: Roster) -> list[Record]:
    return roster.schools_records()


users = collection("users", USER_FIELDS, users_builder)
user = single("user", USER_FIELDS, users_builder)
students = collection("users", USER_FIELDS, students_builder)
student = single("user", USER_FIELDS, students_builder)
orgs = collection("orgs", ORG_FIELDS, orgs_builder)
org = single("org", ORG_FIELDS, orgs_builder)
schools = collection("orgs", ORG_FIELDS, schools_builder)
school = single("org", ORG_FIELDS, schools_builder)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """An endpoint the service does not have: still an ``imsx_StatusInfo``, after the token."""

    def work(application: AbstractApplication) -> HttpResponse:
        raise ApiError(404, "unknownobject", f"no endpoint {request.path}")

    return _answer(request, work)
