"""The audit trail cannot be edited unseen: every entry is sealed with the hash of the one
before; PostgreSQL refuses edits and removals outright; ``verify-audit`` finds them elsewhere."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from tests.cast import Cast
from tests.conftest import Run
from tests.factories import AccountFactory
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContact
from tutela.people.services import lift_restriction, restrict_link
from tutela.privacy.chain import verify_chain
from tutela.privacy.models import AuditSeal

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL refuses the removal itself"
)


def restrict_and_lift(cast: Cast) -> None:
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=cast.dana, link=link, kind="court-order", note="Order 7 of 2026")
    lift_restriction(actor=cast.dana, link=link, note="Order 7 vacated")


def test_every_entry_is_sealed_with_the_hash_of_the_one_before(cast: Cast) -> None:
    restrict_and_lift(cast)
    entries = list(LogEntry.objects.order_by("id").values_list("id", flat=True))
    seals = list(AuditSeal.objects.order_by("id"))
    assert [seal.entry_id for seal in seals] == entries
    assert seals[0].previous_hash == ""
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(seals))
    report = verify_chain()
    assert report.intact and report.checked == len(entries)


def test_verify_audit_says_the_trail_is_intact(tutela: Callable[..., Run], cast: Cast) -> None:
    restrict_and_lift(cast)
    run = tutela("privacy", "verify-audit")
    assert run.code == 0, run.err
    assert f"intact: {LogEntry.objects.count()} entries checked" in run.out


@sqlite_only
def test_verify_audit_finds_a_removed_entry(tutela: Callable[..., Run], cast: Cast) -> None:
    restrict_and_lift(cast)
    gone = LogEntry.objects.order_by("id")[3]
    LogEntry.objects.filter(pk=gone.pk).delete()
    run = tutela("privacy", "verify-audit")
    assert run.code == 1
    assert f"audit entry #{gone.pk} was removed" in run.out
    assert "the audit trail is broken: 1 problems" in run.err


@sqlite_only
def test_verify_audit_finds_an_entry_removed_with_its_seal(
    tutela: Callable[..., Run], cast: Cast
) -> None:
    restrict_and_lift(cast)
    gone = LogEntry.objects.order_by("id")[2]
    LogEntry.objects.filter(pk=gone.pk).delete()
    AuditSeal.objects.filter(entry_id=gone.pk).delete()
    run = tutela("privacy", "verify-audit")
    assert run.code == 1
    assert "previous seal is missing" in run.out


@sqlite_only
def test_verify_audit_finds_an_edited_entry(tutela: Callable[..., Run], cast: Cast) -> None:
    restrict_and_lift(cast)
    edited = LogEntry.objects.order_by("id").last()
    assert edited is not None
    LogEntry.objects.filter(pk=edited.pk).update(changes_text="nothing happened")
    run = tutela("privacy", "verify-audit")
    assert run.code == 1
    assert f"audit entry #{edited.pk} was changed" in run.out


@postgresql_only
def test_postgresql_refuses_to_edit_or_remove_an_audit_entry_or_seal(cast: Cast) -> None:
    restrict_and_lift(cast)
    entry = LogEntry.objects.order_by("id").first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes_text="nothing happened")
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        AuditSeal.objects.filter(entry_id=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE auditlog_logentry SET object_repr = 'x'")
    assert verify_chain().intact


def test_deleting_an_account_keeps_its_entries_and_the_chain_whole(cast: Cast) -> None:
    """The database sets a removed account's entries' actor to null (the one change the
    PostgreSQL trigger allows); the seal still says who it was."""
    clerk = AccountFactory.create(username="clerk", is_staff=True, is_district_admin=True)
    link = StudentContact.objects.get(contact=cast.leo_contact, student=cast.lila)
    restrict_link(actor=clerk, link=link, kind="other", note="Office note")
    entries = LogEntry.objects.filter(actor=clerk)
    ids = list(entries.values_list("id", flat=True))
    assert ids
    Account.objects.filter(pk=clerk.pk).delete()
    assert LogEntry.objects.filter(pk__in=ids, actor__isnull=True).count() == len(ids)
    assert set(AuditSeal.objects.filter(entry_id__in=ids).values_list("actor_id", flat=True)) == {
        clerk.pk
    }
    assert verify_chain().intact


def test_a_bulk_summary_entry_is_sealed_too(cast: Cast) -> None:
    from tutela.core.audit import audited, log_summary

    with audited(command_line_user()):
        log_summary(instance=cast.hillcrest, action="codes reset", count=3, scope="Hillcrest")
    assert verify_chain().intact
