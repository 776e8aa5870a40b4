"""The imports screens through the test client: upload, map, preview, confirm, results."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.staff.imports_helpers import run_queued, upload_file
from tutela.imports.models import ColumnMapping, ImportJob, ImportUpload
from tutela.people.models import Contact

pytestmark = pytest.mark.django_db(transaction=False)


def signed_in(account) -> Client:  # type: ignore[no-untyped-def]
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
    every = b"".join(client.get(reverse("staff:imports:rows", args=[real.pk])).streaming_content)
    assert every.decode("utf-8-sig").splitlines()[0] == "Row,Group,Outcome,Messages"
