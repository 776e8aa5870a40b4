"""Every sign-in and password URL (and ``/``) is checked, with no URL forgotten.

These pages fetch no record by an id: the public ones work from an emailed token (a wrong one
answers 410 and names nobody), the password change needs a signed-in account and touches only
that account. When a URL is added to ``accounts/urls.py`` it must be added here too; the first
test fails until it is.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests.cast import Cast
from tutela.accounts.urls import urlpatterns

pytestmark = pytest.mark.django_db

# URL name -> (URL, method, answer to a visitor who is not signed in)
URLS: dict[str, tuple[str, str, int]] = {
    "home": ("/", "get", 302),
    "accounts:sign-in": ("/accounts/sign-in/", "get", 200),
    # The code step serves only the account whose password was just right, in this session.
    "accounts:sign-in-code": ("/accounts/sign-in/code/", "get", 302),
    # Two-step sign-in of one's own account only.
    "accounts:security": ("/accounts/security/", "get", 302),
    "accounts:sign-out": ("/accounts/sign-out/", "post", 302),
    "accounts:password-change": ("/accounts/password/", "get", 302),
    "accounts:password-reset": ("/accounts/password/reset/", "get", 200),
    "accounts:password-reset-sent": ("/accounts/password/reset/sent/", "get", 200),
    "accounts:password-reset-confirm": ("/accounts/password/reset/not-a-token/", "get", 410),
    "accounts:activate": ("/accounts/activate/not-a-token/", "get", 410),
    "accounts:email-change-confirm": ("/accounts/email/confirm/not-a-token/", "get", 410),
    # The language switch: a cookie, and a signed-in parent's own preference; nobody else's.
    "accounts:set-language": ("/accounts/language/", "post", 302),
}


def test_every_account_url_is_listed_here() -> None:
    assert {f"accounts:{p.name}" for p in urlpatterns} | {"home"} == set(URLS)
    for name, (url, _, _) in URLS.items():
        assert resolve(url).view_name == name, url


@pytest.mark.parametrize("who", ["anonymous", "leo"])
def test_no_account_page_shows_anyone_elses_data(cast: Cast, who: str) -> None:
    client = Client()
    if who != "anonymous":
        client.force_login(cast.leo)
    for name, (url, method, anonymous) in URLS.items():
        response = getattr(client, method)(url)
        if who == "anonymous":
            assert response.status_code == anonymous, (name, response.status_code)
            if name in {"home", "accounts:password-change", "accounts:security"}:
                assert response["Location"].startswith(reverse("accounts:sign-in")), name
        else:
            assert response.status_code in {200, 302, 410}, (name, response.status_code)
        for private in (b"Holly", b"Hugo", b"hana@example.org", b"hana.hill"):
            assert private not in response.content, (who, name, private)
