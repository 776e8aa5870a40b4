import pytest

from tutela.core.commands import _missing_table


@pytest.mark.parametrize(
    "message",
    [
        "no such table: people_contact",
        'relation "people_contact" does not exist LINE 1: SELECT ...',
    ],
)
def test_a_missing_table_means_migrate_has_not_run(message: str) -> None:
    assert _missing_table(message)


def test_a_missing_database_is_not_mistaken_for_a_missing_table() -> None:
    assert not _missing_table(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        'FATAL: database "tutela_x" does not exist'
    )
