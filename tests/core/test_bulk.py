"""Bulk inserts: the columns a caller leaves out get what ``save()`` would have stored."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import ContactFactory
from tutela.accounts.models import AccessToken, Account, TokenPurpose
from tutela.core.bulk import CHUNK, chunks, insert_rows
from tutela.people.models import ContactEmail

pytestmark = pytest.mark.django_db


def test_columns_not_given_take_their_defaults_and_the_time_for_auto_now_add() -> None:
    expires = timezone.now() + datetime.timedelta(days=7)
    before = timezone.now()
    (account_id,) = insert_rows(
        Account, ("username", "contact_id"), [("ann", ContactFactory.create().pk)]
    )
    (token_id,) = insert_rows(
        AccessToken,
        ("account_id", "purpose", "token_hash", "expires_at"),
        [(account_id, TokenPurpose.ACTIVATION.value, "a-hash", expires)],
    )
    after = timezone.now()

    account = Account.objects.get(pk=account_id)
    assert (account.is_active, account.is_staff, account.is_superuser) == (True, False, False)
    assert (account.email, account.last_login, account.must_change_password) == ("", None, False)
    assert before <= account.date_joined <= after
    token = AccessToken.objects.get(pk=token_id)
    assert before <= token.created_at <= after
    assert (token.expires_at, token.used_at, token.voided_at) == (expires, None, None)


def test_many_rows_come_back_in_order_with_their_ids() -> None:
    """More rows than one statement holds, and a remainder: each row keeps its values and id."""
    contact = ContactFactory.create()
    rows = [(contact.pk, f"person{n}@example.org", False, n) for n in range(1, 1235)]
    ids = insert_rows(ContactEmail, ("contact_id", "address", "is_primary", "order"), rows)
    assert len(ids) == len(set(ids)) == 1234
    stored = dict(ContactEmail.objects.filter(contact=contact).values_list("pk", "address"))
    assert stored == {pk: row[1] for pk, row in zip(ids, rows, strict=True)}


def test_chunks_keeps_order_and_never_exceeds_the_size() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunks([], 3)) == []
    assert [len(batch) for batch in chunks(iter(range(CHUNK + 1)))] == [CHUNK, 1]
