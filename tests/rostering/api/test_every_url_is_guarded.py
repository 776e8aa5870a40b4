"""Every URL of the OneRoster API refuses whoever brings no client's token, a signed-in
district admin included: a session is not a token."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tutela.rostering.api.records import COLLECTIONS
from tutela.rostering.api.urls import NESTED_PATHS

pytestmark = pytest.mark.django_db

URLS: dict[str, dict[str, str]] = {
    **{f"oneroster:{name}": {} for name in COLLECTIONS},
    **{f"oneroster:{name}-object": {"sourced_id": "x"} for name in COLLECTIONS},
    **{f"oneroster:{name}": {"sourced_id": "x"} for name in NESTED_PATHS},
    **{
        f"oneroster:school-class-{listed}": {"school_id": "x", "class_id": "y"}
        for listed in ("enrollments", "students", "teachers")
    },
    "oauth-token": {},
}


@pytest.mark.parametrize("name", sorted(URLS))
@pytest.mark.parametrize("who", ["anonymous", "dana"])
def test_no_token_no_answer(cast: Cast, name: str, who: str) -> None:
    client = Client()
    if who == "dana":
        client.force_login(cast.dana)
    url = reverse(name, kwargs=URLS[name])
    response = client.post(url) if name == "oauth-token" else client.get(url)
    assert response.status_code in ({400, 401} if name == "oauth-token" else {401})
    assert "access_token" not in response.json()
