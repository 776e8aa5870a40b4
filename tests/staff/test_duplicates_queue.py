"""The possible-duplicates queue on the staff screens: scoped to the staff member's schools,
each pair side by side, merged with the values chosen, or set apart for good."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import Cast, parent
from tests.factories import AccountFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, NotDuplicates
from tutela.people.services import link_student

pytestmark = pytest.mark.django_db


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def leon(cast: Cast) -> Contact:
    """Leo Lake entered again at Lakeside as "Leon", with his email in capitals."""
    contact = parent(first="Leon", last="Lake", email="LEO@example.org", phone="555-0909")
    link_student(actor=command_line_user(), contact=contact, student=cast.lila)
    return contact


def hannah(cast: Cast) -> Contact:
    """Hana Hill entered again at Hillcrest."""
    contact = parent(first="Hannah", last="Hill", email="hana@example.org", phone="555-0101")
    link_student(actor=command_line_user(), contact=contact, student=cast.holly)
    return contact


def pair_url(one: Contact, other: Contact, name: str = "duplicate-pair") -> str:
    return reverse(f"staff:{name}", args=[one.pk, other.pk])


def test_a_school_admin_sees_the_pairs_of_his_school_only(cast: Cast) -> None:
    lake, hill = leon(cast), hannah(cast)
    text = signed_in(cast.sam).get(reverse("staff:duplicates")).content.decode()
    assert pair_url(cast.leo_contact, lake) in text
    assert "same email leo@example.org" in text
    assert pair_url(cast.hana_contact, hill) not in text and "Hannah" not in text
    text = signed_in(cast.dana).get(reverse("staff:duplicates")).content.decode()
    assert pair_url(cast.leo_contact, lake) in text and pair_url(cast.hana_contact, hill) in text


def test_a_school_admin_cannot_open_another_schools_pair(cast: Cast) -> None:
    hill = hannah(cast)
    client = signed_in(cast.sam)
    assert client.get(pair_url(cast.hana_contact, hill)).status_code == 404
    assert client.get(pair_url(cast.una_contact, hill)).status_code == 404
    assert client.post(pair_url(cast.hana_contact, hill, "duplicate-not")).status_code == 404
    assert client.post(pair_url(cast.hana_contact, hill), {"survivor": hill.pk}).status_code == 404
    assert Contact.objects.filter(pk=hill.pk).exists() and not NotDuplicates.objects.exists()


def test_the_staff_home_links_to_the_queue(cast: Cast) -> None:
    text = signed_in(cast.sam).get(reverse("staff:home")).content.decode()
    assert reverse("staff:duplicates") in text and "Possible duplicates" in text


def test_the_pair_page_shows_both_contacts_side_by_side(cast: Cast) -> None:
    lake = leon(cast)
    text = signed_in(cast.sam).get(pair_url(cast.leo_contact, lake)).content.decode()
    for shown in ("Leo", "Leon", "leo@example.org", "LEO@example.org", "555-0202", "555-0909"):
        assert shown in text, shown
    assert "leo@example.org, enabled" in text  # Leo's account; Leon has none
    assert "Lila Lake" in text and "same email leo@example.org" in text
    # The one field they fill in differently is a choice, each value a labelled radio button.
    assert "<legend>First name</legend>" in text
    assert f"Leon (#{lake.pk})</label>" in text and f"Leo (#{cast.leo_contact.pk})</label>" in text


def test_a_merge_keeps_the_chosen_values_and_the_chosen_account(cast: Cast) -> None:
    lake = leon(cast)
    leon_account = AccountFactory.create(
        username="leon", email="leon@example.org", contact=lake, password=None
    )
    Account.objects.filter(pk=cast.leo.pk).update(
        last_login=timezone.now() - datetime.timedelta(days=30)
    )
    Account.objects.filter(pk=leon_account.pk).update(last_login=timezone.now())
    page = signed_in(cast.sam).post(
        pair_url(cast.leo_contact, lake),
        {
            "survivor": cast.leo_contact.pk,
            "field_first_name": lake.pk,
            "account": cast.leo.pk,
        },
        follow=True,
    )
    assert page.redirect_chain[-1][0] == reverse("staff:contact", args=[cast.leo_contact.pk])
    assert f"Leon Lake #{lake.pk} was merged into" in page.content.decode()
    cast.leo_contact.refresh_from_db()
    assert cast.leo_contact.first_name == "Leon"
    assert not Contact.objects.filter(pk=lake.pk).exists()
    assert set(cast.leo_contact.phones.values_list("phone__digits", flat=True)) == {
        "5550202",
        "5550909",
    }
    leon_account.refresh_from_db()
    cast.leo.refresh_from_db()
    assert cast.leo.contact == cast.leo_contact and cast.leo.is_active
    assert not leon_account.is_active and leon_account.contact is None
    entry = LogEntry.objects.get(additional_data__summary="merged contact")
    assert entry.actor == cast.sam


def test_a_merge_the_school_admin_may_not_make_is_explained_not_offered(cast: Cast) -> None:
    # Leon is also linked to a Hillcrest child: only the district may move that link.
    lake = leon(cast)
    link_student(actor=command_line_user(), contact=lake, student=cast.hugo)
    client = signed_in(cast.sam)
    text = client.get(pair_url(cast.leo_contact, lake)).content.decode()
    assert "Merge the two contacts" not in text and 'class="error"' in text
    assert "Hugo" not in text and "and 1 at another school" in text
    client.post(pair_url(cast.leo_contact, lake), {"survivor": cast.leo_contact.pk})
    assert Contact.objects.filter(pk=lake.pk).exists()


def test_not_duplicates_takes_the_pair_off_the_queue_for_good(cast: Cast) -> None:
    lake = leon(cast)
    client = signed_in(cast.sam)
    page = client.post(pair_url(lake, cast.leo_contact, "duplicate-not"), follow=True)
    assert page.redirect_chain[-1][0] == reverse("staff:duplicates")
    assert "will not be listed again" in page.content.decode()
    assert pair_url(cast.leo_contact, lake) not in page.content.decode()
    decision = NotDuplicates.objects.get()
    assert (decision.contact_a_id, decision.contact_b_id) == (cast.leo_contact.pk, lake.pk)
    assert LogEntry.objects.get_for_object(decision).exists()
