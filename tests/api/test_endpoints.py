"""What each endpoint does, through the same services as the screens, audited as the token's
person: contacts made, data access granted and revoked, accounts made and switched, a file
uploaded and previewed, an AutoCreate simulation queued."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.api.helpers import api_as
from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.people.models import Contact, StudentContact
from tutela.provisioning.models import AutoCreateJob

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"api:{name}", args=args)


def test_a_contact_shows_its_emails_phones_and_only_the_links_the_caller_sees(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.una_contact)
    body = api_as(cast, "sam").get(url("contact-detail", cast.una_contact.pk)).json()
    assert [e["address"] for e in body["emails"]] == ["una@example.org"]
    assert [p["number"] for p in body["phones"]] == ["555-0303"]
    assert [row["id"] for row in body["links"]] == [link.pk]
    assert body["links"][0]["grants_access"] is True


def test_lists_are_paged(cast: Cast) -> None:
    body = api_as(cast, "dana").get(url("student-list"), {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_staff_make_a_contact_for_their_student_audited_as_themselves(cast: Cast) -> None:
    client = api_as(cast, "sam")
    made = client.post(
        url("contact-list"),
        {"student": cast.lila.pk, "last_name": "Lake", "first_name": "Lars", "email": "l@x.org"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    contact = Contact.objects.get(pk=made.json()["id"])
    assert contact.student_links.get().student == cast.lila
    assert LogEntry.objects.get_for_object(contact).get().actor == cast.sam
    refused = client.post(
        url("contact-list"), {"student": cast.holly.pk, "last_name": "X"}, format="json"
    )
    assert refused.status_code == 404


def test_data_access_is_revoked_and_granted_again_by_dated_details(cast: Cast) -> None:
    client = api_as(cast, "sam")
    link = StudentContact.objects.get(contact=cast.leo_contact)
    revoked = client.post(url("link-revoke", link.pk), {}, format="json")
    assert revoked.status_code == 200 and revoked.json()["grants_access"] is False
    link.refresh_from_db()
    assert not link.grants_access()
    granted = client.post(url("link-grant", link.pk), {}, format="json")
    assert granted.status_code == 200 and granted.json()["grants_access"] is True
    assert link.grants_access()
    entry = LogEntry.objects.filter(actor=cast.sam).first()
    assert entry is not None


def test_a_bad_detail_answers_400_with_the_service_s_words(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact)
    response = api_as(cast, "sam").post(
        url("link-details", link.pk),
        {"start_date": "2030-05-01", "end_date": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "a relationship cannot end before it starts"}


def test_accounts_are_made_disabled_enabled_and_sent_an_activation_link(
    cast: Cast, mailoutbox: Any
) -> None:
    client = api_as(cast, "sam")
    made = client.post(
        url("account-list"),
        {"contact": cast.una_contact.pk, "send_activation": True},
        format="json",
    )
    assert made.status_code == 201, made.json()
    account = Account.objects.get(pk=made.json()["id"])
    assert account.username == "una@example.org"
    disabled = client.post(url("account-disable", account.pk))
    assert disabled.json()["enabled"] is False
    refused = client.post(url("account-send-activation", account.pk))
    assert refused.status_code == 400 and "disabled" in refused.json()["detail"]
    assert client.post(url("account-enable", account.pk)).json()["enabled"] is True
    assert client.post(url("account-send-activation", account.pk)).status_code == 200


def test_a_file_is_uploaded_previewed_and_its_rows_read(
    cast: Cast, tmp_path: Any, immediate_queue: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_as(cast, "dana")
    path = tmp_path / "students.csv"
    path.write_text(
        "Student_Number,First_Name,Last_Name,SchoolID,Grade_Level\n9001,Ada,Ames,10,4\n"
        "9002,Bo,,10,4\n"
    )
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        made = client.post(url("import-list"), {"kind": "students", "file": handle})
    assert made.status_code == 201, made.json()
    job_id = made.json()["preview"]["id"]
    job = client.get(url("import-job-detail", job_id)).json()
    assert job["status"] == "done" and job["dry_run"] is True
    assert job["totals"]["outcomes"]["rejected"] == 1
    rows = client.get(url("import-job-rows", job_id), {"outcome": "rejected"}).json()
    assert [row["row"] for row in rows["results"]] == [3]
    assert client.get(url("import-job-rows", job_id), {"outcome": "x"}).status_code == 400


def test_an_unknown_kind_of_file_is_refused_with_why(cast: Cast, tmp_path: Any) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF")
    with path.open("rb") as handle:
        response = api_as(cast, "dana").post(
            url("import-list"), {"kind": "students", "file": handle}
        )
    assert response.status_code == 400 and "unsupported file type" in response.json()["detail"]


def test_a_district_admin_queues_an_autocreate_simulation(cast: Cast) -> None:
    made = api_as(cast, "dana").post(
        url("autocreate-job-list"), {"school": "10", "simulate": True}, format="json"
    )
    assert made.status_code == 201, made.json()
    job = AutoCreateJob.objects.get(pk=made.json()["id"])
    assert job.simulate and job.selection["school"] == "10" and job.actor == cast.dana
