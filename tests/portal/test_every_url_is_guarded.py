"""Every portal and staff URL is checked against the wrong people, with no URL forgotten.

When a URL is added to ``portal/urls.py`` or ``staff/urls.py`` it must be added here too, with
the answer each member of the cast gets; the first test fails until it is.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.portal.urls import urlpatterns as portal_patterns
from tutela.staff.urls import urlpatterns as staff_patterns

pytestmark = pytest.mark.django_db

# URL name -> (how to build it for the cast, method)
URLS: dict[str, tuple[Callable[[Cast], str], str]] = {
    "portal:home": (lambda c: reverse("portal:home"), "get"),
    "portal:student": (lambda c: reverse("portal:student", args=[c.hugo.pk]), "get"),
    "portal:my-details": (lambda c: reverse("portal:my-details"), "get"),
    "staff:home": (lambda c: reverse("staff:home"), "get"),
    "staff:sign-in": (lambda c: reverse("staff:sign-in"), "get"),
    "staff:contact-search": (lambda c: reverse("staff:contact-search") + "?q=Hill", "get"),
    "staff:contact": (lambda c: reverse("staff:contact", args=[c.hana_contact.pk]), "get"),
    "staff:account-create": (
        lambda c: reverse("staff:account-create", args=[c.hana_contact.pk]),
        "get",
    ),
    "staff:contact-merge": (
        lambda c: reverse("staff:contact-merge", args=[c.hana_contact.pk, c.leo_contact.pk]),
        "get",
    ),
    "staff:email-add": (
        lambda c: reverse("staff:email-add", args=[c.hana_contact.pk]),
        "post",
    ),
    "staff:account-action": (
        lambda c: reverse("staff:account-action", args=[c.hana_contact.pk, "disable"]),
        "post",
    ),
}


def test_every_portal_and_staff_url_is_listed_here() -> None:
    names = {f"portal:{p.name}" for p in portal_patterns} | {
        f"staff:{p.name}" for p in staff_patterns
    }
    assert names == set(URLS)


# What each wrong person gets: Hana (parent of Hillcrest children, Hugo not granted), Leo
# (another family), Sam (school admin of Lakeside, not Hillcrest).
EXPECTED = {
    "leo": {
        "portal:home": 200,  # his own list, without the Hill children (checked below)
        "portal:student": 404,
        "portal:my-details": 200,  # his own details
        "staff:sign-in": 302,
    },
    "hana": {
        "portal:home": 200,
        "portal:student": 404,
        "portal:my-details": 200,
        "staff:sign-in": 302,
    },
    "sam": {
        "portal:home": 403,
        "portal:student": 403,
        "portal:my-details": 403,
        "staff:home": 200,
        "staff:sign-in": 302,
        "staff:contact-search": 200,
    },
}


@pytest.mark.parametrize("who", ["hana", "leo", "sam"])
def test_the_wrong_person_gets_403_or_404_everywhere(cast: Cast, who: str) -> None:
    account: Account = getattr(cast, who)
    client = Client()
    client.force_login(account)
    for name, (build, method) in URLS.items():
        expected = EXPECTED[who].get(name, 403 if who != "sam" else 404)
        response = getattr(client, method)(build(cast))
        assert response.status_code == expected, (who, name, response.status_code)
        assert b"Hugo" not in response.content, (who, name)
        if who != "hana":
            assert b"Holly" not in response.content, (who, name)
    cast.hana.refresh_from_db()
    assert cast.hana.is_active
