from pathlib import Path

import pytest

from tutela.core.commands import UsageError, _missing_table, check_output


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


def test_an_output_file_is_checked_before_any_work(tmp_path: Path) -> None:
    check_output("--report", tmp_path / "report.csv")  # a new file in a folder that exists
    with pytest.raises(UsageError, match=r"--report .*: the folder .*missing does not exist"):
        check_output("--report", tmp_path / "missing" / "report.csv")
    with pytest.raises(UsageError, match=r"--output .*: is a folder, not a file"):
        check_output("--output", tmp_path)
