"""The Django admin pages for accounts and security events open for a superuser."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.cast import Cast
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/account/",
        "/admin/accounts/account/add/",
        "/admin/accounts/securityevent/",
    ],
)
def test_admin_pages_open(cast: Cast, url: str) -> None:
    root = AccountFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get(url).status_code == 200
    assert client.get(f"/admin/accounts/account/{cast.sam.pk}/change/").status_code == 200
