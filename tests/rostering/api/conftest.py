"""A OneRoster client of the cast's district, its token, and requests made with it."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from tests.cast import Cast
from tests.factories import AccountFactory, SectionFactory
from tutela.core.audit import command_line_user
from tutela.people.models import School
from tutela.rostering.clients import NewClient, add_client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ROOT = "/ims/oneroster/rostering/v1p2/"
CORE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
ROSTER = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"
DEMOGRAPHICS = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly"


def basic(made: NewClient) -> str:
    pair = f"{made.client_id}:{made.client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def ask_token(made: NewClient, **data: str) -> TestResponse:
    return Client().post(
        "/oauth/token",
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION=basic(made),
    )


@dataclass
class Api:
    """A client's bearer token and GETs made with it."""

    made: NewClient
    token: str

    def get(self, path: str, **params: Any) -> TestResponse:
        return Client().get(ROOT + path, params, HTTP_AUTHORIZATION=f"Bearer {self.token}")

    def json(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, response.content
        return response.json()


def api_for(*schools: School, scope: str = "") -> Api:
    made = add_client(actor=command_line_user(), name="Canvas", schools=schools)
    answer = ask_token(made, **({"scope": scope} if scope else {}))
    assert answer.status_code == 200, answer.content
    return Api(made, answer.json()["access_token"])


@pytest.fixture
def classes(cast: Cast) -> None:
    """Lou teaches Holly's class at Hillcrest; Lakeside has a class of Lila's with no teacher."""
    lou = AccountFactory.create(username="lou", first_name="Lou", last_name="Lane")
    SectionFactory.create(
        section_id="MATH-3",
        name="Math 3",
        school=cast.hillcrest,
        teachers=[lou],
        students=[cast.holly],
    )
    SectionFactory.create(
        section_id="ART-7", name="Art 7", school=cast.lakeside, students=[cast.lila]
    )


@pytest.fixture
def api(cast: Cast, classes: None) -> Api:
    return api_for()


@pytest.fixture
def make_api(cast: Cast, classes: None) -> Callable[..., Api]:
    return api_for
