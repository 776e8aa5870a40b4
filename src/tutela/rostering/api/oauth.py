"""How a learning system proves who it is when it asks for a token."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class BasicClientValidator(OAuth2Validator):
    """A client authenticates with HTTP Basic only, as the OneRoster binding says: a secret in
    the request body would end up in more places (proxies' and servers' request logs) than
    an ``Authorization`` header."""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return bool(self._authenticate_basic_auth(request))
