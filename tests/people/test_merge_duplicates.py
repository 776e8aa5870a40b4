"""Merging two contacts of one person: links, details, restrictions, accounts, the record."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cast import Cast
from tests.conftest import Run
from tests.factories import AccountFactory, ContactFactory, StudentFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import Contact, StudentContact, StudentContactDetail
from tutela.people.services import (
    ServiceError,
    add_email,
    add_phone,
    link_student,
    merge_contacts,
    restrict_link,
)

pytestmark = pytest.mark.django_db
CLI = command_line_user()


def dated(link: StudentContact, start: str, end: str | None, access: bool) -> None:
    StudentContactDetail.objects.filter(link=link).delete()
    StudentContactDetail.objects.create(
        link=link,
        start_date=datetime.date.fromisoformat(start),
        end_date=datetime.date.fromisoformat(end) if end else None,
        allow_data_access=access,
    )


def test_two_contacts_with_overlapping_links_two_accounts_and_a_restriction_merge(
    cast: Cast,
) -> None:
    """Hana entered again at Lakeside: her twin has Lila, and Holly too (another history,
    restricted by a court order); the twin's account was used last, so it survives."""
    twin = ContactFactory.create(first_name="Hana", last_name="Hill", employer="County")
    add_email(actor=CLI, contact=twin, address="hana.work@example.org", is_primary=True)
    add_phone(actor=CLI, contact=twin, number="555-0707")
    link_student(actor=CLI, contact=twin, student=cast.lila, allow_data_access=True)
    holly_twin = link_student(actor=CLI, contact=twin, student=cast.holly)
    holly_hana = StudentContact.objects.get(contact=cast.hana_contact, student=cast.holly)
    dated(holly_hana, "2025-08-01", None, True)
    StudentContactDetail.objects.create(
        link=holly_twin, start_date=datetime.date(2024, 8, 1), end_date=datetime.date(2025, 6, 1)
    )
    StudentContactDetail.objects.create(link=holly_twin, start_date=datetime.date(2025, 9, 1))
    restrict_link(actor=cast.dana, link=holly_twin, kind="court-order", note="order 7")
    twin_account = AccountFactory.create(username="hana.again", contact=twin)
    twin_account.last_login = timezone.now()
    twin_account.save()

    twin_pk = twin.pk
    report = merge_contacts(actor=cast.dana, duplicate=twin, into=cast.hana_contact)

    hana = Contact.objects.get(pk=cast.hana_contact.pk)
    assert not Contact.objects.filter(pk=twin_pk).exists()
    assert {e.address for e in hana.emails.all()} == {"hana@example.org", "hana.work@example.org"}
    assert hana.phones.count() == 2 and hana.employer == "County"
    assert set(hana.student_links.values_list("student__student_number", flat=True)) == {
        "2001",
        "2002",
        "3001",
    }
    holly_hana.refresh_from_db()
    assert holly_hana.restricted and holly_hana.restricted_note == "order 7"
    assert [r.note for r in holly_hana.restrictions.all()] == ["order 7"]
    starts = sorted(str(d.start_date) for d in holly_hana.details.all())
    assert starts == ["2024-08-01", "2025-08-01"]  # the 2025-09 detail overlapped: Hana's kept
    assert any("overlaps" in line for line in report.lines)
    twin_account.refresh_from_db()
    cast.hana.refresh_from_db()
    assert twin_account.contact_id == hana.pk and twin_account.is_active
    assert cast.hana.contact_id is None and not cast.hana.is_active
    record = LogEntry.objects.get(
        content_type__model="contact",
        object_pk=str(hana.pk),
        additional_data__summary="merged contact",
    )
    assert record.actor == cast.dana
    assert record.additional_data["merge"]["merged"] == twin_pk
    assert (
        f"email hana.work@example.org moved from #{twin_pk}"
        in (record.additional_data["merge"]["what"])
    )


