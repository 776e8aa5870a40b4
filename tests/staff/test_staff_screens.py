"""Staff screens: only staff, scoped to their schools; account creation and the seed's fix."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

import pytest
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.accounts.selectors import students_visible_to
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, Student, StudentContact
from tutela.people.services import (
    add_address,
    add_email,
    add_phone,
    create_contact,
    link_student,
    save_student,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def give_holly_to(contact: Contact) -> None:
    """Link a Lakeside contact to Holly at Hillcrest too (data access granted)."""
    holly = Student.objects.get(student_number="2001")
    link_student(actor=command_line_user(), contact=contact, student=holly, allow_data_access=True)


def create_una_with_a_temporary_password(client: Client, cast: Cast) -> TestResponse:
    return client.post(
        reverse("staff:account-create", args=[cast.una_contact.pk]),
        {
            "email": "una@example.org",
            "username": "una",
            "method": "temporary-password",
            "temporary_password": "river stones sing",
        },
    )


def staff_urls(cast: Cast) -> list[str]:
    contact = cast.una_contact.pk
    return [
        reverse("staff:home"),
        reverse("staff:search") + "?q=Hill",
        reverse("staff:contact", args=[contact]),
        reverse("staff:account-create", args=[contact]),
        reverse("staff:contact-merge", args=[contact, cast.leo_contact.pk]),
    ]


@pytest.mark.parametrize("who", ["hana", "leo"])
def test_parents_get_403_on_every_staff_screen(cast: Cast, who: str) -> None:
    client = signed_in(getattr(cast, who))
    for url in staff_urls(cast):
        assert client.get(url).status_code == 403, url
    action = reverse("staff:account-action", args=[cast.hana_contact.pk, "disable"])
    assert client.post(action).status_code == 403
    cast.hana.refresh_from_db()
    assert cast.hana.is_active


def test_staff_sign_in_leads_to_the_sign_in_page_and_back(cast: Cast) -> None:
    page = Client().get(reverse("staff:sign-in"))
    assert page.status_code == 302 and "next=%2Fstaff%2F" in page["Location"]


def test_search_by_email_lists_each_match_with_its_students(cast: Cast) -> None:
    page = signed_in(cast.dana).get(reverse("staff:search"), {"q": "HANA@example.org"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Hill, Hana" in text and "Holly" in text and "Hugo" in text
    assert "Lake, Leo" not in text


def test_search_by_name(cast: Cast) -> None:
    text = signed_in(cast.dana).get(reverse("staff:search"), {"q": "lake"}).content.decode()
    assert "Lake, Leo" in text and "Lila" in text and "Hill, Hana" not in text


def test_school_staff_search_only_their_schools_contacts(cast: Cast) -> None:
    client = signed_in(cast.sam)
    assert "Hill, Hana" not in client.get(reverse("staff:search"), {"q": "Hill"}).content.decode()
    assert "Lake, Leo" in client.get(reverse("staff:search"), {"q": "Leo"}).content.decode()


def test_school_staff_get_404_for_another_schools_contact(cast: Cast) -> None:
    client = signed_in(cast.sam)
    assert client.get(reverse("staff:contact", args=[cast.hana_contact.pk])).status_code == 404
    assert (
        client.get(reverse("staff:account-create", args=[cast.hana_contact.pk])).status_code == 404
    )
    action = reverse("staff:account-action", args=[cast.hana_contact.pk, "disable"])
    assert client.post(action).status_code == 404
    assert client.get(reverse("staff:contact", args=[cast.leo_contact.pk])).status_code == 200


def test_the_contact_page_shows_emails_account_and_students_with_data_access(cast: Cast) -> None:
    page = signed_in(cast.dana).get(reverse("staff:contact", args=[cast.hana_contact.pk]))
    text = page.content.decode()
    assert "hana.hill" in text and "enabled" in text
    assert "hana@example.org" in text
    assert "Holly" in text and "Hugo" in text
    rows = {
        name: re.search(rf"{name} Hill</a>.*?</tr>", text, re.DOTALL).group(0)  # type: ignore[union-attr]
        for name in ("Holly", "Hugo")
    }
    # Holly's only right is data access; Hugo has none.
    assert rows["Holly"].count("<td>yes</td>") == 1 and "<td>yes</td>" not in rows["Hugo"]


def test_staff_create_an_account_with_an_activation_link(
    cast: Cast,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page = signed_in(cast.sam).post(
            reverse("staff:account-create", args=[cast.una_contact.pk]),
            {"email": "una@example.org", "username": "", "method": "activation"},
        )
    assert page.status_code == 302
    account = Account.objects.get(contact=cast.una_contact)
    assert account.username == "una@example.org"
    assert [m.to for m in mailoutbox] == [["una@example.org"]]


def test_staff_create_an_account_with_a_temporary_password(cast: Cast) -> None:
    page = create_una_with_a_temporary_password(signed_in(cast.dana), cast)
    assert page.status_code == 302
    assert Account.objects.get(username="una").must_change_password


def test_the_screen_shows_username_not_available(cast: Cast) -> None:
    page = signed_in(cast.dana).post(
        reverse("staff:account-create", args=[cast.una_contact.pk]),
        {"email": "una@example.org", "username": "LEO@example.org", "method": "activation"},
    )
    assert page.status_code == 200
    assert "Username not available" in page.content.decode()


def test_staff_actions_disable_enable_and_resend(
    cast: Cast,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = signed_in(cast.dana)
    client.post(reverse("staff:account-action", args=[cast.hana_contact.pk, "disable"]))
    cast.hana.refresh_from_db()
    assert not cast.hana.is_active
    client.post(reverse("staff:account-action", args=[cast.hana_contact.pk, "enable"]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:account-action", args=[cast.hana_contact.pk, "send-activation"]))
    assert len(mailoutbox) == 1


@pytest.fixture
def duplicate(cast: Cast) -> Contact:
    """A registrar entered Hana again for her new child Hank, with a new phone and address."""
    hank = save_student(
        actor=command_line_user(),
        student_number="2003",
        first_name="Hank",
        last_name="Hill",
        school_number="10",
        grade_level="K",
    )
    dup = create_contact(
        actor=command_line_user(), first_name="Hana", last_name="Hill", employer="Hill Farms"
    )
    add_email(actor=command_line_user(), contact=dup, address="Hana@Example.org", is_primary=True)
    add_email(actor=command_line_user(), contact=dup, address="hana.work@example.org")
    add_phone(actor=command_line_user(), contact=dup, number="555-0101")  # the same phone Hana has
    add_phone(actor=command_line_user(), contact=dup, number="555-0444", phone_type="Mobile")
    add_address(actor=command_line_user(), contact=dup, street="1 Hill Road", city="Grand Bend")
    link_student(actor=command_line_user(), contact=dup, student=hank)
    return dup


def test_email_in_use_shows_the_existing_contact_and_its_students(
    cast: Cast, duplicate: Contact
) -> None:
    page = signed_in(cast.dana).post(
        reverse("staff:account-create", args=[duplicate.pk]),
        {"email": duplicate.emails.get(is_primary=True).address, "method": "activation"},
    )
    assert page.status_code == 409
    text = page.content.decode()
    assert "The account email address is already in use by another access account" in text
    assert f"#{cast.hana_contact.pk}" in text
    assert "Holly" in text and "Hugo" in text and "Hank" in text
    assert reverse("staff:contact-merge", args=[duplicate.pk, cast.hana_contact.pk]) in text


def test_one_confirmation_attaches_the_student_and_removes_the_duplicate(
    cast: Cast, duplicate: Contact
) -> None:
    hank = duplicate.student_links.get().student
    page = signed_in(cast.dana).post(
        reverse("staff:contact-merge", args=[duplicate.pk, cast.hana_contact.pk]),
        {"relationship_type": "Mother", "allow_data_access": "on"},
    )
    assert page.status_code == 302
    assert page["Location"] == reverse("staff:contact", args=[cast.hana_contact.pk])
    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    link = StudentContact.objects.get(student=hank)
    assert link.contact == cast.hana_contact
    detail = link.active_detail()
    assert detail is not None and detail.allow_data_access
    assert detail.relationship_type is not None and detail.relationship_type.code == "Mother"
    contact = cast.hana_contact
    assert sorted(contact.emails.values_list("address", flat=True)) == [
        "hana.work@example.org",
        "hana@example.org",
    ]
    assert contact.emails.filter(is_primary=True).get().address == "hana@example.org"
    assert sorted(contact.phones.values_list("phone__digits", flat=True)) == ["5550101", "5550444"]
    assert list(contact.addresses.values_list("address__street", flat=True)) == ["1 Hill Road"]
    contact.refresh_from_db()
    assert contact.employer == "Hill Farms"
    # Hana's one account now shows Hank too, and still not Hugo.
    assert set(students_visible_to(account=cast.hana)) == {cast.holly, hank}


def test_school_staff_cannot_merge_their_contact_into_an_unrelated_one(cast: Cast) -> None:
    page = signed_in(cast.sam).post(
        reverse("staff:contact-merge", args=[cast.una_contact.pk, cast.hana_contact.pk]),
        {"allow_data_access": "on"},
    )
    assert page.status_code == 404
    assert Contact.objects.filter(pk=cast.una_contact.pk).exists()


def test_school_staff_cannot_pull_another_schools_parent_in_with_a_shared_email(
    cast: Cast,
) -> None:
    """Sam types Hana's email on Una (his contact): the "already in use" page does not name
    Hana (her children are all at Hillcrest), offers no merge, and the merge answers 404."""
    add_email(actor=command_line_user(), contact=cast.una_contact, address="hana@example.org")
    client = signed_in(cast.sam)
    merge = reverse("staff:contact-merge", args=[cast.una_contact.pk, cast.hana_contact.pk])
    in_use = client.post(
        reverse("staff:account-create", args=[cast.una_contact.pk]),
        {"email": "hana@example.org", "username": "", "method": "activation"},
    )
    assert in_use.status_code == 409
    text = in_use.content.decode()
    assert "another contact, one with students\nyou cannot see" in text
    assert "a district admin can merge" in text
    assert merge not in text
    for hidden in ("Hana", "hana.hill", f"#{cast.hana_contact.pk}", "Holly", "Hugo", "Hillcrest"):
        assert hidden not in text, hidden
    assert client.get(merge).status_code == 404
    assert client.post(merge, {"allow_data_access": "on"}).status_code == 404
    assert Contact.objects.filter(pk=cast.una_contact.pk).exists()
    assert {link.student for link in cast.hana_contact.student_links.all()} == {
        cast.holly,
        cast.hugo,
    }
    # The district admin is shown Hana, and may merge.
    page = signed_in(cast.dana).post(
        reverse("staff:account-create", args=[cast.una_contact.pk]),
        {"email": "hana@example.org", "username": "", "method": "activation"},
    )
    assert "Hill, Hana" in page.content.decode() or "Hana Hill" in page.content.decode()
    assert merge in page.content.decode()


def test_a_parent_in_scope_with_a_child_elsewhere_is_not_named_as_the_owner(cast: Cast) -> None:
    """Leo is Sam's through Lila, but also Holly's at Hillcrest: he is not wholly Sam's, so
    the "already in use" page does not name him or offer to merge into him."""
    give_holly_to(cast.leo_contact)
    add_email(actor=command_line_user(), contact=cast.una_contact, address="leo@example.org")
    page = signed_in(cast.sam).post(
        reverse("staff:account-create", args=[cast.una_contact.pk]),
        {"email": "leo@example.org", "username": "", "method": "activation"},
    )
    assert page.status_code == 409
    text = page.content.decode()
    assert "you cannot see" in text
    assert "Leo" not in text and "Holly" not in text
    merge = reverse("staff:contact-merge", args=[cast.una_contact.pk, cast.leo_contact.pk])
    assert merge not in text
    shown = signed_in(cast.sam).get(merge).content.decode()
    assert "a district admin" in shown and "Attach students and remove" not in shown


def test_the_already_in_use_merge_gives_a_link_without_detail_the_chosen_access(
    cast: Cast, duplicate: Contact
) -> None:
    """A link the duplicate had without any detail record (as some imports leave them) gets
    one, from today, with the relationship and data access chosen on the screen."""
    link = duplicate.student_links.get()
    link.details.all().delete()
    hank = link.student
    page = signed_in(cast.dana).post(
        reverse("staff:contact-merge", args=[duplicate.pk, cast.hana_contact.pk]),
        {"relationship_type": "Mother", "allow_data_access": "on"},
    )
    assert page.status_code == 302
    detail = StudentContact.objects.get(student=hank, contact=cast.hana_contact).active_detail()
    assert detail is not None and detail.allow_data_access
    assert detail.relationship_type is not None and detail.relationship_type.code == "Mother"
    assert detail.start_date == datetime.date.today()
    assert hank in students_visible_to(account=cast.hana)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("temporary-password", {"password": "river stones sing"}),
        ("disable", {}),
        ("enable", {}),
        ("send-activation", {}),
    ],
)
def test_school_staff_cannot_act_on_the_account_of_a_parent_with_a_child_elsewhere(
    cast: Cast, action: str, data: dict[str, str], mailoutbox: list[EmailMessage]
) -> None:
    """Leo is Sam's through Lila; a temporary password set by Sam would also open Holly's
    records at Hillcrest. Only a scope covering all of Leo's children may act."""
    give_holly_to(cast.leo_contact)
    before = Account.objects.get(pk=cast.leo.pk)
    url = reverse("staff:account-action", args=[cast.leo_contact.pk, action])
    assert signed_in(cast.sam).post(url, data).status_code == 403
    after = Account.objects.get(pk=cast.leo.pk)
    assert (after.password, after.is_active) == (before.password, before.is_active)
    assert not mailoutbox
    # The district admin may.
    assert signed_in(cast.dana).post(url, data).status_code == 302


