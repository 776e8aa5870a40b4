"""A parent's new sign-in email is a confirmed step: a link to the new address, a notice to the
old one, and nothing changes until the link is used. Sent through a real local SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from tests.cast import PASSWORD, Cast
from tests.conftest import SMTPInbox
from tutela.accounts.models import Account, SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db

NEW = "hana.new@example.net"


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def can_sign_in(identifier: str) -> bool:
    response = Client().post(
        reverse("accounts:sign-in"), {"username": identifier, "password": PASSWORD}
    )
    return response.status_code == 302


def path_of(link: str) -> str:
    """The emailed link's path, to open on the test client."""
    return "/accounts/" + link.split("/accounts/", 1)[1]


def ask_for(
    client: Client, address: str, capture: Callable[..., Any], phone: str = "555-0101"
) -> Any:
    with capture(execute=True):
        return client.post(
            reverse("portal:my-details"), {"email": address, "phone": phone}, follow=True
        )


def test_a_new_sign_in_email_waits_for_the_link_sent_to_it(
    cast_with_passwords: Cast, smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    cast = cast_with_passwords
    client = signed_in(cast.hana)
    page = ask_for(client, NEW, django_capture_on_commit_callbacks).content.decode()
    assert f"We emailed a link to {NEW}" in page
    assert f"Waiting for you to confirm <strong>{NEW}</strong>" in page

    confirm, notice = sorted(smtp_server.wait_for(2), key=lambda m: m["To"] != NEW)
    assert confirm["To"] == NEW and notice["To"] == "hana@example.org"
    assert NEW in smtp_server.text_of(notice) and "keeps signing in with this address" in (
        smtp_server.text_of(notice)
    )
    assert "http" not in smtp_server.text_of(notice)  # the link goes to the new address only
    link = smtp_server.link_in(confirm)
    assert "/accounts/email/confirm/" in link

    # Until the link is used, nothing has changed.
    cast.hana.refresh_from_db()
    assert cast.hana.email == "hana@example.org"
    assert list(cast.hana_contact.emails.values_list("address", flat=True)) == ["hana@example.org"]
    assert can_sign_in("hana@example.org") and not can_sign_in(NEW)

    path = path_of(link)
    opened = Client().get(path)  # a mail scanner opening the link changes nothing
    assert opened.status_code == 200 and NEW in opened.content.decode()
    cast.hana.refresh_from_db()
    assert cast.hana.email == "hana@example.org"

    done = Client().post(path)
    assert done.status_code == 302 and done["Location"] == reverse("accounts:sign-in")
    cast.hana.refresh_from_db()
    assert cast.hana.email == NEW and cast.hana.username == "hana.hill"
    assert list(cast.hana_contact.emails.values_list("address", flat=True)) == [NEW]
    assert can_sign_in(NEW) and not can_sign_in("hana@example.org")
    assert SecurityEvent.objects.filter(
        account=cast.hana, kind=SecurityEventKind.EMAIL_CHANGED
    ).exists()
    changes = LogEntry.objects.filter(actor=cast.hana, content_type__model__in=["contactemail"])
    assert changes.exists()  # the audit names the parent who held the link
    assert Client().post(path).status_code == 410  # used once


def test_a_username_that_is_the_email_follows_it(
    cast: Cast, smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    ask_for(signed_in(cast.leo), "leo.lake@example.net", django_capture_on_commit_callbacks, "")
    confirm = next(m for m in smtp_server.wait_for(2) if m["To"] == "leo.lake@example.net")
    path = path_of(smtp_server.link_in(confirm))
    assert signed_in(cast.leo).post(path)["Location"] == reverse("portal:my-details")
    cast.leo.refresh_from_db()
    assert cast.leo.username == cast.leo.email == "leo.lake@example.net"


def test_a_second_request_voids_the_first_link(
    cast: Cast, smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(cast.hana)
    ask_for(client, "first@example.net", django_capture_on_commit_callbacks)
    ask_for(client, "second@example.net", django_capture_on_commit_callbacks)
    links = {
        m["To"]: path_of(smtp_server.link_in(m))
        for m in smtp_server.wait_for(4)
        if m["To"] != "hana@example.org"
    }
    assert Client().post(links["first@example.net"]).status_code == 410
    assert Client().post(links["second@example.net"]).status_code == 302
    cast.hana.refresh_from_db()
    assert cast.hana.email == "second@example.net"


def test_an_address_of_another_account_is_refused_and_nothing_is_sent(
    cast: Cast, smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    page = ask_for(signed_in(cast.hana), "LEO@example.org", django_capture_on_commit_callbacks)
    assert "belongs to another account" in page.content.decode()
    assert smtp_server.messages == []
    cast.hana.refresh_from_db()
    assert cast.hana.email == "hana@example.org"


def test_an_email_that_is_not_the_sign_in_one_changes_at_once(
    cast: Cast, smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    cast.hana.email = "hana.account@example.org"
    cast.hana.save()
    page = ask_for(signed_in(cast.hana), NEW, django_capture_on_commit_callbacks)
    assert "Your details are saved." in page.content.decode()
    assert list(cast.hana_contact.emails.values_list("address", flat=True)) == [NEW]
    assert smtp_server.messages == []
