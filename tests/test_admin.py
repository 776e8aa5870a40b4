"""The demo's Django admin shows the district to a superuser and to nobody else, and changes
nothing about people: every change to a person goes through the services."""

from typing import Any

import pytest
from django.test import Client

from tests.factories import AccountFactory, ContactFactory, SectionFactory, StudentFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user

pytestmark = pytest.mark.django_db

PAGES = ["/admin/people/student/", "/admin/people/contact/", "/admin/imports/importjob/"]


def test_a_superuser_browses_students_and_contacts(client: Client) -> None:
    student = StudentFactory.create(last_name="Quillfeather")
    contact = ContactFactory.create(last_name="Brightwater")
    client.force_login(Account.objects.create(username="boss", is_staff=True, is_superuser=True))
    assert "Quillfeather" in client.get(PAGES[0]).content.decode()
    assert "Brightwater" in client.get(PAGES[1]).content.decode()
    assert client.get(f"/admin/people/contact/{contact.pk}/change/").status_code == 200
    assert client.get(f"/admin/people/student/{student.pk}/change/").status_code == 200
    assert client.get(PAGES[2]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_anyone_else_is_sent_to_sign_in(client: Client, page: str) -> None:
    client.force_login(Account.objects.create(username="parent"))
    response = client.get(page)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("model_path", "deletable"),
    [
        ("imports.ImportJob", False),
        ("accounts.SecurityEvent", False),
        ("accesscodes.CodeAttempt", True),
        ("accesscodes.PendingLink", False),  # the queue is decided on the staff screen
    ],
)
def test_logs_and_audit_trails_are_read_only_in_the_admin(
    model_path: str, deletable: bool, rf: Any
) -> None:
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(model_path)]
    request = rf.get("/admin/")
    request.user = AccountFactory.create(username="root", is_staff=True, is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert model_admin.has_delete_permission(request) is deletable


def people_records() -> dict[str, Any]:
    """One record of every kind of people data the admin shows."""
    from tutela.accesscodes.models import PendingLink
    from tutela.people.models import Code, StudentContact
    from tutela.people.services import link_student

    student = StudentFactory.create()
    contact = ContactFactory.create()
    guardian = ContactFactory.create()
    parent = AccountFactory.create(username="parent@example.org", contact=guardian)
    link_student(actor=command_line_user(), contact=contact, student=student)
    return {
        "people/school": student.school,
        "people/code": Code.objects.first(),
        "people/student": student,
        "people/contact": contact,
        "people/studentcontact": StudentContact.objects.get(contact=contact),
        "sections/section": SectionFactory.create(),
        "accesscodes/pendinglink": PendingLink.objects.create(
            student=student, contact=guardian, account=parent
        ),
        "accounts/account": parent,
    }


@pytest.fixture(params=["staff with every permission", "superuser"])
def admin_user(request: Any) -> Account:
    from django.contrib.auth.models import Permission

    if request.param == "superuser":
        return Account.objects.create(username="boss", is_staff=True, is_superuser=True)
    staff = Account.objects.create(username="clerk", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    return staff


def test_people_data_can_be_listed_and_viewed_but_never_added_changed_or_deleted(
    client: Client, admin_user: Account
) -> None:
    client.force_login(admin_user)
    for path, record in people_records().items():
        base = f"/admin/{path}/"
        assert client.get(base).status_code == 200, path
        page = client.get(f"{base}{record.pk}/change/")
        assert page.status_code == 200, path
        assert 'name="_save"' not in page.content.decode(), path  # shown, not offered to edit
        assert client.post(f"{base}{record.pk}/change/", {}).status_code == 403, path
        if path != "accounts/account":  # adding an account makes a staff account, no contact
            assert client.get(f"{base}add/").status_code == 403, path
        assert client.get(f"{base}{record.pk}/delete/").status_code == 403, path
        assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403, path
        client.post(base, {"action": "delete_selected", "_selected_action": [record.pk]})
        assert type(record).objects.filter(pk=record.pk).exists(), path
    parent = Account.objects.get(username="parent@example.org")
    # Nor a parent's password, which only the activation and reset links set.
    assert client.get(f"/admin/accounts/account/{parent.pk}/password/").status_code == 403


def test_a_staff_account_is_still_given_its_schools_in_the_admin_but_never_a_contact(
    client: Client,
) -> None:
    client.force_login(Account.objects.create(username="boss", is_staff=True, is_superuser=True))
    clerk = Account.objects.create(username="clerk", is_staff=True)
    page = client.get(f"/admin/accounts/account/{clerk.pk}/change/").content.decode()
    assert 'name="_save"' in page and 'name="schools"' in page
    assert 'name="contact"' not in page
