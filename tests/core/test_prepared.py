"""Prepared queries: the ORM's own objects, from SQL compiled once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from tests.factories import AccountFactory, ContactFactory, SchoolFactory, StudentFactory
from tutela.accounts.models import Account
from tutela.core.prepared import PreparedQuery
from tutela.people.models import Student

pytestmark = pytest.mark.django_db


def fields(instance: object) -> dict[str, object]:
    return {key: value for key, value in vars(instance).items() if key != "_state"}


def test_it_returns_what_the_queryset_returns_with_its_related_objects() -> None:
    with_contact = AccountFactory.create(contact=ContactFactory.create(first_name="Ana"))
    staff = AccountFactory.create(contact=None, is_staff=True)
    by_pk = PreparedQuery(lambda pk: Account.objects.select_related("contact").filter(pk=pk), int)

    for account in (with_contact, staff):
        (prepared,) = by_pk(account.pk)
        (orm,) = Account.objects.select_related("contact").filter(pk=account.pk)
        assert fields(prepared) == fields(orm)
        assert prepared._state.adding is False and prepared._state.db == "default"
        with CaptureQueriesContext(connection) as queries:
            contact = prepared.contact
        assert len(queries) == 0
        assert (contact.first_name if contact else None) == (
            "Ana" if account == with_contact else None
        )
    assert by_pk(staff.pk + 1000) == []


def test_each_call_runs_the_sql_compiled_once_with_its_own_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    north, south = SchoolFactory.create(), SchoolFactory.create()
    students = [StudentFactory.create(school=school) for school in (north, north, south)]
    in_school = PreparedQuery(
        lambda school_id, grade: (
            Student.objects.filter(school_id=school_id, grade_level=grade)
            .exclude(last_name="")
            .order_by("pk")
        ),
        int,
        str,
    )
    grade = students[0].grade_level
    compiled: list[SQLCompiler] = []
    as_sql = SQLCompiler.as_sql

    def counted(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)

    with CaptureQueriesContext(connection) as queries:
        first = in_school(north.pk, grade)
        second = in_school(south.pk, grade)
        none = in_school(south.pk, grade + "x")
    assert first == [s for s in students[:2] if s.grade_level == grade]
    assert second == [s for s in students[2:] if s.grade_level == grade]
    assert none == []
    assert (len(compiled), len(queries)) == (1, 3)


def test_values_of_another_kind_are_refused_before_any_query() -> None:
    by_pk = PreparedQuery(lambda pk: Account.objects.filter(pk=pk), int)
    with pytest.raises(TypeError):
        by_pk("1")
    with pytest.raises(TypeError):
        by_pk(1, 2)
    with pytest.raises(TypeError):
        PreparedQuery(lambda pks: Account.objects.filter(pk__in=pks), list)


def test_a_value_the_sql_does_not_carry_is_refused() -> None:
    ignores_its_value = PreparedQuery(lambda pk: Account.objects.all(), int)
    with pytest.raises(ValueError, match="every value"):
        ignores_its_value(1)
