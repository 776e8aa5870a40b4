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
from tutela.people.models import Contact, LinkRestriction, Student, StudentContact
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


def test_a_court_order_restricts_a_link_at_once_and_lifting_it_restores_access(
    cast: Cast,
) -> None:
    client = api_as(cast, "sam")
    link = StudentContact.objects.get(contact=cast.leo_contact)
    bare = client.post(url("link-restrict", link.pk), {"kind": "court-order"}, format="json")
    assert bare.status_code == 400 and "note" in bare.json()
    restricted = client.post(
        url("link-restrict", link.pk),
        {"kind": "court-order", "note": "Order 2026-114", "document": "CV-114"},
        format="json",
    )
    assert restricted.status_code == 200, restricted.json()
    assert restricted.json()["restricted"] is True and restricted.json()["grants_access"] is False
    record = LinkRestriction.objects.get(link=link)
    assert (record.kind, record.document, record.restricted_by) == (
        "court-order",
        "CV-114",
        cast.sam,
    )
    again = client.post(
        url("link-restrict", link.pk), {"kind": "other", "note": "twice"}, format="json"
    )
    assert again.status_code == 400 and "already restricted" in str(again.json())
    lifted = client.post(url("link-lift", link.pk), {"note": "Order vacated"}, format="json")
    assert lifted.status_code == 200 and lifted.json()["grants_access"] is True
    record.refresh_from_db()
    assert (record.lift_note, record.lifted_by) == ("Order vacated", cast.sam)
    hillcrest = StudentContact.objects.filter(student=cast.holly).first()
    assert hillcrest is not None
    other_school = client.post(
        url("link-restrict", hillcrest.pk),
        {"kind": "other", "note": "not mine"},
        format="json",
    )
    assert other_school.status_code == 404


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
    upload = made.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        real = client.post(url("import-run-import", upload))
    assert real.status_code == 202, real.json()
    done = client.get(url("import-job-detail", real.json()["imported"]["id"])).json()
    assert done["status"] == "done" and done["dry_run"] is False
    assert done["totals"]["outcomes"]["added"] == 1
    assert Student.objects.filter(student_number="9001").exists()
    again = client.post(url("import-run-import", upload))
    assert again.status_code == 400 and "imported already" in again.json()["detail"]


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


def test_staff_correct_a_contact_and_add_and_remove_its_emails_phones_addresses(
    cast: Cast,
) -> None:
    client = api_as(cast, "sam")
    contact = cast.una_contact.pk
    renamed = client.put(
        url("contact-detail", contact), {"last_name": "Underwood", "first_name": "Una"}, "json"
    )
    assert renamed.status_code == 200 and renamed.json()["last_name"] == "Underwood"
    body = client.post(url("contact-emails", contact), {"address": "una@work.example"}, "json")
    assert [e["address"] for e in body.json()["emails"]] == ["una@example.org", "una@work.example"]
    bad = client.post(url("contact-emails", contact), {"address": "not an email"}, "json")
    assert bad.status_code == 400 and "detail" in bad.json()
    body = client.post(url("contact-phones", contact), {"number": "555-0404"}, "json")
    assert [p["number"] for p in body.json()["phones"]] == ["555-0303", "555-0404"]
    body = client.post(
        url("contact-addresses", contact), {"street": "3 Lake Lane", "city": "Grand Bend"}, "json"
    )
    (address,) = body.json()["addresses"]
    assert address["street"] == "3 Lake Lane"
    work = body.json()["emails"][1]["id"]
    phone = body.json()["phones"][1]["id"]
    assert client.delete(url("contact-remove-email", contact, work)).status_code == 200
    assert client.delete(url("contact-remove-phone", contact, phone)).status_code == 200
    gone = client.delete(url("contact-remove-address", contact, address["id"]))
    assert gone.status_code == 200 and gone.json()["addresses"] == []
    assert LogEntry.objects.filter(actor=cast.sam).count() >= 7


def test_a_family_shared_with_another_school_is_corrected_but_its_account_is_not_made(
    cast: Cast,
) -> None:
    """As on the contact card: any school that sees the person corrects their emails; giving
    them an account needs every one of their children in the caller's scope."""
    from tutela.core.audit import command_line_user
    from tutela.people.services import link_student

    link_student(actor=command_line_user(), contact=cast.una_contact, student=cast.holly)
    client = api_as(cast, "sam")
    contact = cast.una_contact.pk
    added = client.post(url("contact-emails", contact), {"address": "u@x.org"}, "json")
    assert added.status_code == 200
    shown = client.get(url("contact-detail", contact)).json()
    assert [link["student"]["student_number"] for link in shown["links"]] == ["3001"]
    refused = client.post(url("account-list"), {"contact": contact}, "json")
    assert refused.status_code == 403 and "detail" in refused.json()
    hill = client.put(url("contact-detail", cast.hana_contact.pk), {"last_name": "X"}, "json")
    assert hill.status_code == 404


def test_a_page_of_contacts_takes_the_same_few_queries_however_many_it_holds(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    from tutela.core.audit import command_line_user
    from tutela.people.services import create_contact, link_student

    for number in range(20):
        contact = create_contact(actor=command_line_user(), last_name=f"Lake{number}")
        link_student(actor=command_line_user(), contact=contact, student=cast.lila)
    client = api_as(cast, "sam")
    client.get(url("contact-list"))  # the token's first use is written once
    with django_assert_max_num_queries(20):
        body = client.get(url("contact-list"), {"page_size": 100}).json()
    assert body["count"] == 22
