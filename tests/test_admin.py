"""The demo's Django admin shows the district to a superuser and to nobody else."""

from typing import Any

import pytest
from django.test import Client

from tests.factories import AccountFactory, ContactFactory, StudentFactory
from tutela.accounts.models import Account

pytestmark = pytest.mark.django_db

PAGES = ["/admin/people/student/", "/admin/people/contact/", "/admin/imports/importjob/"]


def test_a_superuser_browses_students_and_contacts(client: Client) -> None:
    student = StudentFactory(last_name="Quillfeather")
    contact = ContactFactory(last_name="Brightwater")
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
        ("accesscodes.PendingLink", True),
    ],
)
def test_logs_and_audit_trails_are_read_only_in_the_admin(
    model_path: str, deletable: bool, rf: Any
) -> None:
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(model_path)]
    request = rf.get("/admin/")
    request.user = AccountFactory(username="root", is_staff=True, is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert model_admin.has_delete_permission(request) is deletable
