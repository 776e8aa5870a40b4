"""``AnyOf``: the one-parameter ``IN`` the contacts import loads existing records with."""

from __future__ import annotations

import pytest
from django.db.models import F

from tests.factories import ContactFactory
from tutela.imports.contacts.state import AnyOf
from tutela.people.models import Contact

pytestmark = pytest.mark.django_db


def test_any_of_finds_exactly_the_ids_given() -> None:
    first, _, third = ContactFactory.create(), ContactFactory.create(), ContactFactory.create()
    found = Contact.objects.filter(AnyOf(F("pk"), [first.pk, third.pk, 987_654]))
    assert sorted(found.values_list("pk", flat=True)) == sorted([first.pk, third.pk])


def test_any_of_an_empty_list_finds_nothing() -> None:
    ContactFactory.create()
    assert not Contact.objects.filter(AnyOf(F("pk"), [])).exists()
