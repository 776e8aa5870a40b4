"""Each API test starts with fresh rate-limit counts: they live in the process's cache, which
outlasts a test's rolled-back database (where a token's id is given out again)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
