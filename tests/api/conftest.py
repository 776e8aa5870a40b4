"""A client of the OneRoster API and its bearer token, on the named cast."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.cast import Cast
from tutela.api.services import NewClient, add_client
from tutela.people.models import School

TOKEN_URL = "/oauth/token"
BASE = "/ims/oneroster/rostering/v1p2"
ROSTER = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly"


def basic(client: NewClient) -> str:
    pair = f"{client.client_id}:{client.client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def fetch_token(web: Client, client: NewClient, scope: str | None = None) -> Any:
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return web.post(TOKEN_URL, data, HTTP_AUTHORIZATION=basic(client))


@pytest.fixture
def make_client(db: None) -> Callable[..., NewClient]:
    def make(name: str = "Classroom app", schools: list[School] | None = None) -> NewClient:
        return add_client(name=name, schools=schools or [])

    return make


@pytest.fixture
def api(cast: Cast, make_client: Callable[..., NewClient]) -> Callable[..., Any]:
    """GET an endpoint with a district-wide client's token."""
    web = Client()
    token = fetch_token(web, make_client()).json()["access_token"]

    def get(path: str, **params: str) -> Any:
        return web.get(f"{BASE}/{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")

    return get
