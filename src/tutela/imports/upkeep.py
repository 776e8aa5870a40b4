"""A big load's index and foreign-key upkeep done once per table, not once per row (PostgreSQL).

For each inserted row PostgreSQL updates every index of the table (about 0.6 µs an entry,
nearly ten times the cost of writing the row itself) and checks every foreign key with a
trigger (a locked look-up of the referenced row, about 3 µs): for a 100,000-student contacts
import, 3.5 million index entries and 2.3 million checks, most of the import's database time.
PostgreSQL's own guide to populating a database gives the remedy: load with the secondary
indexes and foreign keys dropped, then build them back, which sorts each index once and checks
each foreign key with one anti-join. Both happen inside the import's transaction, so no other
session ever sees a table without them, and a duplicate or a dangling reference fails the
import just as the per-row check would.

The price is locking: dropping them locks the table, and the tables its keys refer to, against
every other session until the import commits. So this is done only for a big load that more
than doubles the table (a district's first import, not its nightly one), and only if the locks
are granted within ``LOCK_WAIT``; otherwise the rows are maintained and checked one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# Below this many rows the per-row upkeep costs well under a second: not worth the locks.
BULK_ROWS = 20_000
LOCK_WAIT = "5s"
LOCK_NOT_AVAILABLE = "55P03"

# The table's secondary indexes (the primary key stays: foreign keys refer to it), each with
# the statements that drop it and build it again: by its constraint when it backs one.
INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname,
       pg_get_constraintdef(c.oid)
FROM pg_index i
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'
                  AND f.conindid = i.indexrelid)
ORDER BY 1
"""
FOREIGN_KEYS = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
"""


@contextmanager
def upkeep_at_end(
    connection: BaseDatabaseWrapper, model: type[models.Model], rows: int
) -> Iterator[None]:
    """Insert ``rows`` rows into ``model``'s table inside this block; indexes and keys after.

    Must run inside a transaction that is rolled back if the block fails.
    """
    rebuild = _dropped(connection, model, rows)
    yield
    if rebuild:
        with connection.cursor() as cursor:
            for statement in rebuild:
                cursor.execute(statement)


def _dropped(connection: BaseDatabaseWrapper, model: type[models.Model], rows: int) -> list[str]:
    """Drop the table's secondary indexes and foreign keys if the load is big enough and the
    locks come in time; return the statements that build them back (empty: nothing dropped)."""
    if connection.vendor != "postgresql" or rows < BULK_ROWS:
        return []
    assert connection.in_atomic_block, "indexes may only be dropped inside a transaction"
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    drop: list[str] = []
    rebuild: list[str] = []
    with connection.cursor() as cursor:
        # Does the table already hold as many rows as the load brings? Counted exactly, but
        # never further than the load's own size.
        cursor.execute(f"SELECT count(*) FROM (SELECT FROM {table} LIMIT %s) AS held", [rows])  # noqa: S608
        if cursor.fetchone()[0] >= rows:
            return []
        cursor.execute(INDEXES, [table])
        for index, index_sql, constraint, constraint_sql in cursor.fetchall():
            if constraint is None:
                drop.append(f"DROP INDEX {index}")
                rebuild.append(index_sql)
            else:
                drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {quote(constraint)}")
                rebuild.append(
                    f"ALTER TABLE {table} ADD CONSTRAINT {quote(constraint)} {constraint_sql}"
                )
        cursor.execute(FOREIGN_KEYS, [table])
        for name, definition in cursor.fetchall():
            drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            rebuild.append(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    if not drop:
        return []
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            # Checks already queued (rows deleted earlier in the import) must run first:
            # PostgreSQL refuses to alter a table that has checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SELECT current_setting('lock_timeout')")
            before = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
            for statement in drop:
                cursor.execute(statement)
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        return []
    return rebuild
