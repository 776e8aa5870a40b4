"""``AnyOf``: the one-parameter ``IN`` the contacts import loads existing records with, and
``by_index``: how those look-ups reach the records."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory, StudentFactory
from tutela.imports.contacts.state import AnyOf, World, _load_accounts, by_index
from tutela.people.models import Contact, Student

pytestmark = pytest.mark.django_db


def test_any_of_finds_exactly_the_ids_given() -> None:
    first, _, third = ContactFactory.create(), ContactFactory.create(), ContactFactory.create()
    found = Contact.objects.filter(AnyOf(F("pk"), [first.pk, third.pk, 987_654]))
    assert sorted(found.values_list("pk", flat=True)) == sorted([first.pk, third.pk])


def test_any_of_an_empty_list_finds_nothing() -> None:
    ContactFactory.create()
    assert not Contact.objects.filter(AnyOf(F("pk"), [])).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner chooses a table scan"
)
def test_a_slices_look_ups_probe_the_index_however_many_keys_they_name() -> None:
    StudentFactory.create_batch(3)
    numbers = [f"S{n:06d}" for n in range(5_000)]
    explain = f"EXPLAIN SELECT id FROM {Student._meta.db_table} WHERE student_number = ANY(%s)"  # noqa: S608
    with connection.cursor() as cursor:
        with by_index():
            cursor.execute(explain, [numbers])
            plan = " ".join(line for (line,) in cursor.fetchall())
        cursor.execute("SHOW enable_seqscan")
        after = cursor.fetchone()[0]
    assert "Index" in plan
    assert "Seq Scan" not in plan
    assert after == "on"


def test_the_account_look_ups_go_through_the_case_blind_indexes() -> None:
    """SQLite uses the partial index of account emails only for a query that repeats its
    condition word for word; a table scan there made every slice read the whole table."""
    with by_index(), CaptureQueriesContext(connection) as queries:
        _load_accounts(World(), {"parent.one"}, {"parent.one@example.org"})
    assert len(queries) == 2
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor, by_index():
        for query in queries:
            cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + query["sql"])
            plan = " ".join(str(line[-1]) for line in cursor.fetchall())
            assert ("USING INDEX account_" if sqlite else "Index Scan on account_") in plan
