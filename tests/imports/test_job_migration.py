"""The move of import jobs' row results to gzipped JSON keeps every existing job's results."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

ROWS = [{"row": 2, "group": "P1", "status": "rejected", "errors": ["LastName is required ü"]}]
BEFORE = [("imports", "0001_initial")]
AFTER = [("imports", "0002_row_results_gzipped")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_row_results_survive_the_move_both_ways() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_job = executor.loader.project_state(BEFORE).apps.get_model("imports", "ImportJob")
    old_job.objects.create(
        kind="contacts",
        file_name="f.csv",
        checksum="0" * 64,
        started_at=timezone.now(),
        row_results=ROWS,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    from tutela.imports.models import ImportJob

    # Only the columns this migration knows (later ones are not there yet).
    assert ImportJob.objects.only("pk", "row_results_gz").get().row_results == ROWS

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_job = executor.loader.project_state(BEFORE).apps.get_model("imports", "ImportJob")
    assert old_job.objects.get().row_results == ROWS
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
