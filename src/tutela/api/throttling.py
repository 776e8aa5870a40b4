"""The rate limit: each token its own allowance (``TUTELA_API_RATE``); past it, 429 with
``Retry-After``. Counts are kept in the process's cache, so each web worker counts apart."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from tutela.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None  # refused before it reaches a view: nothing to count
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
