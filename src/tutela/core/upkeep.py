"""A big load's index and foreign-key upkeep done once per table instead of once per row.

For each inserted row PostgreSQL updates every index of the table (about 0.6 µs an entry,
nearly ten times the cost of writing the row itself) and checks every foreign key with a
trigger (a locked look-up of the referenced row, about 3 µs): for a 100,000-student contacts
import, millions of index entries and 2.3 million checks, most of the import's database time.
PostgreSQL's own guide to populating a database gives the remedy: load with the secondary
indexes and foreign keys dropped, then build them back, which sorts each index once and checks
each foreign key with one anti-join. SQLite gains the same way from building its indexes
after the load (its foreign keys are part of the table and stay). Everything happens inside
the caller's transaction, so no other session ever sees a table without them, and a duplicate
or a dangling reference fails the load just as the per-row check would.

The price on PostgreSQL is locking: dropping them locks the table, and the tables its keys
refer to, against every other session until the caller commits (SQLite has one writer at a
time anyway, and its readers keep seeing the last commit). So this is done only for a big load
that more than doubles the table (a district's first import, not its nightly one), and on
PostgreSQL only if the locks are granted within ``LOCK_WAIT``; otherwise the rows are kept up
one by one. A district that would rather never hold those locks sets
``TUTELA_IMPORT_BUILDS_INDEXES_AFTER=false``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# Below this many rows the per-row upkeep costs well under a second: not worth the locks.
BULK_ROWS = 20_000
LOCK_WAIT = "5s"
LOCK_NOT_AVAILABLE = "55P03"

# The table's secondary indexes that back no constraint (the primary key stays: foreign keys
# refer to it; so does any index a foreign key refers to).
POSTGRESQL_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""
# Its unique (and exclusion) constraints nothing refers to, then its foreign keys: the order
# they are built back in.
POSTGRESQL_CONSTRAINTS = """
SELECT c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.conrelid = %s::regclass
  AND (c.contype = 'f' OR c.contype IN ('u', 'x') AND NOT EXISTS (
       SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid))
ORDER BY c.contype DESC, c.conname
"""
# SQLite's own indexes for UNIQUE columns have no SQL and cannot be dropped: they stay.
SQLITE_INDEXES = """
SELECT name, sql FROM sqlite_master
WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name
"""


@contextmanager
def upkeep_at_end(
    connection: BaseDatabaseWrapper, model: type[models.Model], rows: int
) -> Iterator[None]:
    """Insert ``rows`` rows into ``model``'s table inside this block; indexes and keys after.

    Must run inside a transaction that is rolled back if the block fails.
    """
    rebuild = _dropped(connection, model._meta.db_table, rows)
    yield
    if rebuild:
        with connection.cursor() as cursor:
            for statement in rebuild:
                cursor.execute(statement)


def _dropped(connection: BaseDatabaseWrapper, table: str, rows: int) -> list[str]:
    """Drop the table's secondary indexes (and on PostgreSQL its foreign keys) if the load is
    big enough; return the statements that build them back (empty: nothing was dropped)."""
    if (
        rows < BULK_ROWS
        or connection.vendor not in ("postgresql", "sqlite")
        or not settings.TUTELA_IMPORT_BUILDS_INDEXES_AFTER
    ):
        return []
    assert connection.in_atomic_block, "indexes may only be dropped inside a transaction"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Does the table already hold as many rows as the load brings? Counted exactly, but
        # never further than the load's own size.
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {quote(table)} LIMIT %s) AS held",  # noqa: S608
            [rows],
        )
        if cursor.fetchone()[0] >= rows:
            return []
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_INDEXES, [table])
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            return [sql for _, sql in indexes]
    return _dropped_postgresql(connection, table)


def _dropped_postgresql(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    """Drop them if the locks come within ``LOCK_WAIT``; if not, leave everything in place."""
    quote = connection.ops.quote_name
    quoted = quote(table)
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_INDEXES, [quoted])
        indexes = cursor.fetchall()
        cursor.execute(POSTGRESQL_CONSTRAINTS, [quoted])
        constraints = cursor.fetchall()
    drop = [f"DROP INDEX {name}" for name, _ in indexes] + [
        f"ALTER TABLE {quoted} DROP CONSTRAINT {quote(name)}" for name, _ in constraints
    ]
    rebuild = [sql for _, sql in indexes] + [
        f"ALTER TABLE {quoted} ADD CONSTRAINT {quote(name)} {definition}"
        for name, definition in constraints
    ]
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
