"""The contact card and the student page through the test client: each button reaches its
service, a refusal is shown (or answers 403 beyond the staff member's scope), and the pages
say what would surprise a parent."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tutela.accesscodes.models import AccessCode
from tutela.accounts.models import Account
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, StudentContact
from tutela.people.services import add_email, save_student

pytestmark = pytest.mark.django_db


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def card(cast: Cast, name: str, *ids: int, contact: Contact | None = None) -> str:
    return reverse(f"staff:{name}", args=[(contact or cast.hana_contact).pk, *ids])


def holly_link(cast: Cast) -> StudentContact:
    return StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly)


def test_the_card_makes_an_email_primary_and_deletes_another(cast: Cast) -> None:
    client = signed_in(cast.dana)
    second = add_email(actor=command_line_user(), contact=cast.hana_contact, address="h@b.org")
    client.post(card(cast, "email-primary", second.pk))
    assert cast.hana_contact.emails.get(is_primary=True) == second
    page = client.post(card(cast, "email-delete", second.pk), follow=True)
    assert "h@b.org was removed" in page.content.decode()
    assert cast.hana_contact.emails.get().is_primary


def test_an_email_edited_into_an_invalid_address_is_refused_beside_the_form(cast: Cast) -> None:
    email = cast.hana_contact.emails.get()
    page = signed_in(cast.dana).post(card(cast, "email-edit", email.pk), {"address": "nobody@"})
    assert page.status_code == 200 and "not a valid email address" in page.content.decode()
    email.refresh_from_db()
    assert email.address == "hana@example.org"


def test_a_phone_shared_with_another_contact_says_so(cast: Cast) -> None:
    client = signed_in(cast.dana)
    client.post(card(cast, "phone-add", contact=cast.una_contact), {"number": "(555) 0101"})
    text = client.get(card(cast, "contact")).content.decode()
    assert "shared with 1 other contact" in text
    row = cast.hana_contact.phones.get()
    text = client.get(card(cast, "phone-edit", row.pk)).content.decode()
    assert "shared with 1 other contact" in text


def test_an_address_is_added_dated_and_refused_when_it_ends_before_it_starts(cast: Cast) -> None:
    client = signed_in(cast.dana)
    url = card(cast, "address-add")
    page = client.post(
        url, {"street": "1 Hill Rd", "start_date": "2026-09-01", "end_date": "2026-01-01"}
    )
    assert "cannot end before it starts" in page.content.decode()
    client.post(url, {"street": "1 Hill Rd", "city": "Grand Bend", "start_date": "2026-09-01"})
    address = cast.hana_contact.addresses.get()
    assert address.start_date == datetime.date(2026, 9, 1) and address.priority_order == 1


def test_a_username_in_use_gets_powerschools_words(cast: Cast) -> None:
    page = signed_in(cast.dana).post(
        card(cast, "account-username"), {"username": "leo@example.org"}
    )
    assert "Username not available" in page.content.decode()


def test_school_staff_are_refused_what_reaches_another_school(cast: Cast) -> None:
    """Sam may open Una (a Lakeside contact) but not restrict, end or edit a Hillcrest link."""
    client = signed_in(cast.sam)
    assert client.get(card(cast, "contact")).status_code == 404
    holly = holly_link(cast)
    assert client.post(card(cast, "link-remove", holly.pk)).status_code == 404
    lars = save_student(
        actor=command_line_user(),
        student_number="3002",
        first_name="Lars",
        last_name="Lake",
        school_number="20",
    )
    posted = client.post(
        card(cast, "students-add", contact=cast.una_contact) + "?q=2001",
        {"q": "2001", "student": cast.holly.pk},
    )
    assert posted.status_code == 200 and "No student matching" in posted.content.decode()
    assert not StudentContact.objects.filter(contact=cast.una_contact, student=cast.holly)
    client.post(
        card(cast, "students-add", contact=cast.una_contact),
        {"q": "3002", "student": lars.pk, "allow_data_access": "on"},
    )
    assert StudentContact.objects.get(contact=cast.una_contact, student=lars).grants_access()


def test_a_restriction_needs_a_note_and_keeps_its_kind_and_document(cast: Cast) -> None:
    client = signed_in(cast.dana)
    holly = holly_link(cast)
    url = card(cast, "link-restricted", holly.pk)
    page = client.post(url, {"restricted-kind": "court-order", "restricted-note": ""}, follow=True)
    assert "a note is required" in page.content.decode()
    client.post(
        url,
        {
            "restricted-kind": "court-order",
            "restricted-note": "Order 7 of 2026",
            "restricted-document": "Case 26-DR-7",
        },
    )
    holly.refresh_from_db()
    assert holly.restricted and holly.restricted_note == "Order 7 of 2026"
    restriction = holly.restrictions.get()
    assert (restriction.kind, restriction.document, restriction.restricted_by) == (
        "court-order",
        "Case 26-DR-7",
        cast.dana,
    )
    page = client.get(card(cast, "link-edit", holly.pk))
    assert "Case 26-DR-7" in page.content.decode()


def test_lifting_a_restriction_needs_a_note_and_keeps_its_history(cast: Cast) -> None:
    client = signed_in(cast.dana)
    holly = holly_link(cast)
    client.post(
        card(cast, "link-restricted", holly.pk),
        {"restricted-kind": "custody", "restricted-note": "Custody agreement of May"},
    )
    lift = card(cast, "link-lift", holly.pk)
    page = client.post(lift, {"lift-note": " "}, follow=True)
    assert "a note" in page.content.decode()
    holly.refresh_from_db()
    assert holly.restricted
    client.post(lift, {"lift-note": "Order vacated 2026-11-30"})
    holly.refresh_from_db()
    assert not holly.restricted and holly.grants_access()
    restriction = holly.restrictions.get()
    assert (
        restriction.lifted_by == cast.dana and restriction.lift_note == "Order vacated 2026-11-30"
    )


def test_a_new_dated_detail_from_the_pencil_takes_data_access_away_from_that_day(
    cast: Cast,
) -> None:
    holly = holly_link(cast)
    signed_in(cast.dana).post(
        card(cast, "link-detail-add", holly.pk),
        {"new-start_date": datetime.date.today().isoformat(), "new-relationship_type": "Mother"},
    )
    assert holly.details.count() == 2
    assert cast.holly not in students_visible_to(account=cast.hana)


def test_removing_a_link_leaves_the_parent_without_the_child(cast: Cast) -> None:
    holly = holly_link(cast)
    page = signed_in(cast.dana).post(card(cast, "link-remove", holly.pk), follow=True)
    assert "no longer linked to Holly Hill" in page.content.decode()
    assert not StudentContact.objects.filter(pk=holly.pk).exists()


def test_the_student_page_orders_contacts_and_names_who_sees_the_student(cast: Cast) -> None:
    client = signed_in(cast.sam)
    una = StudentContact.objects.get(contact=cast.una_contact, student=cast.lila)
    url = reverse("staff:student", args=[cast.lila.pk])
    text = client.get(url).content.decode()
    assert "granted data access but has no account" in text  # Una
    assert "leo@example.org" in text  # Leo sees Lila: his account is named, and why
    client.post(
        reverse("staff:student-contact-move", args=[cast.lila.pk, una.pk]), {"direction": "up"}
    )
    una.refresh_from_db()
    assert una.contact_priority_order == 1


def test_the_student_page_generates_a_missing_access_code_then_resets_it(cast: Cast) -> None:
    client = signed_in(cast.sam)
    url = reverse("staff:student-access-code", args=[cast.lila.pk])
    assert (
        "has no access code"
        in client.get(reverse("staff:student", args=[cast.lila.pk])).content.decode()
    )
    client.post(url)
    first = AccessCode.objects.get(student=cast.lila)
    page = client.post(url, follow=True)
    assert "old one no longer works" in page.content.decode()
    first.refresh_from_db()
    assert first.revoked_at is not None
    current = AccessCode.objects.get(student=cast.lila, revoked_at__isnull=True)
    assert current.formatted in page.content.decode()


def test_an_existing_contact_is_added_from_the_student_page(cast: Cast) -> None:
    url = reverse("staff:student-attach", args=[cast.hugo.pk]) + "?q=Una"
    page = signed_in(cast.dana).post(
        url, {"q": "Una", "contact": cast.una_contact.pk, "relationship_type": "Mother"}
    )
    assert page.status_code == 302
    link = StudentContact.objects.get(contact=cast.una_contact, student=cast.hugo)
    detail = link.active_detail()
    assert detail is not None and detail.relationship_type is not None
    assert not link.grants_access()  # data access only when ticked


def test_a_new_contact_with_the_same_phone_and_last_name_is_offered_first(cast: Cast) -> None:
    client = signed_in(cast.sam)
    url = reverse("staff:contact-new") + f"?student={cast.lila.pk}"
    form = {"first_name": "L.", "last_name": "LAKE", "phone": "555.0202", "student": cast.lila.pk}
    page = client.post(url, form)
    assert "already exists" in page.content.decode() and "Leo" in page.content.decode()
    assert Contact.objects.filter(last_name__iexact="lake").count() == 1
    client.post(url, {**form, "create_anyway": "1"})
    made = Contact.objects.get(first_name="L.")
    assert StudentContact.objects.filter(contact=made, student=cast.lila).exists()


def test_a_new_contact_from_search_names_the_student_by_number(cast: Cast) -> None:
    client = signed_in(cast.sam)
    url = reverse("staff:contact-new")
    refused = client.post(url, {"last_name": "Newman", "student_number": "2001"})
    assert "No student with this number at your schools" in refused.content.decode()
    client.post(url, {"last_name": "Newman", "student_number": "3001", "allow_data_access": "on"})
    made = Contact.objects.get(last_name="Newman")
    assert StudentContact.objects.get(contact=made).student == cast.lila


def test_names_and_codes_are_saved_with_the_districts_codes(cast: Cast) -> None:
    client = signed_in(cast.sam)
    url = card(cast, "contact-names", contact=cast.leo_contact)
    unknown = client.post(url, {"last_name": "Lake", "gender": "Q"})
    assert "Select a valid choice" in unknown.content.decode()
    page = client.post(url, {"last_name": "Lake", "first_name": "Leon", "gender": "M"})
    assert page.status_code == 302
    cast.leo_contact.refresh_from_db()
    assert cast.leo_contact.first_name == "Leon" and cast.leo_contact.gender is not None
    assert cast.leo_contact.gender.code == "M"
    assert client.post(card(cast, "contact-names"), {"last_name": "X"}).status_code == 404


def test_the_unique_id_is_set_on_the_card_and_one_person_holds_it(cast: Cast) -> None:
    client = signed_in(cast.sam)
    url = card(cast, "contact-names", contact=cast.leo_contact)
    assert client.post(url, {"last_name": "Lake", "unique_id": "P-77"}).status_code == 302
    cast.leo_contact.refresh_from_db()
    assert cast.leo_contact.unique_id == "P-77"
    taken = client.post(
        card(cast, "contact-names", contact=cast.una_contact),
        {"last_name": "Renamed", "unique_id": "P-77"},
    )
    assert taken.status_code == 200
    assert "P-77" in taken.content.decode() and "Lake" in taken.content.decode()
    cast.una_contact.refresh_from_db()
    assert cast.una_contact.unique_id == "" and cast.una_contact.last_name != "Renamed"
