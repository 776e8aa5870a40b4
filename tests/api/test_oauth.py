"""OAuth 2.0 client credentials: tokens, their scopes and expiry, 401 and 403."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from tests.api.conftest import BASE, ROSTER, fetch_token
from tests.api.schema import STATUS_INFO, check
from tests.cast import Cast
from tutela.api.services import NewClient

pytestmark = pytest.mark.django_db
CORE = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"
DEMOGRAPHICS = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly"


def code_minor(response: Any) -> str:
    body = response.json()
    check(body, STATUS_INFO)
    value: str = body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    return value


def test_a_token_by_client_credentials(make_client: Callable[..., NewClient]) -> None:
    response = fetch_token(Client(), make_client(), ROSTER)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == ROSTER
    assert body["expires_in"] == 3600
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}


def test_without_a_scope_the_read_scopes_are_given(make_client: Callable[..., NewClient]) -> None:
    body = fetch_token(Client(), make_client()).json()
    assert set(body["scope"].split()) == {ROSTER, CORE}


def test_a_wrong_secret_gets_no_token(make_client: Callable[..., NewClient]) -> None:
    client = make_client()
    wrong = NewClient(client.client_id, "not-the-secret")
    response = fetch_token(Client(), wrong)
    assert response.status_code == 401
    assert "access_token" not in response.json()


def test_only_the_secrets_hash_is_kept(make_client: Callable[..., NewClient]) -> None:
    client = make_client()
    stored = Application.objects.get(client_id=client.client_id).client_secret
    assert client.client_secret not in stored
    assert stored.startswith("argon2") or stored.startswith("pbkdf2")


def test_no_token_is_401(cast: Cast) -> None:
    response = Client().get(f"{BASE}/users")
    assert response.status_code == 401
    assert code_minor(response) == "unauthorisedrequest"


def test_an_unknown_token_is_401(cast: Cast) -> None:
    response = Client().get(f"{BASE}/users", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401
    assert code_minor(response) == "unauthorisedrequest"


def test_an_expired_token_is_401(cast: Cast, make_client: Callable[..., NewClient]) -> None:
    web = Client()
    token = fetch_token(web, make_client()).json()["access_token"]
    auth = f"Bearer {token}"
    assert web.get(f"{BASE}/users", HTTP_AUTHORIZATION=auth).status_code == 200
    AccessToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    response = web.get(f"{BASE}/users", HTTP_AUTHORIZATION=auth)
    assert response.status_code == 401
    assert code_minor(response) == "unauthorisedrequest"


def test_a_token_for_demographics_only_is_403(
    cast: Cast, make_client: Callable[..., NewClient]
) -> None:
    web = Client()
    token = fetch_token(web, make_client(), DEMOGRAPHICS).json()["access_token"]
    response = web.get(f"{BASE}/users", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert code_minor(response) == "forbidden"


def test_a_removed_client_s_token_stops_working(
    cast: Cast, make_client: Callable[..., NewClient], tutela: Callable[..., Any]
) -> None:
    web = Client()
    client = make_client()
    token = fetch_token(web, client).json()["access_token"]
    assert tutela("api", "remove-client", client.client_id).code == 0
    response = web.get(f"{BASE}/users", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_the_token_is_never_logged(
    cast: Cast, make_client: Callable[..., NewClient], caplog: pytest.LogCaptureFixture
) -> None:
    web = Client()
    client = make_client()
    token = fetch_token(web, client).json()["access_token"]
    with caplog.at_level("INFO", logger="tutela.api"):
        web.get(f"{BASE}/users", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert token not in caplog.text
    assert client.client_secret not in caplog.text
    assert f"client={client.client_id} endpoint={BASE}/users status=200 count=" in caplog.text


def test_add_list_remove_client(cast: Cast, tutela: Callable[..., Any]) -> None:
    added = tutela("api", "add-client", "Reading app", "--school", "20")
    assert added.code == 0, added.err
    printed = json.loads(added.out)
    assert set(printed) == {"client_id", "client_secret"}
    listed = json.loads(tutela("api", "list-clients").out)
    assert listed[0]["client_id"] == printed["client_id"]
    assert listed[0]["schools"] == ["20"]
    assert printed["client_secret"] not in tutela("api", "list-clients").out
    assert tutela("api", "remove-client", printed["client_id"]).code == 0
    assert json.loads(tutela("api", "list-clients").out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add-client", "App", "--school", "99"), "--school 99: no school has this number"),
        (("remove-client", "nobody"), "CLIENT_ID nobody: no client has this id"),
    ],
)
def test_client_commands_refuse_bad_input(
    cast: Cast, tutela: Callable[..., Any], args: tuple[str, ...], message: str
) -> None:
    run = tutela("api", *args)
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err


def test_a_client_past_its_rate_limit_gets_429(
    cast: Cast, make_client: Callable[..., NewClient], settings: Any, monkeypatch: Any
) -> None:
    settings.TUTELA_API_RATE_LIMIT = 2
    monkeypatch.setattr("tutela.api.views._seconds", lambda: 6_000_015.0)  # 45 s left
    web = Client()
    token = fetch_token(web, make_client()).json()["access_token"]
    other = fetch_token(web, make_client("Other")).json()["access_token"]
    codes = [
        web.get(f"{BASE}/orgs", HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(2)
    ]
    assert codes == [200, 200]
    response = web.get(f"{BASE}/orgs", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 429
    assert code_minor(response) == "server_busy"
    assert response["Retry-After"] == "45"
    assert web.get(f"{BASE}/orgs", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