def test_the_merged_parent_sees_both_families_children_and_the_other_session_ends(
    cast: Cast,
) -> None:
    twin = ContactFactory.create(first_name="Hana", last_name="Hill")
    link_student(actor=CLI, contact=twin, student=cast.lila, allow_data_access=True)
    twin_account = AccountFactory.create(username="hana.again", contact=twin)
    kept, ended = Client(), Client()
    kept.force_login(twin_account)
    ended.force_login(cast.hana)
    assert ended.get(reverse("portal:home")).status_code == 200
    Account.objects.filter(pk=twin_account.pk).update(last_login=timezone.now())

    merge_contacts(actor=cast.dana, duplicate=cast.hana_contact, into=twin)

    page = kept.get(reverse("portal:home")).content.decode()
    assert "Lila" in page and "Holly" in page
    assert ended.get(reverse("portal:home")).status_code == 302
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(cast.hana.pk) not in sessions and str(twin_account.pk) in sessions


def test_the_chosen_account_survives_and_the_chosen_fields_come_across(cast: Cast) -> None:
    twin = ContactFactory.create(first_name="Hannah", last_name="Hill", middle_name="J")
    twin_account = AccountFactory.create(username="hana.again", contact=twin)
    twin_account.last_login = timezone.now()
    twin_account.save()
    merge_contacts(
        actor=CLI,
        duplicate=twin,
        into=cast.hana_contact,
        keep_account=cast.hana,
        take=["first_name"],
    )
    hana = Contact.objects.get(pk=cast.hana_contact.pk)
    assert (hana.first_name, hana.middle_name) == ("Hannah", "J")
    cast.hana.refresh_from_db()
    twin_account.refresh_from_db()
    assert cast.hana.contact_id == hana.pk and not twin_account.is_active
    with pytest.raises(ServiceError, match="cannot take"):
        merge_contacts(actor=CLI, duplicate=cast.una_contact, into=hana, take=["password"])


def test_a_dry_run_reports_and_changes_nothing(cast: Cast) -> None:
    report = merge_contacts(
        actor=CLI, duplicate=cast.una_contact, into=cast.leo_contact, dry_run=True
    )
    assert report.dry_run and any("email una@example.org" in line for line in report.lines)
    assert Contact.objects.filter(pk=cast.una_contact.pk).exists()
    assert cast.una_contact.pk is not None
    assert not LogEntry.objects.filter(additional_data__summary="merged contact").exists()


def test_the_command_merges_keeps_the_chosen_contact_and_dry_runs(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    una, leo = cast.una_contact.pk, cast.leo_contact.pk
    run = tutela("duplicates", "merge", str(leo), str(una), "--keep", str(una), "--dry-run")
    assert run.code == 0, run.err
    assert f"contact #{leo} would be merged into #{una}" in run.out and "dry run" in run.out
    assert Contact.objects.filter(pk=leo).exists()
    run = tutela("duplicates", "merge", str(leo), str(una), "--keep", str(una))
    assert run.code == 0, run.err
    assert f"contact #{leo} merged into #{una}" in run.out
    assert not Contact.objects.filter(pk=leo).exists()
    cast.leo.refresh_from_db()
    assert cast.leo.contact_id == una


def test_the_command_refuses_bad_arguments_with_exit_2(
    cast: Cast, tutela: Callable[..., Run]
) -> None:
    una, leo = str(cast.una_contact.pk), str(cast.leo_contact.pk)
    assert "no contact with ID 99999" in tutela("duplicates", "merge", una, "99999").err
    run = tutela("duplicates", "merge", una, leo, "--keep", "5")
    assert run.code == 2 and "--keep 5: must be A" in run.err
    assert tutela("duplicates", "merge", una, una).code == 2
    Contact.objects.filter(pk=cast.una_contact.pk).update(unique_id="U1")
    Contact.objects.filter(pk=cast.leo_contact.pk).update(unique_id="U2")
    run = tutela("duplicates", "merge", una, leo)
    assert run.code == 2 and "different Unique IDs" in run.err


def test_a_student_both_had_without_details_on_either_side_keeps_one_link() -> None:
    student = StudentFactory.create()
    keep, dup = ContactFactory.create(), ContactFactory.create()
    link_student(actor=CLI, contact=keep, student=student, original_contact_type="")
    link_student(actor=CLI, contact=dup, student=student, original_contact_type="mother")
    merge_contacts(actor=CLI, duplicate=dup, into=keep)
    link = StudentContact.objects.get(student=student)
    assert link.contact == keep and link.contact_priority_order == 1
    assert link.original_contact_type == "mother"
