"""Every access-code URL is checked against the wrong people, with no URL forgotten.

When a URL is added to ``accesscodes/urls.py`` it must be added here too; the first test fails
until it is. Hillcrest (Holly, Hugo) is outside the scope of everyone asked here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tests.cast import Cast, client_as
from tests.factories import AccountFactory, ContactFactory
from tutela.accesscodes.models import AccessCode, PendingLink
from tutela.accesscodes.services import issuing, linking
from tutela.accesscodes.urls import urlpatterns
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact

pytestmark = pytest.mark.django_db

URLS: dict[str, tuple[Callable[[Cast, Any], str], str, dict[str, str]]] = {
    "accesscodes:register": (lambda c, p: reverse("accesscodes:register"), "get", {}),
    "accesscodes:register-confirm": (
        lambda c, p: reverse("accesscodes:register-confirm", args=["not-a-real-token"]),
        "get",
        {},
    ),
    "accesscodes:add-child": (lambda c, p: reverse("accesscodes:add-child"), "get", {}),
    "accesscodes:codes": (lambda c, p: reverse("accesscodes:codes"), "get", {}),
    "accesscodes:codes-download": (
        lambda c, p: reverse("accesscodes:codes-download") + "?school=10",
        "get",
        {},
    ),
    "accesscodes:codes-reset": (
        lambda c, p: reverse("accesscodes:codes-reset"),
        "post",
        {"student_number": "2001"},
    ),
    "accesscodes:codes-reset-all": (
        lambda c, p: reverse("accesscodes:codes-reset-all"),
        "post",
        {"school": "10", "confirm": "on"},
    ),
    "accesscodes:restricted": (lambda c, p: reverse("accesscodes:restricted"), "get", {}),
    "accesscodes:restricted-decide": (
        lambda c, p: reverse("accesscodes:restricted-decide", args=[p.pk, "approve"]),
        "post",
        {},
    ),
}


def test_every_access_code_url_is_listed_here() -> None:
    assert {f"accesscodes:{p.name}" for p in urlpatterns} == set(URLS)


EXPECTED: dict[str, dict[str, int]] = {
    # parents: their own pages, 403 on staff pages
    "hana": {"register": 200, "register-confirm": 410, "add-child": 200},
    "leo": {"register": 200, "register-confirm": 410, "add-child": 200},
    # Sam, school admin of Lakeside: Hillcrest's school, student and queue entry are 404
    "sam": {
        "register": 200,
        "register-confirm": 410,
        "add-child": 403,
        "codes": 200,
        "codes-download": 404,
        "codes-reset": 404,
        "codes-reset-all": 404,
        "restricted": 200,
        "restricted-decide": 404,
    },
    # Lou teaches a Lakeside section (no contact, not staff): his codes page, nothing else
    "lou": {
        "register": 200,
        "register-confirm": 410,
        "codes": 200,
        "codes-download": 404,
        "codes-reset": 404,
        "codes-reset-all": 404,
    },
    # signed out: public pages, sign-in for the rest
    "anonymous": {"register": 200, "register-confirm": 410},
}


@pytest.mark.parametrize("who", ["hana", "leo", "sam", "lou", "anonymous"])
def test_the_wrong_person_gets_403_or_404_everywhere(cast: Cast, who: str) -> None:
    issuing.generate_codes(actor=command_line_user())
    holly_code = AccessCode.objects.get(student=cast.holly, revoked_at__isnull=True)
    StudentContact.objects.filter(student=cast.holly).update(restricted=True)
    stranger = AccountFactory.create(
        username="stranger@example.org", contact=ContactFactory.create()
    )
    outcome = linking.add_child(actor=stranger, entry=holly_code.code, remote_address=None)
    pending = outcome.pending
    assert pending is not None
    client = client_as(cast, who)
    default = 302 if who == "anonymous" else 403
    for name, (build, method, data) in URLS.items():
        expected = EXPECTED[who].get(name.split(":")[1], default)
        response = getattr(client, method)(build(cast, pending), data)
        assert response.status_code == expected, (who, name, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert holly_code.formatted.encode() not in body, (who, name)
    assert AccessCode.objects.get(pk=holly_code.pk).revoked_at is None
    assert PendingLink.objects.get(pk=pending.pk).status == "pending"
