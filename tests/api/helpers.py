"""An API client carrying a cast member's personal token."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.cast import Cast
from tutela.api.tokens import create_token
from tutela.core.audit import command_line_user


def token_of(cast: Cast, who: str) -> str:
    account = getattr(cast, who)
    return create_token(actor=command_line_user(), account=account, name="tests").token


def api_as(cast: Cast, who: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_of(cast, who)}")
    return client
