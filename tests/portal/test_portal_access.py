"""Each parent sees exactly their granted students, through every URL; others get 404/403."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContactDetail
from tutela.people.services import lift_restriction, restrict_link

pytestmark = pytest.mark.django_db


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_a_parent_is_listed_only_the_child_with_data_access(cast: Cast) -> None:
    page = signed_in(cast.hana).get(reverse("portal:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Holly" in text
    assert "Hugo" not in text
    assert "Lila" not in text
    assert "Hillcrest Elementary" in text


def test_the_selector_gives_each_parent_exactly_their_granted_students(cast: Cast) -> None:
    assert list(students_visible_to(account=cast.hana)) == [cast.holly]
    assert list(students_visible_to(account=cast.leo)) == [cast.lila]
    assert list(students_visible_to(account=cast.dana)) == []
    assert list(students_visible_to(account=cast.sam)) == []


def test_a_parent_sees_the_granted_childs_page(cast: Cast) -> None:
    page = signed_in(cast.hana).get(reverse("portal:student", args=[cast.holly.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Holly Hill" in text and "Hillcrest Elementary" in text and "3" in text
    assert "hana@example.org" in text
    assert "leo@example.org" not in text
    # The relationship of the detail that grants the access.
    assert "Mother" in text


@pytest.mark.parametrize(
    ("who", "student"),
    [("hana", "hugo"), ("hana", "lila"), ("leo", "holly"), ("leo", "hugo")],
)
def test_a_student_not_granted_answers_404_even_by_guessed_url(
    cast: Cast, who: str, student: str
) -> None:
    page = signed_in(getattr(cast, who)).get(
        reverse("portal:student", args=[getattr(cast, student).pk])
    )
    assert page.status_code == 404


def test_a_student_id_that_does_not_exist_answers_the_same_404(cast: Cast) -> None:
    page = signed_in(cast.hana).get(reverse("portal:student", args=[999_999]))
    assert page.status_code == 404


def test_access_follows_the_active_detail_not_an_old_one(cast: Cast) -> None:
    link = cast.hana_contact.student_links.get(student=cast.hugo)
    old = link.details.get()
    old.end_date = datetime.date.today() - datetime.timedelta(days=1)
    old.start_date = datetime.date(2000, 1, 1)
    old.save()
    StudentContactDetail.objects.create(
        link=link, start_date=datetime.date.today(), allow_data_access=True
    )
    assert cast.hugo in students_visible_to(account=cast.hana)
    # And the other way round: a grant that has ended no longer shows the student.
    holly_link = cast.hana_contact.student_links.get(student=cast.holly)
    StudentContactDetail.objects.filter(link=holly_link).update(
        start_date=datetime.date(2000, 1, 1), end_date=datetime.date(2001, 1, 1)
    )
    StudentContactDetail.objects.create(
        link=holly_link, start_date=datetime.date(2001, 1, 2), allow_data_access=False
    )
    client = signed_in(cast.hana)
    assert client.get(reverse("portal:student", args=[cast.holly.pk])).status_code == 404
    assert client.get(reverse("portal:student", args=[cast.hugo.pk])).status_code == 200


def test_a_link_whose_only_grant_has_ended_no_longer_shows_the_student(cast: Cast) -> None:
    """No detail in force today: the latest one (ended, with data access) must not count."""
    StudentContactDetail.objects.filter(
        link__contact=cast.hana_contact, link__student=cast.holly
    ).update(
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date.today() - datetime.timedelta(days=1),
    )
    client = signed_in(cast.hana)
    assert "Holly" not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("portal:student", args=[cast.holly.pk])).status_code == 404
    assert list(students_visible_to(account=cast.hana)) == []


def test_a_grant_that_has_not_started_yet_does_not_show_the_student(cast: Cast) -> None:
    StudentContactDetail.objects.filter(link__contact=cast.leo_contact).update(
        start_date=datetime.date.today() + datetime.timedelta(days=7)
    )
    client = signed_in(cast.leo)
    assert "Lila" not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("portal:student", args=[cast.lila.pk])).status_code == 404


def test_a_restricted_parents_open_session_loses_the_student_on_the_next_request(
    cast: Cast,
) -> None:
    """A court order cuts access at once, whatever the link's detail grants; lifting it
    gives the grant back."""
    link = cast.hana_contact.student_links.get(student=cast.holly)
    client = signed_in(cast.hana)
    student_page = reverse("portal:student", args=[cast.holly.pk])
    assert client.get(student_page).status_code == 200
    restrict_link(actor=cast.dana, link=link, kind="court-order", note="Order 7 of 2026")
    assert client.get(student_page).status_code == 404
    assert "Holly" not in client.get(reverse("portal:home")).content.decode()
    assert list(students_visible_to(account=cast.hana)) == []
    lift_restriction(actor=cast.dana, link=link, note="Order vacated")
    assert client.get(student_page).status_code == 200


@pytest.mark.parametrize("url_name", ["portal:home", "portal:my-details"])
def test_staff_accounts_without_a_contact_are_refused_the_portal(cast: Cast, url_name: str) -> None:
    assert signed_in(cast.dana).get(reverse(url_name)).status_code == 403


def test_staff_get_404_for_portal_student_pages(cast: Cast) -> None:
    page = signed_in(cast.dana).get(reverse("portal:student", args=[cast.holly.pk]))
    assert page.status_code in {403, 404}


@pytest.mark.parametrize(
    "url",
    ["/portal/", "/portal/my-details/", "/portal/students/1/", "/staff/", "/staff/contacts/1/"],
)
def test_anonymous_visitors_are_sent_to_sign_in(cast: Cast, url: str) -> None:
    page = Client().get(url)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:sign-in"))


def test_a_disabled_parent_loses_the_portal_at_once(cast: Cast) -> None:
    client = signed_in(cast.hana)
    cast.hana.is_active = False
    cast.hana.save()
    page = client.get(reverse("portal:home"))
    assert page.status_code == 302
    assert students_visible_to(account=cast.hana).count() == 0


def test_a_parent_corrects_their_own_email_and_phone_with_an_audit_record(cast: Cast) -> None:
    from auditlog.models import LogEntry

    client = signed_in(cast.hana)
    page = client.post(
        reverse("portal:my-details"), {"email": "hana.new@example.org", "phone": "555-0199"}
    )
    assert page.status_code == 302
    # Hana signs in with that email: it changes once she opens the link sent to the new one
    # (tests/portal/test_email_change.py); the phone changes at once.
    assert list(cast.hana_contact.emails.values_list("address", flat=True)) == ["hana@example.org"]
    assert cast.hana_contact.phones.get().phone.digits == "5550199"
    entries = LogEntry.objects.filter(actor=cast.hana)
    assert entries.filter(content_type__model="accesstoken").exists()
    assert entries.filter(content_type__model="contactphone").exists()


def test_a_parent_changing_their_phone_does_not_change_it_for_others_who_share_it(
    cast: Cast,
) -> None:
    from tutela.people.services import add_phone

    add_phone(actor=command_line_user(), contact=cast.leo_contact, number="555-0101")
    signed_in(cast.hana).post(reverse("portal:my-details"), {"phone": "555-0111"})
    assert cast.leo_contact.phones.filter(phone__digits="5550101").exists()


def test_the_portal_list_takes_a_few_queries_however_many_children(
    cast: Cast, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    from tests.factories import StudentFactory
    from tutela.people.services import link_student

    for _ in range(10):
        link_student(
            actor=command_line_user(),
            contact=cast.hana_contact,
            student=StudentFactory.create(),
            allow_data_access=True,
        )
    client = signed_in(cast.hana)
    # The session, the account with its contact (the page's language), and the details with
    # their links, students, schools and relationships: nothing per child.
    with django_assert_max_num_queries(3):
        page = client.get(reverse("portal:home"))
    assert page.content.decode().count('class="student"') == 11
