"""Lockout records keep no emailed link's token (the burst test is tests/web)."""

from __future__ import annotations

import pytest

from tutela.accounts.lockout import path_without_tokens


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/register/abc123/", "/register/[token]/"),
        ("/accounts/activate/abc123/", "/accounts/activate/[token]/"),
        ("/accounts/sign-in/", "/accounts/sign-in/"),
        ("/no/such/page/", "/no/such/page/"),
    ],
)
def test_logged_paths_keep_no_token(path: str, kept: str) -> None:
    assert path_without_tokens(path) == kept
