"""Every portal and staff URL is checked against the wrong people, with no URL forgotten.

When a URL is added to ``portal/urls.py`` or ``staff/urls.py`` it must be added here too, with
the answer each member of the cast gets; the first test fails until it is (and
``tests/test_every_url_is_guarded.py`` fails for a URL of any app that no guard test lists).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from tests.cast import Cast, client_as
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact, StudentContactDetail
from tutela.people.services import add_address
from tutela.portal.urls import urlpatterns as portal_patterns
from tutela.rostering.models import SyncTarget
from tutela.staff.urls import urlpatterns as staff_patterns

pytestmark = pytest.mark.django_db


def card_url(cast: Cast, name: str, *ids: int) -> str:
    """A URL of Hana's contact card (a Hillcrest family: Sam, at Lakeside, may not open it)."""
    return reverse(f"staff:{name}", args=[cast.hana_contact.pk, *ids])


def sync_target_of(cast: Cast) -> int:
    target, _ = SyncTarget.objects.get_or_create(
        name="lms", defaults={"format": "canvas", "destination": "/nonexistent/inbox"}
    )
    return target.pk


def email_of(cast: Cast) -> int:
    return cast.hana_contact.emails.get().pk


def phone_of(cast: Cast) -> int:
    return cast.hana_contact.phones.get().pk


def address_of(cast: Cast) -> int:
    found = cast.hana_contact.addresses.first()
    if found is None:
        found = add_address(actor=command_line_user(), contact=cast.hana_contact, street="1 Hill")
    return found.pk


def link_of(cast: Cast) -> int:
    return StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly).pk


def detail_of(cast: Cast) -> int:
    return StudentContactDetail.objects.get(link_id=link_of(cast)).pk


def pair_url(cast: Cast, name: str) -> str:
    """A pair of the duplicates queue: Hana (Hillcrest) beside Una (Lakeside)."""
    return reverse(f"staff:{name}", args=[cast.hana_contact.pk, cast.una_contact.pk])


# URL name -> (how to build it for the cast, method)
URLS: dict[str, tuple[Callable[[Cast], str], str]] = {
    "portal:home": (lambda c: reverse("portal:home"), "get"),
    "portal:student": (lambda c: reverse("portal:student", args=[c.hugo.pk]), "get"),
    "portal:my-details": (lambda c: reverse("portal:my-details"), "get"),
    "staff:home": (lambda c: reverse("staff:home"), "get"),
    "staff:sign-in": (lambda c: reverse("staff:sign-in"), "get"),
    "staff:search": (lambda c: reverse("staff:search") + "?q=Hill", "get"),
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
    "staff:contact-new": (lambda c: reverse("staff:contact-new"), "get"),
    "staff:contact-names": (
        lambda c: reverse("staff:contact-names", args=[c.hana_contact.pk]),
        "post",
    ),
    "staff:account-username": (
        lambda c: reverse("staff:account-username", args=[c.hana_contact.pk]),
        "post",
    ),
    "staff:email-edit": (lambda c: card_url(c, "email-edit", email_of(c)), "post"),
    "staff:email-primary": (lambda c: card_url(c, "email-primary", email_of(c)), "post"),
    "staff:email-delete": (lambda c: card_url(c, "email-delete", email_of(c)), "post"),
    "staff:phone-add": (lambda c: card_url(c, "phone-add"), "post"),
    "staff:phone-edit": (lambda c: card_url(c, "phone-edit", phone_of(c)), "post"),
    "staff:phone-delete": (lambda c: card_url(c, "phone-delete", phone_of(c)), "post"),
    "staff:address-add": (lambda c: card_url(c, "address-add"), "post"),
    "staff:address-edit": (lambda c: card_url(c, "address-edit", address_of(c)), "post"),
    "staff:address-delete": (lambda c: card_url(c, "address-delete", address_of(c)), "post"),
    "staff:students-add": (lambda c: card_url(c, "students-add") + "?q=2002", "get"),
    "staff:link-edit": (lambda c: card_url(c, "link-edit", link_of(c)), "get"),
    "staff:link-detail-add": (lambda c: card_url(c, "link-detail-add", link_of(c)), "post"),
    "staff:link-detail-end": (
        lambda c: card_url(c, "link-detail-end", link_of(c), detail_of(c)),
        "post",
    ),
    "staff:link-restricted": (lambda c: card_url(c, "link-restricted", link_of(c)), "post"),
    "staff:link-lift": (lambda c: card_url(c, "link-lift", link_of(c)), "post"),
    "staff:link-remove": (lambda c: card_url(c, "link-remove", link_of(c)), "post"),
    "staff:duplicates": (lambda c: reverse("staff:duplicates"), "get"),
    "staff:duplicate-pair": (lambda c: pair_url(c, "duplicate-pair"), "get"),
    "staff:duplicate-not": (lambda c: pair_url(c, "duplicate-not"), "post"),
    "staff:student": (lambda c: reverse("staff:student", args=[c.holly.pk]), "get"),
    "staff:student-attach": (
        lambda c: reverse("staff:student-attach", args=[c.holly.pk]) + "?q=Hill",
        "get",
    ),
    "staff:student-access-code": (
        lambda c: reverse("staff:student-access-code", args=[c.holly.pk]),
        "post",
    ),
    "staff:audit": (lambda c: reverse("staff:audit") + "?format=csv", "get"),
    "staff:student-keep-access": (
        lambda c: reverse("staff:student-keep-access", args=[c.holly.pk]),
        "post",
    ),
    "staff:student-contact-move": (
        lambda c: reverse("staff:student-contact-move", args=[c.holly.pk, link_of(c)]),
        "post",
    ),
    "staff:accounts": (lambda c: reverse("staff:accounts") + "?q=2001", "get"),
    "staff:account-new": (lambda c: reverse("staff:account-new"), "get"),
    "staff:account": (lambda c: reverse("staff:account", args=[c.hana.pk]), "get"),
    "staff:account-tie": (lambda c: reverse("staff:account-tie", args=[c.hana.pk]), "post"),
    "staff:account-status": (
        lambda c: reverse("staff:account-status", args=[c.hana.pk, "disable"]),
        "post",
    ),
    "staff:sync-targets": (lambda c: reverse("staff:sync-targets"), "get"),
    "staff:sync-target-new": (lambda c: reverse("staff:sync-target-new"), "get"),
    "staff:sync-target": (lambda c: reverse("staff:sync-target", args=[sync_target_of(c)]), "get"),
    "staff:sync-target-run": (
        lambda c: reverse("staff:sync-target-run", args=[sync_target_of(c)]),
        "post",
    ),
    "staff:staff-people": (lambda c: reverse("staff:staff-people"), "get"),
    "staff:staff-new": (lambda c: reverse("staff:staff-new"), "get"),
    "staff:staff-person": (lambda c: reverse("staff:staff-person", args=[c.dana.pk]), "get"),
    "staff:staff-status": (
        lambda c: reverse("staff:staff-status", args=[c.dana.pk, "disable"]),
        "post",
    ),
}


