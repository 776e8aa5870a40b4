"""Every letters URL is checked against the wrong people, with no URL forgotten.

Printing letters is for district and school admins: a teacher, parents and staff without a
school get 403, visitors who are not signed in are sent to sign-in. The letter texts are the
district's: only district admins reach them, so a school admin gets 403 there too. When a URL
is added to ``letters/urls.py`` it must be added here too; the first test fails until it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tests.cast import Cast, client_as
from tutela.accounts.models import AccessToken, Account
from tutela.letters.models import LetterTemplate
from tutela.letters.urls import urlpatterns

pytestmark = pytest.mark.django_db

PRINT_AS_SAM = {"kind": "activation", "language": "en", "output": "csv"}

# URL name -> (how to build it for a template; method; whether school admins may open it)
URLS: dict[str, tuple[Callable[[LetterTemplate], str], str, bool]] = {
    "letters:print": (lambda t: reverse("letters:print"), "post", True),
    "letters:templates": (lambda t: reverse("letters:templates"), "get", False),
    "letters:template": (lambda t: reverse("letters:template", args=[t.pk]), "get", False),
    "letters:template-preview": (
        lambda t: reverse("letters:template-preview", args=[t.pk]),
        "get",
        False,
    ),
}


def test_every_letters_url_is_listed_here() -> None:
    assert {f"letters:{p.name}" for p in urlpatterns} == set(URLS)


@pytest.mark.parametrize("who", ["hana", "leo", "lou", "staff without schools", "anonymous"])
def test_everyone_but_district_and_school_admins_is_refused_everywhere(
    cast: Cast, who: str
) -> None:
    template = LetterTemplate.objects.get(kind="activation", language="en")
    if who == "staff without schools":
        from django.test import Client

        client = Client()
        client.force_login(Account.objects.create(username="stan", is_staff=True))
    else:
        client = client_as(cast, who)
    for name, (build, method, _) in URLS.items():
        response: Any = getattr(client, method)(build(template), PRINT_AS_SAM)
        if who == "anonymous":
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("accounts:sign-in")), name
        else:
            assert response.status_code == 403, (who, name, response.status_code)
        assert b"Hana" not in response.content and b"activate" not in response.content
    assert not AccessToken.objects.exists()  # nobody printed a letter


def test_a_school_admin_prints_for_their_school_only_and_cannot_edit_the_texts(
    cast: Cast,
) -> None:
    template = LetterTemplate.objects.get(kind="activation", language="en")
    client = client_as(cast, "sam")
    for name, (build, method, allowed) in URLS.items():
        if not allowed:
            assert getattr(client, method)(build(template)).status_code == 403, name
    response = client.post(reverse("letters:print"), PRINT_AS_SAM)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "leo@example.org" in text and "hana" not in text.lower()
    refused = client.post(reverse("letters:print"), {**PRINT_AS_SAM, "school": "10"})
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content
