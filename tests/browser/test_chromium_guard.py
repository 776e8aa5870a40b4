"""Without Chromium, browser tests skip loudly on a developer's machine and fail in CI."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.browser.conftest import _unavailable


def test_a_missing_browser_skips_with_a_loud_reason_locally(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match="BROWSER TESTS NOT RUN"):
        _unavailable("/usr/bin/chromium is missing")


def test_a_missing_browser_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="BROWSER TESTS NOT RUN"):
        _unavailable("/usr/bin/chromium is missing")
