"""``AnyOf``: the one-parameter ``IN`` the contacts import loads existing records with."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory
from tutela.imports.contacts.state import AnyOf, World, _load_accounts
from tutela.people.models import Contact

pytestmark = pytest.mark.django_db


def test_any_of_finds_exactly_the_ids_given() -> None:
    first, _, third = ContactFactory.create(), ContactFactory.create(), ContactFactory.create()
    found = Contact.objects.filter(AnyOf(F("pk"), [first.pk, third.pk, 987_654]))
    assert sorted(found.values_list("pk", flat=True)) == sorted([first.pk, third.pk])


def test_any_of_an_empty_list_finds_nothing() -> None:
    ContactFactory.create()
    assert not Contact.objects.filter(AnyOf(F("pk"), [])).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's partial index rule")
def test_the_account_look_ups_go_through_the_case_blind_indexes() -> None:
    """SQLite uses the partial index of account emails only for a query that repeats its
    condition word for word; a table scan there made every slice read the whole table."""
    with CaptureQueriesContext(connection) as queries:
        _load_accounts(World(), {"parent.one"}, {"parent.one@example.org"})
    assert len(queries) == 2
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " ".join(str(line[-1]) for line in cursor.fetchall())
            assert "USING INDEX account_" in plan
