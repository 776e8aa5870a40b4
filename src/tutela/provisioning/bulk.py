"""Writing many rows fast: PostgreSQL's COPY, SQLite's executemany.

``bulk_create`` spends most of its time preparing each field of each object; for the tens of
thousands of accounts an August AutoCreate makes, that is the bulk of the run. Here the
columns a caller does not give are prepared once, from a default instance, and every row is
a plain tuple.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def insert_rows(model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (database-ready values for the fields ``names``, by attname) into
    ``model``'s table; every other column takes the field's default, computed once."""
    opts = model._meta
    prototype = model()
    given = {name: index for index, name in enumerate(names)}
    columns: list[str] = []
    picks: list[int | None] = []
    template: list[Any] = []
    for field in opts.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue  # the database numbers the rows
        columns.append(field.column)
        if field.attname in given:
            picks.append(given[field.attname])
            template.append(None)
        else:
            picks.append(None)
            value = field.pre_save(prototype, add=True)
            template.append(field.get_db_prep_save(value, connection))
    unknown = set(given) - {f.attname for f in opts.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    column_list = ", ".join(quote(c) for c in columns)
    full = [
        [row[p] if p is not None else t for p, t in zip(picks, template, strict=True)]
        for row in rows
    ]
    if not full:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for values in full:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from the model, quoted; values are parameters.
            insert = f"INSERT INTO {table} ({column_list}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(insert, full)
    return len(full)
