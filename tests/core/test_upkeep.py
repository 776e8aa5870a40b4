"""Big loads: indexes (and PostgreSQL's foreign keys) dropped, then built back in one go.

Every test lowers ``BULK_ROWS`` so a handful of rows counts as a big load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import Run
from tests.factories import ContactFactory, StudentFactory
from tutela.core import upkeep
from tutela.core.bulk import insert_rows
from tutela.people.models import ContactEmail, StudentContact

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's foreign keys and locks"
)

POSTGRESQL_SCHEMA = """
SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = current_schema()
UNION ALL
SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""


@pytest.fixture
def big_from_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upkeep, "BULK_ROWS", 1)


SQLITE_SCHEMA = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"


def schema() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_SCHEMA if connection.vendor == "postgresql" else SQLITE_SCHEMA)
        return list(cursor.fetchall())


def dropped(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("DROP", "ALTER"))]


def emails(contact_id: int, *addresses: str) -> list[tuple[Any, ...]]:
    return [(contact_id, address, False, n) for n, address in enumerate(addresses, 1)]


EMAIL_FIELDS = ("contact_id", "address", "is_primary", "order")


@pytest.mark.usefixtures("big_from_one_row")
def test_a_big_import_leaves_every_index_and_key_as_it_was(
    tutela: Callable[..., Run], csv_file: Callable[..., Any]
) -> None:
    StudentFactory.create(student_number="1001")
    before = schema()
    path = csv_file(
        [
            ["Identifier", "LastName", "EmailAddress", "StudentNumber", "OriginalContactType"],
            ["P1", "Lee", "ann@example.org", "1001", "mother"],
            ["P2", "Kim", "bo@example.org", "1001", "father"],
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        result = tutela("import", "contacts", str(path))
    assert result.code == 0, result.err
    assert any(s.startswith("DROP INDEX") for s in dropped(queries))
    assert schema() == before
    assert StudentContact.objects.filter(student__student_number="1001").count() == 2


@postgres_only
@pytest.mark.usefixtures("big_from_one_row")
def test_a_dangling_reference_still_fails_the_load() -> None:
    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        insert_rows(ContactEmail, EMAIL_FIELDS, emails(987_654_321, "a@example.org"))


@pytest.mark.usefixtures("big_from_one_row")
def test_a_duplicate_still_fails_the_load() -> None:
    """The duplicate goes in while the unique index is away; building it back refuses it."""
    contact = ContactFactory.create()
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        insert_rows(
            ContactEmail, EMAIL_FIELDS, emails(contact.pk, "a@example.org", "A@example.org")
        )
    assert any("email_once_per_contact" in sql for sql in dropped(queries))


@postgres_only
@pytest.mark.usefixtures("big_from_one_row")
def test_checks_already_queued_by_deletions_do_not_block_the_load() -> None:
    keep, gone = ContactFactory.create(), ContactFactory.create()
    with transaction.atomic():
        gone.delete()  # queues a deferred check on the contacts table
        with CaptureQueriesContext(connection) as queries:
            insert_rows(ContactEmail, EMAIL_FIELDS, emails(keep.pk, "a@example.org"))
    assert dropped(queries)
    assert ContactEmail.objects.filter(contact=keep).count() == 1


@pytest.mark.usefixtures("big_from_one_row")
def test_a_load_smaller_than_the_table_keeps_the_per_row_upkeep() -> None:
    contact = ContactFactory.create()
    insert_rows(ContactEmail, EMAIL_FIELDS, emails(contact.pk, "a@x.org", "b@x.org", "c@x.org"))
    with CaptureQueriesContext(connection) as queries:
        insert_rows(ContactEmail, EMAIL_FIELDS, emails(contact.pk, "d@x.org", "e@x.org"))
    assert dropped(queries) == []


@pytest.fixture
def another_session_reading_emails() -> Iterator[None]:
    """A second connection in the middle of a transaction that has read the emails table."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    try:
        other.execute("SELECT count(*) FROM people_contactemail")
        yield
    finally:
        other.rollback()
        other.close()


@postgres_only
@pytest.mark.usefixtures("big_from_one_row", "another_session_reading_emails")
def test_a_table_in_use_elsewhere_is_loaded_row_by_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upkeep, "LOCK_WAIT", "200ms")
    contact = ContactFactory.create()
    before = schema()
    with transaction.atomic():
        insert_rows(ContactEmail, EMAIL_FIELDS, emails(contact.pk, "a@example.org"))
        assert schema() == before  # nothing was dropped: the lock was not granted
    assert ContactEmail.objects.filter(contact=contact).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.usefixtures("big_from_one_row")
def test_a_district_can_keep_the_per_row_upkeep_for_every_load(settings: Any) -> None:
    settings.TUTELA_IMPORT_BUILDS_INDEXES_AFTER = False
    contact = ContactFactory.create()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        insert_rows(ContactEmail, EMAIL_FIELDS, emails(contact.pk, "a@example.org"))
    assert dropped(queries) == []
    assert ContactEmail.objects.filter(contact=contact).count() == 1


def _without_ids(value: Any) -> Any:
    """An export with its database ids left out: two runs number their rows differently."""
    if isinstance(value, dict):
        return {
            k: _without_ids(v) for k, v in value.items() if k not in {"id", "assoc_id", "detail_id"}
        }
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_a_mixed_import_ends_the_same_with_or_without_the_upkeep(
    tutela: Callable[..., Run], csv_file: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deletions, updates and additions in one run (checks queued before the tables are
    altered), after a first import: the same contacts either way, the schema untouched."""
    from tutela.people.export import export_contacts
    from tutela.people.models import Contact

    for number in ("1001", "1002", "1003"):
        StudentFactory.create(student_number=number)
    header = ["ID", "Identifier", "LastName", "EmailAddress", "PhoneNumber", "StudentNumber"]
    first = [
        ["", "A", "Ames", "a@example.org", "212-555-0101", "1001"],
        ["", "B", "Bell", "b@example.org", "212-555-0102", "1002"],
        ["", "C", "Cruz", "c@example.org", "212-555-0103", "1003"],
    ]

    def outcome(rows_per_big_load: int) -> list[Any]:
        monkeypatch.setattr(upkeep, "BULK_ROWS", rows_per_big_load)
        before = schema()
        savepoint = transaction.savepoint()
        assert tutela("import", "contacts", str(csv_file([header, *first]))).code == 0
        ids = dict(Contact.objects.values_list("last_name", "pk"))
        second = [
            [ids["Ames"], "", "#delete", "", "", ""],
            [ids["Bell"], "", "Bell-Ray", "b2@example.org", "212-555-0109", "1003"],
            ["", "D", "Diaz", "d@example.org", "212-555-0101", "1001"],
            ["", "E", "Eng", "e@example.org", "212-555-0110", "1002"],
        ]
        with CaptureQueriesContext(connection) as queries:
            result = tutela("import", "contacts", str(csv_file([header, *second])))
        assert result.code == 0, result.out + result.err
        assert bool(dropped(queries)) == (rows_per_big_load == 1)
        exported = _without_ids(list(export_contacts()))
        transaction.savepoint_rollback(savepoint)
        assert schema() == before
        return exported

    row_by_row, once_per_table = outcome(20_000), outcome(1)
    assert once_per_table == row_by_row
    assert [c["last_name"] for c in once_per_table] == ["Bell-Ray", "Cruz", "Diaz", "Eng"]


KEYS_OF = """
SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text
FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1
"""


def foreign_keys(*models: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(KEYS_OF, [[m._meta.db_table for m in models]])
        return [row[0] for row in cursor.fetchall()]


@postgres_only
@pytest.mark.usefixtures("big_from_one_row")
def test_a_big_run_checks_its_keys_once_at_its_end_and_spares_the_sign_in_tables() -> None:
    from tutela.accounts.models import Account
    from tutela.people.models import Contact

    before = schema()
    with transaction.atomic():
        with upkeep.keys_checked_at_end(
            (ContactEmail, StudentContact, Account), 5, spared=(Contact, Account)
        ):
            # The links' key to the students went; their key to the contacts stayed, and so
            # did every key of the accounts table.
            assert foreign_keys(StudentContact) == ["people_studentcontact -> people_contact"]
            assert foreign_keys(ContactEmail) == ["people_contactemail -> people_contact"]
            assert foreign_keys(Account) == ["accounts_account -> people_contact"]
        assert schema() == before
    assert schema() == before


@postgres_only
@pytest.mark.usefixtures("big_from_one_row")
def test_a_dangling_reference_fails_the_end_of_the_run() -> None:
    from tutela.people.models import Contact

    contact = ContactFactory.create()
    with (
        pytest.raises(IntegrityError, match="foreign key"),
        transaction.atomic(),
        upkeep.keys_checked_at_end((StudentContact,), 5, spared=(Contact,)),
    ):
        insert_rows(
            StudentContact,
            ("student_id", "contact_id", "contact_priority_order"),
            [(987_654_321, contact.pk, 1)],
            may_drop_indexes=False,
        )
    assert not StudentContact.objects.exists()


@postgres_only
@pytest.mark.usefixtures("big_from_one_row")
def test_a_run_no_bigger_than_the_table_keeps_the_per_row_checks() -> None:
    contact = ContactFactory.create()
    insert_rows(ContactEmail, EMAIL_FIELDS, emails(contact.pk, "a@x.org", "b@x.org"))
    with transaction.atomic(), upkeep.keys_checked_at_end((ContactEmail,), 2, spared=()):
        assert "people_contactemail -> people_code" in foreign_keys(ContactEmail)
    with transaction.atomic(), upkeep.keys_checked_at_end((ContactEmail,), 3, spared=()):
        assert foreign_keys(ContactEmail) == []
    assert "people_contactemail -> people_code" in foreign_keys(ContactEmail)


@postgres_only
@pytest.mark.usefixtures("big_from_one_row", "another_session_reading_emails")
def test_a_run_whose_tables_are_in_use_elsewhere_keeps_the_per_row_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(upkeep, "LOCK_WAIT", "200ms")
    before = foreign_keys(ContactEmail, StudentContact)
    with (
        transaction.atomic(),
        upkeep.keys_checked_at_end((StudentContact, ContactEmail), 5, spared=()),
    ):
        assert foreign_keys(ContactEmail, StudentContact) == before  # all or none
    assert before


@pytest.mark.usefixtures("big_from_one_row")
def test_a_big_contacts_import_checks_the_links_keys_at_its_end_on_postgresql(
    tutela: Callable[..., Run], csv_file: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upkeep, "_dropped", lambda *_: [])  # only the run's own upkeep
    StudentFactory.create(student_number="1001")
    path = csv_file(
        [
            ["Identifier", "LastName", "EmailAddress", "StudentNumber"],
            ["P1", "Lee", "ann@example.org", "1001"],
            ["P2", "Kim", "bo@example.org", "1001"],
        ]
    )
    before = schema()
    with CaptureQueriesContext(connection) as queries:
        result = tutela("import", "contacts", str(path))
    assert result.code == 0, result.err
    keys = [sql for sql in dropped(queries) if "DROP CONSTRAINT" in sql and "_fk_" in sql]
    if connection.vendor == "postgresql":
        assert any("people_studentcontact_student_id" in sql for sql in keys)
        assert not any("accounts_account" in sql or "contact_id" in sql for sql in keys)
    else:
        assert keys == []
    assert schema() == before
    assert StudentContact.objects.filter(student__student_number="1001").count() == 2