def test_school_staff_cannot_create_an_account_for_a_parent_with_a_child_elsewhere(
    cast: Cast,
) -> None:
    give_holly_to(cast.una_contact)
    page = create_una_with_a_temporary_password(signed_in(cast.sam), cast)
    assert page.status_code == 403
    assert not Account.objects.filter(contact=cast.una_contact).exists()


def test_staff_add_an_email_the_first_one_being_primary(cast: Cast) -> None:
    bare = create_contact(actor=command_line_user(), first_name="Bo", last_name="Bare")
    link_student(actor=command_line_user(), contact=bare, student=cast.lila)
    client = signed_in(cast.sam)
    page = client.post(reverse("staff:email-add", args=[bare.pk]), {"address": "bo@example.org"})
    assert page.status_code == 302
    assert bare.emails.get().is_primary
    client.post(reverse("staff:email-add", args=[bare.pk]), {"address": "not an email"})
    assert bare.emails.count() == 1


@pytest.mark.parametrize(
    ("view_name", "action", "field"),
    [
        ("account_create", None, "temporary_password"),
        ("account_action", "temporary-password", "password"),
    ],
)
def test_temporary_passwords_typed_by_staff_are_hidden_from_error_reports(
    cast: Cast, view_name: str, action: str | None, field: str
) -> None:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory
    from django.views.debug import SafeExceptionReporterFilter

    from tutela.staff.views import contact_account as views

    request = RequestFactory().post("/", {field: "river stones sing", "method": "x"})
    request.user = cast.dana
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    kwargs: dict[str, object] = {"contact_id": cast.hana_contact.pk}
    if action:
        kwargs["action"] = action
    getattr(views, view_name)(request, **kwargs)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown[field] != "river stones sing"


