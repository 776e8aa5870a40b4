"""How a request proves who it is: ``Authorization: Bearer <personal API token>``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tutela.accounts.models import Account
from tutela.api.models import ApiToken
from tutela.api.tokens import account_of_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A live token of an enabled staff account; anything else answers 401."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Account, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("give one token after Bearer")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("the token is not valid") from None
        found = account_of_token(raw)
        if found is None:
            raise exceptions.AuthenticationFailed("the token is not valid, or was revoked")
        return found

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token as the schema tells it."""

    target_class = "tutela.api.authentication.ApiTokenAuthentication"
    name = "personalApiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "a personal API token"}
