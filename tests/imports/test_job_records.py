"""An import job's records of its rows: gzipped as they come, read back one at a time."""

from __future__ import annotations

from tutela.imports.models import ImportJob


def test_a_jobs_row_results_are_read_one_at_a_time_as_they_were_written() -> None:
    rows = [
        {"row": n, "group": "Zoë, ]{" * (n % 4), "errors": ["a}b"] * (n % 3), "outcome": "added"}
        for n in range(2, 60_000)
    ]
    job = ImportJob()
    job.row_results = iter(rows)
    read = job.each_row_result()
    assert next(read) == rows[0]
    assert [rows[0], *read] == rows == job.row_results
    assert list(ImportJob().each_row_result()) == []


def test_a_jobs_rejected_rows_keep_their_cells_by_row_number() -> None:
    job = ImportJob()
    job.keep_rejected_rows(["ID", "Name"], iter([(3, ["1", "Ann"]), (9, ["", 'Bo, "B"'])]))
    assert job.rejected_rows == {
        "headers": ["ID", "Name"],
        "rows": {3: ["1", "Ann"], 9: ["", 'Bo, "B"']},
    }
