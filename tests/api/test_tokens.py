"""Personal API tokens: made once and shown once, only their hash kept, revoked at once, and
only for enabled staff accounts; ``tutela api add-token``, ``list-tokens``, ``revoke-token``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.cast import Cast
from tutela.accounts.services import hash_token
from tutela.api.models import ApiToken
from tutela.api.tokens import TokenError, create_token, revoke_token
from tutela.core.audit import command_line_user

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_add_token_prints_a_working_token_once_and_keeps_only_its_hash(
    cast: Cast, tutela: Callable[..., Any]
) -> None:
    run = tutela("api", "add-token", "sam", "--name", "nightly sync")
    assert run.code == 0, run.err
    token = run.out.strip()
    record = ApiToken.objects.get(account=cast.sam)
    assert record.name == "nightly sync" and record.token_hash == hash_token(token)
    assert token not in str(ApiToken.objects.values().get())
    (made,) = LogEntry.objects.get_for_object(record)
    assert "token_hash" not in made.changes_dict and record.token_hash not in str(made.changes)
    assert bearer(token).get("/api/v1/students/").status_code == 200
    record.refresh_from_db()
    assert record.last_used_at is not None
    listed = tutela("api", "list-tokens")
    assert "nightly sync" in listed.out and token not in listed.out


def test_add_token_refuses_a_parent_and_an_unknown_name(
    cast: Cast, tutela: Callable[..., Any]
) -> None:
    parent = tutela("api", "add-token", "hana.hill")
    assert parent.code == 2 and "not an enabled staff account" in parent.err
    unknown = tutela("api", "add-token", "nobody")
    assert unknown.code == 2 and "there is no account 'nobody'" in unknown.err
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working_at_once(cast: Cast, tutela: Callable[..., Any]) -> None:
    token = tutela("api", "add-token", "dana").out.strip()
    client = bearer(token)
    assert client.get("/api/v1/students/").status_code == 200
    record = ApiToken.objects.get()
    revoked = tutela("api", "revoke-token", str(record.pk))
    assert revoked.code == 0 and "revoked token" in revoked.out
    response = client.get("/api/v1/students/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    again = tutela("api", "revoke-token", str(record.pk))
    assert again.code == 2 and "revoked already" in again.err


def test_a_disabled_staff_account_s_token_stops_working(cast: Cast) -> None:
    made = create_token(actor=command_line_user(), account=cast.sam, name="sync")
    cast.sam.is_active = False
    cast.sam.save()
    assert bearer(made.token).get("/api/v1/students/").status_code == 401


def test_staff_make_and_revoke_their_own_tokens_only(cast: Cast) -> None:
    with pytest.raises(TokenError, match="their own"):
        create_token(actor=cast.dana, account=cast.sam, name="x")
    mine = create_token(actor=cast.sam, account=cast.sam, name="x")
    with pytest.raises(TokenError, match="already has a token named 'x'"):
        create_token(actor=cast.sam, account=cast.sam, name="x")
    with pytest.raises(TokenError, match="their own"):
        revoke_token(actor=cast.dana, token=mine.record)
    revoke_token(actor=cast.sam, token=mine.record)
    create_token(actor=cast.sam, account=cast.sam, name="x")  # the name is free again


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer nope", "Bearer tutela_wrong", "Token x"])
def test_no_token_or_a_wrong_one_is_refused(cast: Cast, header: str) -> None:
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/contacts/").status_code == 401


def test_a_token_past_its_rate_answers_429_with_retry_after(
    cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api_settings.DEFAULT_THROTTLE_RATES["token"] == settings.TUTELA_API_RATE
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    client = bearer(create_token(actor=command_line_user(), account=cast.sam, name="t").token)
    assert [client.get("/api/v1/students/").status_code for _ in range(2)] == [200, 200]
    third = client.get("/api/v1/students/")
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    other = bearer(create_token(actor=command_line_user(), account=cast.dana, name="t").token)
    assert other.get("/api/v1/students/").status_code == 200  # each token its own count
