"""The district admin's audit screen: filters by student, contact, actor, date and kind, and a
CSV export whose cells cannot become spreadsheet formulas; nobody else may open it."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tutela.accounts.models import Account
from tutela.people.models import StudentContact
from tutela.people.services import restrict_link, update_contact

pytestmark = pytest.mark.django_db


def client_of(account: Account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def audit_csv(account: Account, **filters: str) -> list[dict[str, str]]:
    response = client_of(account).get(reverse("staff:audit"), {**filters, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_it_filters_by_student_contact_actor_kind_and_date(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=cast.sam, link=link, kind="court-order", note="Order 7")
    by_student = audit_csv(cast.dana, student="3001")
    assert by_student and all(
        "Lila" in row["Object"]
        or "Leo" in row["Object"]
        or "Una" in row["Object"]
        or row["Kind"] in {"Link details", "Restrictions"}
        for row in by_student
    )
    assert not any("Holly" in row["Object"] for row in by_student)
    restrictions = audit_csv(cast.dana, student="3001", kind="restriction")
    assert [(r["Kind"], r["Actor"], r["Action"]) for r in restrictions] == [
        ("Restrictions", "sam", "create")
    ]
    by_sam = audit_csv(cast.dana, actor="sam")
    assert by_sam and {row["Actor"] for row in by_sam} == {"sam"}
    by_contact = audit_csv(cast.dana, contact=str(cast.hana_contact.pk), kind="contact")
    assert by_contact and all("Hana" in row["Object"] for row in by_contact)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert audit_csv(cast.dana, since=tomorrow) == []
    assert audit_csv(cast.dana, until=tomorrow)


def test_the_csv_neutralises_formulas(cast: Cast) -> None:
    update_contact(
        actor=cast.dana, contact=cast.hana_contact, first_name="=HYPERLINK(1)", last_name="Hill"
    )
    rows = audit_csv(cast.dana, contact=str(cast.hana_contact.pk), kind="contact")
    assert rows and not any(row["Object"].startswith("=") for row in rows)
    assert any("HYPERLINK" in row["Object"] for row in rows)


def test_the_page_lists_entries_and_refuses_everyone_else(cast: Cast) -> None:
    page = client_of(cast.dana).get(reverse("staff:audit"), {"student": "3001"})
    assert page.status_code == 200 and "Lila Lake" in page.content.decode()
    bad = client_of(cast.dana).get(reverse("staff:audit"), {"contact": "abc"})
    assert bad.status_code == 200 and "No entries match." in bad.content.decode()
    for who in (cast.sam, cast.hana):
        assert client_of(who).get(reverse("staff:audit")).status_code == 403