def test_school_staff_see_only_their_schools_students_of_a_contact_they_may_see(
    cast: Cast,
) -> None:
    """Una is Sam's through Lila; her link to Holly at Hillcrest is another school's business."""
    give_holly_to(cast.una_contact)
    client = signed_in(cast.sam)
    for page in (
        client.get(reverse("staff:contact", args=[cast.una_contact.pk])),
        client.get(reverse("staff:search"), {"q": "Unlinked"}),
    ):
        text = page.content.decode()
        assert page.status_code == 200
        assert "Lila" in text
        assert "Holly" not in text and "2001" not in text and "Hillcrest" not in text
        assert "1 student at another school" in text
    # The district admin still sees both.
    text = (
        signed_in(cast.dana)
        .get(reverse("staff:contact", args=[cast.una_contact.pk]))
        .content.decode()
    )
    assert "Holly" in text and "Lila" in text


def test_school_staff_cannot_move_another_schools_child_to_another_family(cast: Cast) -> None:
    """Una is Sam's through Lila, and is also linked to Holly at Hillcrest: folding Una into
    Leo would hand Holly, with data access, to another family. Only a district admin may."""
    give_holly_to(cast.una_contact)
    merge = reverse("staff:contact-merge", args=[cast.una_contact.pk, cast.leo_contact.pk])
    client = signed_in(cast.sam)
    shown = client.get(merge).content.decode()
    assert "a district admin" in shown
    assert "Attach students and remove" not in shown  # no button to press
    page = client.post(merge, {"relationship_type": "", "allow_data_access": "on"})
    assert page.status_code == 200
    assert "a district admin" in page.content.decode()
    assert Contact.objects.filter(pk=cast.una_contact.pk).exists()
    assert StudentContact.objects.get(student=cast.holly, contact=cast.una_contact)
    assert cast.holly not in students_visible_to(account=cast.leo)
    # The district admin may.
    assert signed_in(cast.dana).post(merge, {"allow_data_access": "on"}).status_code == 302
    assert not Contact.objects.filter(pk=cast.una_contact.pk).exists()
