"""Every OneRoster URL refuses anyone without a client's bearer token, a signed-in staff member
or parent included: a session is not a token."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import BASE
from tests.cast import Cast

pytestmark = pytest.mark.django_db

URLS = {
    "oneroster:users": f"{BASE}/users",
    "oneroster:user": f"{BASE}/users/x",
    "oneroster:students": f"{BASE}/students",
    "oneroster:student": f"{BASE}/students/x",
    "oneroster:orgs": f"{BASE}/orgs",
    "oneroster:org": f"{BASE}/orgs/x",
    "oneroster:schools": f"{BASE}/schools",
    "oneroster:school": f"{BASE}/schools/x",
    "oneroster:school-students": f"{BASE}/schools/x/students",
    "oneroster:unknown": f"{BASE}/nothing",
    "oauth-token": "/oauth/token",
}


@pytest.mark.parametrize("name", [name for name in URLS if name != "oauth-token"])
@pytest.mark.parametrize("who", ["nobody", "staff", "parent"])
def test_oneroster_needs_a_token(cast: Cast, name: str, who: str) -> None:
    web = Client()
    if who == "staff":
        web.force_login(cast.dana)
    elif who == "parent":
        web.force_login(cast.hana)
    response = web.get(URLS[name])
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_token_endpoint_wants_a_client(cast: Cast) -> None:
    web = Client()
    web.force_login(cast.dana)
    response = web.post(URLS["oauth-token"], {"grant_type": "client_credentials"})
    assert response.status_code == 401
    assert "access_token" not in response.json()