def test_every_portal_and_staff_url_is_listed_here() -> None:
    # The imports area is included under staff (tests/staff/test_every_imports_url_is_guarded.py).
    names = {f"portal:{p.name}" for p in portal_patterns} | {
        f"staff:{p.name}" for p in staff_patterns if isinstance(p, URLPattern)
    }
    assert names == set(URLS)


# What each wrong person gets: Hana (parent of Hillcrest children, Hugo not granted), Leo
# (another family), Sam (school admin of Lakeside, not Hillcrest), Lou (teaches a Lakeside
# section: no contact, not staff), and a visitor who is not signed in (sent to sign-in).
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
        "staff:search": 200,
        "staff:contact-search": 302,  # the search's old address, sent on to /staff/search/
        "staff:contact-new": 200,  # an empty form; he may add contacts for his own school
        "staff:accounts": 200,  # his school's parents only: Hana's child's number finds none
        "staff:account-new": 200,
        "staff:duplicates": 200,  # the pairs among his school's contacts only
        # Staff people are the district admins' alone.
        "staff:staff-people": 403,
        "staff:staff-new": 403,
        "staff:staff-person": 403,
        "staff:staff-status": 403,
        "staff:audit": 403,  # the audit trail is the district admins' alone
        # Sync targets hand the whole district to learning systems: district admins only.
        "staff:sync-targets": 403,
        "staff:sync-target-new": 403,
        "staff:sync-target": 403,
        "staff:sync-target-run": 403,
    },
    "lou": {"staff:sign-in": 302},
    "anonymous": {},
}
DEFAULT = {"hana": 403, "leo": 403, "sam": 404, "lou": 403, "anonymous": 302}


@pytest.mark.parametrize("who", ["hana", "leo", "sam", "lou", "anonymous"])
def test_the_wrong_person_gets_403_or_404_everywhere(cast: Cast, who: str) -> None:
    client = client_as(cast, who)
    for name, (build, method) in URLS.items():
        expected = EXPECTED[who].get(name, DEFAULT[who])
        response = getattr(client, method)(build(cast))
        assert response.status_code == expected, (who, name, response.status_code)
        if who == "anonymous" and expected == 302:
            assert response["Location"].startswith(reverse("accounts:sign-in")), name
        assert b"Hugo" not in response.content, (who, name)
        if who != "hana":
            assert b"Holly" not in response.content, (who, name)
    cast.hana.refresh_from_db()
    cast.dana.refresh_from_db()
    assert cast.hana.is_active and cast.dana.is_active


def withdraw(cast: Cast, how: str) -> None:
    """Take Holly away from Hana in one of the ways a grant ends."""
    link = StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly)
    if how == "data access withdrawn":
        StudentContactDetail.objects.filter(link=link).update(
            end_date=datetime.date.today() - datetime.timedelta(days=1)
        )
        StudentContactDetail.objects.create(
            link=link, start_date=datetime.date.today(), allow_data_access=False
        )
    elif how == "link ended":
        StudentContactDetail.objects.filter(link=link).update(
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date.today() - datetime.timedelta(days=1),
        )
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["data access withdrawn", "link ended"])
def test_a_parent_whose_grant_is_gone_sees_the_child_on_no_portal_url(cast: Cast, how: str) -> None:
    withdraw(cast, how)
    client = Client()
    client.force_login(cast.hana)
    for name, (build, method) in URLS.items():
        if not name.startswith("portal:"):
            continue
        url = reverse(name, args=[cast.holly.pk]) if name == "portal:student" else build(cast)
        response = getattr(client, method)(url)
        assert response.status_code == (404 if name == "portal:student" else 200), (how, name)
        assert b"Holly" not in response.content and b"2001" not in response.content, (how, name)
