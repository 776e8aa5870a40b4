"""The imports screens through the test client: upload, map, preview, confirm, results."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import Cast
from tests.staff.imports_helpers import HEADER, run_queued, upload_file
from tutela.accounts.models import Account
from tutela.imports.models import ColumnMapping, ImportJob, ImportRowResult, ImportUpload
from tutela.imports.selectors import jobs_visible_to
from tutela.jobs import lifecycle
from tutela.jobs.models import Job
from tutela.people.models import Contact, Student

pytestmark = pytest.mark.django_db(transaction=False)


def signed_in(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_a_misnamed_column_is_mapped_previewed_confirmed_and_imported(
    cast: Cast, queue: list[int]
) -> None:
    client = signed_in(cast.dana)
    page = client.post(reverse("staff:imports:new"), {"kind": "contacts", "file": upload_file()})
    upload = ImportUpload.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse(
        "staff:imports:map", args=[upload.pk]
    )
    assert upload.rows == 2 and upload.headers[1] == "Surname"

    mapping = client.get(page["Location"])
    assert "not a known column" in mapping.content.decode()
    refused = client.post(page["Location"], {"column_0": "Identifier"})
    assert "Choose a field for “Surname”" in refused.content.decode()

    form = {
        "column_0": "Identifier",
        "column_1": "LastName",
        "column_2": "FirstName",
        "column_3": "EmailAddress",
        "column_4": "StudentNumber",
        "column_5": "RelationshipType",
        "save_as": "Weekly export",
    }
    started = client.post(page["Location"], form)
    assert started["Location"] == reverse("staff:imports:upload", args=[upload.pk])
    assert ColumnMapping.objects.get().pairs == {"Surname": "LastName"}
    assert "Previewing" in client.get(started["Location"]).content.decode()
    run_queued(queue)
    preview = ImportJob.objects.get()
    assert preview.dry_run and not Contact.objects.filter(last_name="Nash").exists()

    shown = client.get(started["Location"], follow=True)
    text = shown.content.decode()
    assert "Preview of contacts.csv" in text and "9999" in text
    confirmed = client.post(reverse("staff:imports:confirm", args=[upload.pk]))
    assert confirmed.status_code == 302
    run_queued(queue)
    real = ImportJob.objects.get(dry_run=False)
    assert Contact.objects.filter(last_name="Nash").count() == 1
    results = client.get(reverse("staff:imports:job", args=[real.pk]) + "?outcome=added")
    assert "Nora" in results.content.decode() or "N1" in results.content.decode()

    rejected = client.get(reverse("staff:imports:rejected", args=[real.pk]))
    rows = list(csv.reader(io.StringIO(rejected.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Errors" and rows[1][:2] == ["N2", "Nash"]
    streamed: Any = client.get(reverse("staff:imports:rows", args=[real.pk]))
    every = b"".join(streamed.streaming_content)
    assert every.decode("utf-8-sig").splitlines()[0] == "Row,Group,Outcome,Messages"


def test_a_file_the_run_cannot_use_says_why_and_writes_nothing(
    cast: Cast, queue: list[int]
) -> None:
    client = signed_in(cast.dana)
    data = b"Student_Number,First_Name,Last_Name,SchoolID\n1001,Ann,Lee,10\n"
    file = SimpleUploadedFile("students.csv", data, content_type="text/csv")
    client.post(reverse("staff:imports:new"), {"kind": "students", "file": file})
    upload = ImportUpload.objects.get()
    # The person leaves a required column out: the preview refuses the file, naming it.
    form = {"column_0": "Student_Number", "column_1": "-", "column_2": "Last_Name"}
    client.post(reverse("staff:imports:map", args=[upload.pk]), {**form, "column_3": "SchoolID"})
    run_queued(queue)
    page = client.get(reverse("staff:imports:upload", args=[upload.pk])).content.decode()
    assert "The preview failed: students.csv: missing required column(s): First_Name" in page
    assert upload.stored_name not in page
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert not Student.objects.filter(student_number="1001").exists()


def test_two_columns_may_not_fill_one_field(cast: Cast, queue: list[int]) -> None:
    client = signed_in(cast.dana)
    client.post(reverse("staff:imports:new"), {"kind": "contacts", "file": upload_file()})
    upload = ImportUpload.objects.get()
    form = {f"column_{i}": "FirstName" if i == 1 else "-" for i in range(6)}
    form["column_2"] = "FirstName"
    page = client.post(reverse("staff:imports:map", args=[upload.pk]), form)
    assert "both fill FirstName" in page.content.decode() and queue == []


def test_a_post_without_the_csrf_token_is_refused(cast: Cast, queue: list[int]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.dana)
    page = client.post(reverse("staff:imports:new"), {"kind": "contacts", "file": upload_file()})
    assert page.status_code == 403 and not ImportUpload.objects.exists()


def test_school_staff_see_their_own_and_their_colleagues_jobs_only(cast: Cast) -> None:
    from tests.factories import AccountFactory

    colleague = AccountFactory.create(username="cora", is_staff=True)
    colleague.schools.add(cast.lakeside)
    for who in (cast.dana, cast.sam, colleague):
        ImportJob.objects.create(
            kind="contacts", actor=who, actor_name=who.username, file_name=f"{who.username}.csv",
            checksum="", started_at=timezone.now(),
        )  # fmt: skip
    seen = {job.actor_name for job in jobs_visible_to(actor=cast.sam)}
    assert seen == {"sam", "cora"}
    assert {job.actor_name for job in jobs_visible_to(actor=cast.dana)} == {"dana", "sam", "cora"}
    assert not jobs_visible_to(actor=cast.hana).exists()
    history = signed_in(cast.sam).get(reverse("staff:imports:history")).content.decode()
    assert "cora.csv" in history and "dana.csv" not in history


def test_a_web_run_is_done_only_once_its_rows_are_written(
    cast: Cast, queue: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results page opens the moment a job is done: were its rows written after that, the
    page would write them too, beside the worker (a 500 on a district's file)."""
    rows_when_done: list[int] = []
    finish = lifecycle.finish

    def counting_finish(job: Job) -> None:
        rows_when_done.append(ImportRowResult.objects.filter(job_id=job.pk).count())
        finish(job)

    monkeypatch.setattr(lifecycle, "finish", counting_finish)
    client = signed_in(cast.dana)
    client.post(reverse("staff:imports:new"), {"kind": "contacts", "file": upload_file()})
    upload = ImportUpload.objects.get()
    form = {f"column_{place}": field for place, field in enumerate(HEADER)} | {
        "column_1": "LastName"
    }
    client.post(reverse("staff:imports:map", args=[upload.pk]), form)
    run_queued(queue)
    client.post(reverse("staff:imports:confirm", args=[upload.pk]))
    run_queued(queue)
    assert rows_when_done == [2, 2]
