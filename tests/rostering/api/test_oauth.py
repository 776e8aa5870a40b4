"""OAuth 2.0 client credentials: the token endpoint's answers, 401 and 403, token expiry, the
per-client rate limit and the request log."""

from __future__ import annotations

import base64
import datetime
import logging
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from tests.cast import Cast
from tests.rostering.api.conftest import (
    CORE,
    DEMOGRAPHICS,
    ROOT,
    ROSTER,
    Api,
    api_for,
    ask_token,
)
from tests.rostering.api.schema import assert_valid
from tutela.core.audit import command_line_user
from tutela.rostering.clients import add_client, remove_client
from tutela.rostering.models import ClientRequest

pytestmark = pytest.mark.django_db


def code_minor(response: Any) -> str:
    body = response.json()
    assert_valid(body, "imsx_StatusInfoDType")
    return str(body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"])


def test_the_token_answer_has_exactly_the_bindings_keys(cast: Cast) -> None:
    made = add_client(actor=command_line_user(), name="Canvas")
    answer = ask_token(made)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {ROSTER, CORE}
    narrow = ask_token(made, scope=CORE).json()
    assert narrow["scope"] == CORE


def test_only_the_client_credentials_grant_with_http_basic_is_accepted(cast: Cast) -> None:
    made = add_client(actor=command_line_user(), name="Canvas")
    in_body = Client().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": made.client_id,
            "client_secret": made.client_secret,
        },
    )
    assert in_body.status_code == 401
    assert in_body.json()["error"] == "invalid_client"
    wrong = base64.b64encode(f"{made.client_id}:not-the-secret".encode()).decode()
    refused = Client().post(
        "/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {wrong}"
    )
    assert refused.status_code == 401
    cast.dana.set_password("a good long password")
    cast.dana.save()
    password = ask_token(
        made, grant_type="password", username="dana", password="a good long password"
    )
    assert password.status_code in {400, 401}
    assert "access_token" not in password.json()


def test_secrets_and_tokens_are_kept_only_as_hashes(cast: Cast) -> None:
    made = add_client(actor=command_line_user(), name="Canvas")
    token = ask_token(made).json()["access_token"]
    application = Application.objects.get(client_id=made.client_id)
    assert made.client_secret not in application.client_secret
    stored = AccessToken.objects.get(application=application)
    assert token not in (stored.token, stored.token_checksum)


def test_no_token_or_a_wrong_one_is_unauthorisedrequest_401(api: Api) -> None:
    anonymous = Client().get(ROOT + "users")
    assert anonymous.status_code == 401
    assert code_minor(anonymous) == "unauthorisedrequest"
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    wrong = Client().get(ROOT + "users", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert (wrong.status_code, code_minor(wrong)) == (401, "unauthorisedrequest")


def test_a_token_in_the_query_string_is_not_accepted(api: Api) -> None:
    response = Client().get(ROOT + "users", {"access_token": api.token})
    assert response.status_code == 401


def test_an_expired_token_is_refused(api: Api) -> None:
    assert api.get("orgs").status_code == 200
    stored = AccessToken.objects.get(application__client_id=api.made.client_id)
    stored.expires = timezone.now() - datetime.timedelta(seconds=1)
    stored.save()
    response = api.get("orgs")
    assert (response.status_code, code_minor(response)) == (401, "unauthorisedrequest")


def test_a_removed_clients_token_stops_working(api: Api) -> None:
    remove_client(actor=command_line_user(), client_id=api.made.client_id)
    assert api.get("orgs").status_code == 401


def test_a_token_without_a_rostering_read_scope_is_forbidden(cast: Cast, classes: None) -> None:
    demographics = api_for(scope=DEMOGRAPHICS)
    response = demographics.get("users")
    assert (response.status_code, code_minor(response)) == (403, "forbidden")
    assert api_for(scope=ROSTER).get("users").status_code == 200
    assert api_for(scope=CORE).get("users").status_code == 200


def test_a_client_over_its_rate_limit_gets_429_with_retry_after(api: Api, settings: Any) -> None:
    settings.TUTELA_ONEROSTER_RATE_LIMIT = 2
    assert api.get("orgs").status_code == 200
    assert api.get("orgs").status_code == 200
    refused = api.get("orgs")
    assert refused.status_code == 429
    assert code_minor(refused) == "server_busy"
    assert 1 <= int(refused["Retry-After"]) <= 60
    other = api_for()
    assert other.get("orgs").status_code == 200  # the limit is per client
    for request in ClientRequest.objects.filter(client=api.made.client, status=200):
        request.at = timezone.now() - datetime.timedelta(minutes=2)
        request.save()
    assert api.get("orgs").status_code == 200


def test_every_request_is_logged_with_its_client_endpoint_and_count_never_the_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tutela.rostering.api.views"):
        api.get("users", limit=2)
        api.get("users", limit="x")
    logged = list(ClientRequest.objects.filter(client=api.made.client).order_by("id"))
    assert [(r.endpoint, r.status, r.count) for r in logged] == [
        (ROOT + "users?limit=2", 200, 2),
        (ROOT + "users?limit=x", 400, 0),
    ]
    assert "Canvas" in caplog.text and ROOT + "users?limit=2" in caplog.text
    assert api.token not in caplog.text
    assert all(api.token not in r.endpoint for r in logged)
