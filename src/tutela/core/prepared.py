"""Querysets compiled to SQL once per process, for the few reads every request makes.

Django turns a queryset into SQL each time it is evaluated. For the reads behind every
signed-in page (the session, the account with its contact, a parent's granted students) that
compilation costs several times what the database takes to answer: the four-table join of a
parent's grants compiles in about 1 ms and runs in a tenth of that. A ``PreparedQuery`` builds
its queryset once per database with marker values in place of its parameters, keeps the SQL
and the column layout the compiler made, and at each call runs that SQL with the real values
and turns the rows into model instances exactly as the ORM does (the fields' converters,
``Model.from_db`` and the populators of ``select_related``), so callers get the ORM's own
objects.

Only what compiles to the same SQL whatever the values may be prepared: integers and strings
compared for equality. A value that changes the SQL's shape (a list for ``__in``, ``None``)
does not belong here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

# The ORM's own row-to-object machinery, as ModelIterable uses it; django-stubs omit it.
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

# Within every integer column's range (out-of-range lookups compile to nothing) and unlikely
# as a constant of any query's own.
_INT_MARKER = 2_147_480_000
_STR_MARKER = "\x1dprepared parameter {}\x1d"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each SQL parameter: the index of the caller's value it takes, or -1 with a constant.
    slots: tuple[int, ...]
    constants: tuple[Any, ...]
    compiler: SQLCompiler
    model: type[Model]
    field_names: tuple[str, ...]
    fields: slice
    converters: dict[int, Any]
    populators: tuple[Any, ...]


class PreparedQuery(Generic[M]):
    """A queryset shape, ``build(*values)``, compiled once per database and run with new
    integer or string values: ``PreparedQuery(lambda pk: Account.objects.filter(pk=pk),
    int)(42)``."""

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type) -> None:
        if not kinds or any(kind not in (int, str) for kind in kinds):
            raise TypeError("a prepared query takes integer and string values only")
        self._build = build
        self._kinds = kinds
        self._by_alias: dict[str, _Compiled] = {}

    def __call__(self, *values: int | str, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        if len(values) != len(self._kinds) or any(
            type(value) is not kind for value, kind in zip(values, self._kinds, strict=True)
        ):
            raise TypeError(f"expected values of the kinds {self._kinds}, got {values!r}")
        compiled = self._by_alias.get(using) or self._compile(using)
        params = [
            values[slot] if slot >= 0 else constant
            for slot, constant in zip(compiled.slots, compiled.constants, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        for row in rows:
            instance = compiled.model.from_db(using, compiled.field_names, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, instance)
            found.append(instance)
        return cast(list[M], found)

    def _compile(self, using: str) -> _Compiled:
        markers = [
            _INT_MARKER + index if kind is int else _STR_MARKER.format(index)
            for index, kind in enumerate(self._kinds)
        ]
        queryset = self._build(*markers)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(markers.index(param) if param in markers else -1 for param in params)
        if sorted(set(slots) - {-1}) != list(range(len(markers))):
            raise ValueError("every value must appear in the query's SQL as a parameter")
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.annotation_col_map or compiler.has_composite_fields(columns):
            raise ValueError("a query with annotations or composite keys is not prepared")
        select_fields = compiler.klass_info["select_fields"]
        fields = slice(select_fields[0], select_fields[-1] + 1)
        compiled = _Compiled(
            sql=sql,
            slots=slots,
            constants=tuple(params),
            compiler=compiler,
            model=compiler.klass_info["model"],
            field_names=tuple(column[0].target.attname for column in compiler.select[fields]),
            fields=fields,
            converters=compiler.get_converters(columns),
            populators=tuple(get_related_populators(compiler.klass_info, compiler.select, using)),
        )
        self._by_alias[using] = compiled
        return compiled
