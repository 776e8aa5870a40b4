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

An import applied slice by slice brings each table its rows a slice at a time, too few for
any one insert to count as big, and its slices read the tables through their indexes, which
must stay. Its foreign keys need no index, so a big run checks them once at its end instead
(``keys_checked_at_end``): at 100,000 students the per-row checks were most of a
PostgreSQL import's commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connections, models, router, transaction
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
# Its foreign keys, with the tables they refer to.
POSTGRESQL_KEYS = """
SELECT c.conname, pg_get_constraintdef(c.oid), c.confrelid::regclass::text
FROM pg_constraint c
WHERE c.conrelid = %s::regclass AND c.contype = 'f'
ORDER BY c.conname
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
    _build_back(connection, rebuild)


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
    if _holds_as_many(connection, table, rows):
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
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
    return rebuild if drop and _dropped_in_time(connection, drop) else []


@contextmanager
def keys_checked_at_end(
    tables: Sequence[type[models.Model]], rows: int, *, spared: Sequence[type[models.Model]]
) -> Iterator[None]:
    """Run a load of ``rows`` rows in many inserts into ``tables`` inside this block, their
    PostgreSQL foreign keys checked once at its end (one anti-join each) instead of row by row.

    Only for the tables the load more than doubles, and never a key of or to a table in
    ``spared``: dropping a key locks both its table and the one it refers to until the
    caller commits, and the tables every signed-in page reads must stay readable. A dangling
    reference fails the block's end just as the per-row check fails the commit. Must run
    inside a transaction that is rolled back if the block fails.
    """
    if not tables:
        yield
        return
    connection = connections[router.db_for_write(tables[0])]
    rebuild = _keys_dropped(connection, tables, rows, {m._meta.db_table for m in spared})
    yield
    if rebuild:
        # The checks of the keys that stayed, queued on these tables, run first: PostgreSQL
        # refuses to alter a table that has checks pending.
        _build_back(connection, ["SET CONSTRAINTS ALL IMMEDIATE", "SET CONSTRAINTS ALL DEFERRED"])
    _build_back(connection, rebuild)


def _build_back(connection: BaseDatabaseWrapper, rebuild: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in rebuild:
            cursor.execute(statement)


def _keys_dropped(
    connection: BaseDatabaseWrapper,
    tables: Sequence[type[models.Model]],
    rows: int,
    spared: set[str],
) -> list[str]:
    if (
        rows < BULK_ROWS
        or connection.vendor != "postgresql"
        or not settings.TUTELA_IMPORT_BUILDS_INDEXES_AFTER
    ):
        return []
    assert connection.in_atomic_block, "keys may only be dropped inside a transaction"
    quote = connection.ops.quote_name
    drop, rebuild = [], []
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            if table in spared or _holds_as_many(connection, table, rows):
                continue
            cursor.execute(POSTGRESQL_KEYS, [quote(table)])
            for name, definition, referred in cursor.fetchall():
                if referred in spared:
                    continue
                drop.append(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                rebuild.append(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
    return rebuild if drop and _dropped_in_time(connection, drop) else []


def _holds_as_many(connection: BaseDatabaseWrapper, table: str, rows: int) -> bool:
    """Whether the table already holds as many rows as the load brings: counted exactly, but
    never further than the load's own size."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT %s)"  # noqa: S608
            " AS held",
            [rows],
        )
        return bool(cursor.fetchone()[0] >= rows)


def _dropped_in_time(connection: BaseDatabaseWrapper, drop: list[str]) -> bool:
    """Run the ``drop`` statements if their locks come within ``LOCK_WAIT``; if not, none."""
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
        return False
    return True
