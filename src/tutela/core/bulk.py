"""Fast inserts of many rows: ids chosen up front, rows sent the quickest way each database has.

``bulk_create`` writes about 8,500 rows a second on PostgreSQL, most of it spent preparing each
field of each object; ``COPY`` writes about ten times that. The contacts import and AutoCreate
(tens of thousands of accounts in August) both write this way. Choosing the ids first
(PostgreSQL: from the table's own sequence; SQLite: above the highest id and the AUTOINCREMENT
counter, safe because SQLite has one writer) lets child rows refer to their parents without
reading anything back. Rows bypass ``save()`` and signals: the import job or the AutoCreate
report is the audit record of a bulk write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from itertools import chain, islice
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.models import Lookup, QuerySet
from django.db.models.functions import Lower

from tutela.core.upkeep import upkeep_at_end

ROWS_PER_STATEMENT = 500
# How many values one look-up sends (``field__in=batch``) or one bulk write takes: well under
# SQLite's limits on parameters and on the size of an expression, for every database.
CHUNK = 5000
T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, in order: every set-based look-up goes through
    this, so no query ever names more values than a database accepts."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def one_of(connection: Any, values: list[Any]) -> tuple[str, list[Any]]:
    """The SQL that tests a value against ``values``, and its parameters.

    On PostgreSQL one array parameter (``= ANY(%s)``): a 5,000-value ``IN`` list makes psycopg
    split a query with 5,000 placeholders and the server plan them, several times the cost of
    answering it. SQLite has no arrays: an ``IN`` list of parameters.
    """
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [values]
    return f"IN ({', '.join(['%s'] * len(values))})", values


class AnyOf(Lookup):
    """``column`` is one of the ids given, tested as ``one_of`` does.

    ``field__in=[5,000 ids]`` also makes Django prepare each value; with one array parameter
    loading a re-imported district's contacts takes 6.0 s instead of 10.5 s on PostgreSQL, and
    AutoCreate's slices, which look up every student's links and contacts by id, are spared
    that preparation on both databases.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        test, values = one_of(connection, list(self.rhs))
        return f"{lhs} {test}", [*params, *values]


def by_lowered(rows: QuerySet[M], field: str, values: Iterable[str]) -> dict[str, M]:
    """The rows of ``rows`` whose ``field``, ignoring case, is one of ``values`` (lowered), by
    that lowered value, a few thousand values a query. Usernames and emails match this way."""
    found: dict[str, M] = {}
    lowered = rows.annotate(tutela_lowered=Lower(field))
    for batch in chunks(sorted(set(values))):
        for row in lowered.filter(tutela_lowered__in=batch):
            found[row.tutela_lowered] = row
    return found


def _adapter(field: models.Field[Any, Any], ops: Any) -> Callable[[Any], Any] | None:
    """SQLite needs dates, times and decimals as text; PostgreSQL's COPY takes them as they are."""
    if isinstance(field, models.DateTimeField):
        return _once_per_value(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _once_per_value(ops.adapt_datefield_value)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    return None


def _once_per_value(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Dates repeat on thousands of rows (a school year's start, one import's moment): each
    distinct value is converted once."""
    known: dict[Any, Any] = {}

    def adapted(value: Any) -> Any:
        found = known.get(value)
        if found is None:
            found = known[value] = adapt(value)
        return found

    return adapted


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``'s table, in increasing order."""
    if count == 0:
        return []
    connection = connections[router.db_for_write(model)]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once: inside the series it would be looked up per row,
            # nine times the cost of the numbers themselves.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {quoted}")  # noqa: S608
        top = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found is not None:
                top = max(top, found[0])
        return list(range(top + 1, top + 1 + count))


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    may_drop_indexes: bool = True,
) -> list[int]:
    """Insert ``rows`` (values for ``fields``, by attname) and return their new ids in order.

    Columns not named take what ``save()`` would store for a new instance, computed once: the
    field's default, or the time for ``auto_now``/``auto_now_add``.

    A big load drops the table's indexes and keys and builds them after the rows
    (``tutela.core.upkeep``), so it must run inside a transaction; a caller that cannot hold
    upkeep's locks until it commits passes ``may_drop_indexes=False``.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    named: list[Any] = [meta.get_field(name) for name in fields]
    rest: list[Any] = [
        f
        for f in meta.concrete_fields
        if f is not pk and f.attname not in fields and not getattr(f, "generated", False)
    ]
    prototype = model()
    defaults = tuple(f.get_db_prep_save(f.pre_save(prototype, add=True), connection) for f in rest)
    columns: list[str] = [pk.column, *(f.column for f in named), *(f.column for f in rest)]
    ids = allocate_ids(model, len(rows))
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column_list = ", ".join(quote(c) for c in columns)
    upkeep = upkeep_at_end(connection, model, len(rows)) if may_drop_indexes else nullcontext()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        if connection.vendor == "postgresql":
            with (
                upkeep,
                cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
            ):
                for pk_value, row in zip(ids, rows, strict=True):
                    copy.write_row((pk_value, *row, *defaults))
            return ids
        ops = connection.ops
        adapters = [_adapter(f, ops) for f in named]
        convert = [(i, a) for i, a in enumerate(adapters) if a is not None]
        mark = "?" if connection.vendor == "sqlite" else "%s"
        one_row = f"({', '.join([mark] * len(columns))})"

        def insert(count: int) -> str:
            values = ", ".join([one_row] * count)
            return f"INSERT INTO {table} ({column_list}) VALUES {values}"  # noqa: S608

        def prepared() -> Any:
            for pk_value, row in zip(ids, rows, strict=True):
                if convert:
                    row = list(row)
                    for index, adapt in convert:
                        if row[index] is not None:
                            row[index] = adapt(row[index])
                yield (pk_value, *row, *defaults)

        # Many rows per statement: SQLite runs each statement's bookkeeping (the AUTOINCREMENT
        # counter among it) once per statement, so one row per statement is twice as slow.
        limit = connection.features.max_query_params
        per_statement = (
            ROWS_PER_STATEMENT
            if limit is None
            else max(1, min(ROWS_PER_STATEMENT, limit // len(columns)))
        )
        whole, remainder = divmod(len(rows), per_statement)
        values = prepared()
        with upkeep:
            if whole:
                cursor.executemany(
                    insert(per_statement),
                    (
                        list(chain.from_iterable(islice(values, per_statement)))
                        for _ in range(whole)
                    ),
                )
            if remainder:
                cursor.execute(insert(remainder), list(chain.from_iterable(values)))
    return ids
