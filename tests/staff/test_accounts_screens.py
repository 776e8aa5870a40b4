"""The accounts screens (Logon IDs): list and search, New User, Modify User's tie students."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.cast import Cast, client_as
from tests.factories import AccountFactory
from tutela.accounts.models import Account
from tutela.accounts.selectors import students_visible_to
from tutela.people.models import StudentContact

pytestmark = pytest.mark.django_db


def listed(client: Client, **query: str) -> list[str]:
    """The logon ids the accounts list shows for this query, in order."""
    response = client.get(reverse("staff:accounts"), query)
    assert response.status_code == 200
    return [row.record.username for row in response.context["table"].paginated_rows]


def test_the_list_finds_a_parent_by_username_email_name_or_a_childs_number(cast: Cast) -> None:
    dana = client_as(cast, "dana")
    assert listed(dana) == ["hana.hill", "leo@example.org"]
    assert listed(dana, q="2002") == ["hana.hill"]  # Hugo's number: not granted, still linked
    assert listed(dana, q="3001") == ["leo@example.org"]
    assert listed(dana, q="LAKE") == ["leo@example.org"]
    assert listed(dana, q="hana@example") == ["hana.hill"]
    assert listed(dana, q="Hill Hana") == ["hana.hill"]
    assert listed(dana, q="200") == []  # a student number is matched whole
    assert listed(dana, q="nobody") == []
    refused = dana.get(reverse("staff:accounts"), {"q": "hana\x00"})  # never sent to the database
    assert "Null characters are not allowed." in refused.content.decode()


def test_a_school_admin_lists_only_the_accounts_of_their_students_contacts(cast: Cast) -> None:
    sam = client_as(cast, "sam")
    assert listed(sam) == ["leo@example.org"]
    assert listed(sam, q="2001") == []
    response = sam.get(reverse("staff:accounts"), {"q": "3001"})
    assert b"Lila" not in response.content  # numbers only, of students in his scope
    assert b"3001" in response.content


def test_it_filters_never_activated_and_disabled_accounts(cast: Cast) -> None:
    cast.leo.last_login = timezone.now() - datetime.timedelta(days=2)
    cast.leo.save(update_fields=["last_login"])
    dana = client_as(cast, "dana")
    assert listed(dana, state="never-activated") == ["hana.hill"]
    cast.hana.is_active = False
    cast.hana.save(update_fields=["is_active"])
    assert listed(dana, state="never-activated") == []  # a disabled account is not chased
    assert listed(dana, state="disabled") == ["hana.hill"]
    assert listed(dana, state="disabled", q="leo") == []
    page = dana.get(reverse("staff:accounts")).content.decode()
    assert "Disabled" in page and "never" in page


def test_the_list_is_paginated_and_says_how_many_it_found(cast: Cast) -> None:
    from tests.cast import parent
    from tutela.core.audit import command_line_user
    from tutela.people.services import link_student

    for n in range(55):
        contact = parent(first="P", last=f"Many{n:02}", email=f"p{n}@example.org", phone="5550999")
        link_student(actor=command_line_user(), contact=contact, student=cast.lila)
        AccountFactory(username=f"p{n}@example.org", contact=contact)
    dana = client_as(cast, "dana")
    first = dana.get(reverse("staff:accounts"), {"q": "Many"})
    assert "55 found, page 1 of 2" in first.content.decode()
    assert len(listed(dana, q="Many", page="2")) == 5
    ordered = listed(dana, q="Many", sort="-contact")
    assert ordered[0] == "p54@example.org"


def test_new_user_then_tie_a_student_grants_the_portal(cast: Cast) -> None:
    dana = client_as(cast, "dana")
    response = dana.post(
        reverse("staff:account-new"),
        {"email": "nora@example.org", "last_name": "New", "first_name": "Nora"},
    )
    account = Account.objects.get(username="nora@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:account", args=[account.pk])
    assert account.contact is not None and account.contact.last_name == "New"
    assert [e.address for e in account.contact.emails.all()] == ["nora@example.org"]
    page = dana.get(response["Location"]).content.decode()
    assert "this parent will see no one" in page
    response = dana.post(
        reverse("staff:account-tie", args=[account.pk]),
        {"student_number": "2001", "relationship_type": "Mother", "allow_data_access": "on"},
    )
    assert response.status_code == 302
    assert list(students_visible_to(account=account)) == [cast.holly]
    page = dana.get(response["Location"]).content.decode()
    assert "this parent will see no one" not in page and "Holly" in page
    again = dana.post(reverse("staff:account-tie", args=[account.pk]), {"student_number": "2001"})
    assert "already tied" in again.content.decode()


def test_new_user_refuses_an_email_another_account_signs_in_with(cast: Cast) -> None:
    response = client_as(cast, "dana").post(
        reverse("staff:account-new"), {"email": "HANA@example.org", "last_name": "Dup"}
    )
    assert response.status_code == 200
    assert "already in use by another access account" in response.content.decode()
    assert not Account.objects.filter(contact__last_name="Dup").exists()


def test_a_school_admin_adds_a_user_with_a_first_student_at_their_school(cast: Cast) -> None:
    sam = client_as(cast, "sam")
    url = reverse("staff:account-new")
    none = sam.post(url, {"email": "a@example.org", "last_name": "A"})
    assert "name the account&#x27;s first student" in none.content.decode()
    elsewhere = sam.post(
        url, {"email": "a@example.org", "last_name": "A", "student_number": "2001"}
    )
    assert (
        "no student with the number &#x27;2001&#x27; that you may see" in elsewhere.content.decode()
    )
    assert not Account.objects.filter(username="a@example.org").exists()
    ok = sam.post(
        url, {"email": "a@example.org", "last_name": "A", "student_number": "3001"}
    )  # data access left unticked: linked, not granted
    assert ok.status_code == 302
    account = Account.objects.get(username="a@example.org")
    link = StudentContact.objects.get(contact=account.contact)
    detail = link.active_detail()
    assert link.student == cast.lila and detail is not None and not detail.allow_data_access


def test_a_school_admin_cannot_reach_another_schools_account(cast: Cast) -> None:
    sam = client_as(cast, "sam")
    assert sam.get(reverse("staff:account", args=[cast.hana.pk])).status_code == 404
    tie = sam.post(reverse("staff:account-tie", args=[cast.hana.pk]), {"student_number": "3001"})
    assert tie.status_code == 404
    assert not StudentContact.objects.filter(contact=cast.hana_contact, student=cast.lila).exists()


def test_a_school_admin_may_not_change_a_parent_with_children_elsewhere(cast: Cast) -> None:
    from tutela.core.audit import command_line_user
    from tutela.people.services import link_student

    link_student(actor=command_line_user(), contact=cast.hana_contact, student=cast.lila)
    sam = client_as(cast, "sam")
    assert sam.get(reverse("staff:account", args=[cast.hana.pk])).status_code == 200
    before = StudentContact.objects.filter(contact=cast.hana_contact).count()
    tie = reverse("staff:account-tie", args=[cast.hana.pk])
    assert sam.post(tie, {"student_number": "3001"}).status_code == 403
    assert StudentContact.objects.filter(contact=cast.hana_contact).count() == before


def test_disable_enable_and_a_new_link_from_the_account_page(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    dana = client_as(cast, "dana")
    dana.post(reverse("staff:account-status", args=[cast.leo.pk, "disable"]))
    cast.leo.refresh_from_db()
    assert not cast.leo.is_active
    dana.post(reverse("staff:account-status", args=[cast.leo.pk, "enable"]))
    cast.leo.refresh_from_db()
    assert cast.leo.is_active
    with django_capture_on_commit_callbacks(execute=True):
        dana.post(reverse("staff:account-status", args=[cast.leo.pk, "send-activation"]))
    assert [m.to for m in mail.outbox] == [["leo@example.org"]]
    assert "parent portal" in mail.outbox[0].subject
    assert dana.post(reverse("staff:account-status", args=[cast.leo.pk, "nope"])).status_code == 404
