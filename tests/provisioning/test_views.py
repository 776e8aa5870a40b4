"""The AutoCreate staff screens: who may use them, a simulation by default, live progress,
the CSV plan, and the email templates with a preview for a real recipient."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.provisioning.helpers import guardian
from tutela.accounts.models import Account
from tutela.provisioning.models import AutoCreateJob, EmailTemplate

pytestmark = pytest.mark.django_db


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


@pytest.mark.parametrize(
    "name", ["provisioning:autocreate", "provisioning:templates", "provisioning:template-new"]
)
def test_only_district_admins_reach_the_autocreate_screens(cast: Cast, name: str) -> None:
    url = reverse(name)
    assert Client().get(url).status_code == 302  # to sign-in
    assert signed_in(cast.hana).get(url).status_code == 403  # a parent
    assert signed_in(cast.sam).get(url).status_code == 403  # a school admin
    assert signed_in(cast.dana).get(url).status_code == 200


def test_another_admins_job_pages_refuse_non_admins(cast: Cast) -> None:
    job = AutoCreateJob.objects.create(actor=cast.dana, simulate=True)
    for name in ("provisioning:job", "provisioning:job-progress", "provisioning:job-plan"):
        url = reverse(name, kwargs={"job_id": job.pk})
        assert signed_in(cast.sam).get(url).status_code == 403
        assert signed_in(cast.hana).get(url).status_code == 403


def test_the_form_simulates_by_default(cast: Cast) -> None:
    page = signed_in(cast.dana).get(reverse("provisioning:autocreate")).content.decode()
    [checkbox] = re.findall(r"<input[^>]*name=\"simulate\"[^>]*>", page)
    assert " checked" in checkbox


def test_a_simulation_runs_in_the_background_and_shows_progress_and_a_csv_plan(
    cast: Cast, immediate_queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gia = guardian("Gia", "Hill", "gia@example.org", students=(cast.holly,))
    client = signed_in(cast.dana)
    accounts_before = Account.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("provisioning:autocreate"), {"simulate": "on"})
    job = AutoCreateJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("provisioning:job", kwargs={"job_id": job.pk})
    assert Account.objects.count() == accounts_before  # a simulation writes nothing

    progress = client.get(reverse("provisioning:job-progress", kwargs={"job_id": job.pk})).json()
    assert progress["status"] == "done"
    assert progress["percent"] == 100
    assert progress["done"] == progress["total"] == 3  # the cast's three students
    assert progress["totals"]["accounts_created"] == 1  # Gia, a new guardian

    page = client.get(reverse("provisioning:job", kwargs={"job_id": job.pk})).content.decode()
    assert "Run it for real" in page
    assert "gia@example.org" in page

    download = client.get(reverse("provisioning:job-plan", kwargs={"job_id": job.pk}))
    assert download["Content-Disposition"] == (
        f'attachment; filename="autocreate-simulation-{job.pk}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(download.getvalue().decode("utf-8-sig"))))
    assert [r["action"] for r in rows if r["contact_name"] == "Gia Hill"] == ["create"]
    una = [r for r in rows if r["contact_name"] == "Una Unlinked"]
    assert [r["reason"] for r in una] == ["not eligible: no custody, relationship not recorded"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("provisioning:job-run", kwargs={"job_id": job.pk}))
    real = AutoCreateJob.objects.get(simulate=False)
    assert real.status == "done"
    assert real.totals == job.totals
    assert Account.objects.filter(contact=gia).exists()
    assert not Account.objects.filter(contact=cast.una_contact).exists()


def test_a_school_and_grade_selection_and_a_students_file(
    cast: Cast, immediate_queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(cast.dana)
    upload = SimpleUploadedFile("kids.csv", b"Student_Number\r\n2001\r\n9999\r\n")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("provisioning:autocreate"),
            {"simulate": "on", "school": "10", "grades": "3, 4", "students_file": upload},
        )
    job = AutoCreateJob.objects.get()
    assert job.selection["school"] == "10"
    assert job.selection["grades"] == ["3", "4"]
    assert job.selection["student_numbers"] == ["2001", "9999"]
    assert job.totals["students"] == 1
    assert job.totals["unknown_students"] == 1


def welcome_form(template: EmailTemplate) -> dict[str, str]:
    """The template's edit form, filled in with a valid welcome message."""
    return {
        "name": template.name,
        "kind": "account_created",
        "language": "en",
        "subject": "Welcome to {{ district_name }}",
        "body_text": "Dear {{ parent_name }}, start here: {{ activation_link }}",
        "body_html": "",
    }


def test_a_template_is_edited_and_previewed_for_a_real_recipient(cast: Cast) -> None:
    client = signed_in(cast.dana)
    template = EmailTemplate.objects.get(kind="account_created", language="en")
    url = reverse("provisioning:template", kwargs={"template_id": template.pk})
    page = client.get(f"{url}?contact={cast.hana_contact.pk}").content.decode()
    assert "Preview for Hana Hill" in page
    assert "Hello Hana Hill," in page
    assert "Your username: hana.hill" in page
    assert "PREVIEW-NOT-A-REAL-LINK" in page

    refused = client.post(
        url,
        {
            "name": template.name,
            "kind": "account_created",
            "language": "en",
            "subject": "Hi {{ password }}",
            "body_text": "{{ activation_link }}",
            "body_html": "",
        },
    )
    assert "unknown placeholder {{ password }}" in refused.content.decode()
    saved = client.post(url, welcome_form(template))
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Welcome to {{ district_name }}"


def test_an_edited_template_leaves_an_audit_entry_naming_the_editor(cast: Cast) -> None:
    from auditlog.models import LogEntry

    template = EmailTemplate.objects.get(kind="account_created", language="en")
    url = reverse("provisioning:template", kwargs={"template_id": template.pk})
    saved = signed_in(cast.dana).post(url, welcome_form(template))
    assert saved.status_code == 302
    entry = LogEntry.objects.get_for_object(template).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == cast.dana
    assert entry.changes_dict["subject"][1] == "Welcome to {{ district_name }}"
