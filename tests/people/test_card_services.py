"""The contact card's services: every change scoped by who asks, audited, and the district's
rules (one primary email, shared phones, one detail in force per day, a note for a restriction)."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from tests.cast import Cast
from tutela.accounts.selectors import portal_viewers, students_visible_to
from tutela.accounts.services import USERNAME_NOT_AVAILABLE, AccountError, change_username
from tutela.core.audit import command_line_user
from tutela.people.models import ContactAddress, Phone, Student, StudentContact
from tutela.people.selectors import duplicate_contacts
from tutela.people.services import (
    LinkRights,
    OutsideScope,
    ServiceError,
    add_address,
    add_email,
    add_link_detail,
    add_phone,
    attach_student,
    create_contact_for_student,
    end_link_detail,
    make_primary_email,
    move_link,
    remove_email,
    remove_link,
    remove_phone,
    restrict_link,
    save_student,
    update_address,
    update_contact,
    update_link_detail,
    update_phone,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def link(cast: Cast, contact: str, student: str) -> StudentContact:
    return StudentContact.objects.get(
        contact=getattr(cast, contact), student=getattr(cast, student)
    )


def lars() -> Student:
    """A new Lakeside student: Leo's son, Lila's brother."""
    return save_student(
        actor=command_line_user(),
        student_number="3002",
        first_name="Lars",
        last_name="Lake",
        school_number="20",
    )


def test_school_staff_correct_their_own_families_but_not_another_schools(cast: Cast) -> None:
    update_contact(actor=cast.sam, contact=cast.leo_contact, last_name="Lake", first_name="Leon")
    cast.leo_contact.refresh_from_db()
    assert cast.leo_contact.first_name == "Leon"
    with pytest.raises(OutsideScope):
        update_contact(actor=cast.sam, contact=cast.hana_contact, last_name="Hill")
    entry = LogEntry.objects.get_for_object(cast.leo_contact).first()
    assert entry is not None and entry.actor == cast.sam


def test_making_an_email_primary_moves_it_first_and_keeps_the_others_order(cast: Cast) -> None:
    contact = cast.hana_contact
    second = add_email(actor=command_line_user(), contact=contact, address="h2@example.org")
    third = add_email(actor=command_line_user(), contact=contact, address="h3@example.org")
    make_primary_email(actor=cast.dana, email=third)
    rows = list(contact.emails.values_list("address", "is_primary", "order"))
    assert rows == [
        ("h3@example.org", True, 1),
        ("hana@example.org", False, 2),
        ("h2@example.org", False, 3),
    ]
    remove_email(actor=cast.dana, email=third)
    assert list(contact.emails.values_list("address", "is_primary")) == [
        ("hana@example.org", True),
        ("h2@example.org", False),
    ]
    assert second.pk in set(contact.emails.values_list("pk", flat=True))


def test_the_account_email_cannot_be_removed_from_the_contact(cast: Cast) -> None:
    with pytest.raises(ServiceError, match="is the account email of"):
        remove_email(actor=cast.dana, email=cast.hana_contact.emails.get())


def test_a_shared_phone_changes_for_one_contact_but_its_sms_for_everyone(cast: Cast) -> None:
    shared = add_phone(actor=command_line_user(), contact=cast.una_contact, number="555 0202")
    leo_phone = cast.leo_contact.phones.get()
    assert shared.phone_id == leo_phone.phone_id
    update_phone(actor=cast.sam, contact_phone=shared, number="555-0202", is_sms=True)
    leo_phone.phone.refresh_from_db()
    assert leo_phone.phone.is_sms  # the flag belongs to the number both use
    update_phone(actor=cast.sam, contact_phone=shared, number="555-9999", is_preferred=True)
    leo_phone.refresh_from_db()
    assert leo_phone.phone.number == "555-0202"
    shared.refresh_from_db()
    assert shared.phone.digits == "5559999" and shared.is_preferred
    remove_phone(actor=cast.sam, contact_phone=shared)
    assert not Phone.objects.filter(digits="5559999").exists()
    assert Phone.objects.filter(digits="5550202").exists()


def test_a_school_secretary_attaches_a_sibling_at_her_school_only(cast: Cast) -> None:
    brother = lars()
    attach_student(
        actor=cast.sam,
        contact=cast.leo_contact,
        student=brother,
        relationship_type="Father",
        rights=LinkRights(allow_data_access=True, has_custody=True),
    )
    assert brother in students_visible_to(account=cast.leo)
    with pytest.raises(OutsideScope, match="outside yours"):
        attach_student(actor=cast.sam, contact=cast.leo_contact, student=cast.holly)


def test_a_new_dated_detail_ends_the_one_before_and_takes_data_access_away(cast: Cast) -> None:
    holly = link(cast, "hana_contact", "holly")
    add_link_detail(
        actor=cast.dana,
        link=holly,
        start_date=TODAY,
        relationship_type="Mother",
        rights=LinkRights(allow_data_access=False),
    )
    first, second = holly.details.order_by("id")
    assert first.end_date == TODAY - datetime.timedelta(days=1)
    assert second.start_date == TODAY and not second.allow_data_access
    assert cast.holly not in students_visible_to(account=cast.hana)
    with pytest.raises(ServiceError, match="already starts on"):
        add_link_detail(actor=cast.dana, link=holly, start_date=TODAY)


def test_the_pencil_edits_the_detail_in_force_and_ends_it(cast: Cast) -> None:
    hugo = link(cast, "hana_contact", "hugo")
    detail = hugo.active_detail()
    assert detail is not None
    update_link_detail(
        actor=cast.dana, detail=detail, rights=LinkRights(allow_data_access=True, lives_with=True)
    )
    assert cast.hugo in students_visible_to(account=cast.hana)
    end_link_detail(actor=cast.dana, detail=detail, end_date=TODAY - datetime.timedelta(days=1))
    assert cast.hugo not in students_visible_to(account=cast.hana)
    with pytest.raises(OutsideScope):
        update_link_detail(actor=cast.sam, detail=detail)


def test_the_viewers_of_a_student_name_who_granted_them(cast: Cast) -> None:
    hugo = link(cast, "hana_contact", "hugo")
    detail = hugo.active_detail()
    assert detail is not None
    update_link_detail(actor=cast.dana, detail=detail, rights=LinkRights(allow_data_access=True))
    [viewer] = portal_viewers(student=cast.hugo)
    assert viewer.account == cast.hana and viewer.detail == detail
    assert viewer.granted_by == "dana" and viewer.granted_at is not None
    [holly_viewer] = portal_viewers(student=cast.holly)
    assert "command line" in holly_viewer.granted_by  # the cast is built by the command line


def test_removing_and_moving_links_keep_the_order_one_two_three(cast: Cast) -> None:
    brother = lars()
    for contact in (cast.hana_contact, cast.una_contact, cast.leo_contact):
        attach_student(actor=cast.dana, contact=contact, student=brother)
    leo = StudentContact.objects.get(student=brother, contact=cast.leo_contact)
    move_link(actor=cast.dana, link=leo, position=1)
    order = StudentContact.objects.filter(student=brother).order_by("contact_priority_order")
    assert [row.contact for row in order] == [cast.leo_contact, cast.hana_contact, cast.una_contact]
    remove_link(actor=cast.sam, link=order[1])
    assert list(order.values_list("contact_id", "contact_priority_order")) == [
        (cast.leo_contact.pk, 1),
        (cast.una_contact.pk, 2),
    ]


def test_a_restriction_needs_a_note_and_a_school_admin_of_the_student(cast: Cast) -> None:
    lila = link(cast, "leo_contact", "lila")
    with pytest.raises(ServiceError, match="a note is required"):
        restrict_link(actor=cast.sam, link=lila, kind="court-order", note="  ")
    with pytest.raises(OutsideScope, match="school and district admins"):
        restrict_link(actor=cast.leo, link=lila, kind="court-order", note="order 12")
    with pytest.raises(OutsideScope):
        restrict_link(
            actor=cast.sam, link=link(cast, "hana_contact", "holly"), kind="custody", note="x"
        )
    restrict_link(actor=cast.sam, link=lila, kind="court-order", note="Court order 2026-14")
    lila.refresh_from_db()
    assert lila.restricted and lila.restricted_note == "Court order 2026-14"


def test_school_staff_create_a_contact_only_for_one_of_their_students(cast: Cast) -> None:
    with pytest.raises(OutsideScope, match="choose one of your school's students"):
        create_contact_for_student(actor=cast.sam, student=None, last_name="Lake")
    with pytest.raises(OutsideScope):
        create_contact_for_student(actor=cast.sam, student=cast.holly, last_name="Hill")
    made = create_contact_for_student(
        actor=cast.sam,
        student=cast.lila,
        first_name="Lena",
        last_name="Lake",
        email="lena@example.org",
        phone="555-0404",
        relationship_type="Mother",
        rights=LinkRights(allow_data_access=True),
    )
    assert made.emails.get().is_primary and made.phones.count() == 1
    assert StudentContact.objects.get(contact=made).grants_access()


def test_duplicates_are_the_same_email_or_the_same_phone_and_last_name(cast: Cast) -> None:
    found = duplicate_contacts(actor=cast.dana, last_name="X", email="HANA@example.org", phone="")
    assert found.named == [cast.hana_contact]
    found = duplicate_contacts(actor=cast.dana, last_name="lake", email="", phone="(555) 0202")
    assert found.named == [cast.leo_contact]
    assert not duplicate_contacts(
        actor=cast.dana, last_name="Other", email="", phone="5550202"
    ).named
    hidden = duplicate_contacts(actor=cast.sam, last_name="", email="hana@example.org", phone="")
    assert hidden.named == [] and hidden.unnamed == 1


def test_a_username_taken_by_another_account_is_not_available(cast: Cast) -> None:
    with pytest.raises(AccountError, match=USERNAME_NOT_AVAILABLE):
        change_username(actor=cast.dana, account=cast.hana, username="LEO@example.org")
    with pytest.raises(OutsideScope):
        change_username(actor=cast.sam, account=cast.hana, username="hana")
    change_username(actor=cast.dana, account=cast.hana, username="hana")
    cast.hana.refresh_from_db()
    assert cast.hana.username == "hana"


def test_correcting_an_address_two_contacts_share_changes_it_for_one_only(cast: Cast) -> None:
    hana = add_address(actor=command_line_user(), contact=cast.hana_contact, street="1 Hill Rd")
    shared = ContactAddress.objects.create(
        contact=cast.una_contact, address=hana.address, priority_order=1
    )
    shared = ContactAddress.objects.select_related("address").get(pk=shared.pk)
    update_address(actor=cast.sam, contact_address=shared, street="9 Lake St", city="Grand Bend")
    hers = ContactAddress.objects.select_related("address").get(pk=hana.pk)
    theirs = ContactAddress.objects.select_related("address").get(pk=shared.pk)
    assert hers.address.street == "1 Hill Rd"
    assert theirs.address.street == "9 Lake St" and theirs.address_id != hers.address_id
