"""Migration 0003 rewrites the shipped "student added" emails, never a district's edit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("provisioning", "0002_default_email_templates")]
AFTER = [("provisioning", "0003_student_added_username_line")]


def _bodies(executor: MigrationExecutor, target: list[tuple[str, str]]) -> dict[str, str]:
    model = executor.loader.project_state(target).apps.get_model("provisioning", "EmailTemplate")
    return dict(model.objects.filter(kind="student_added").values_list("name", "body_text"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_shipped_wording_changes_both_ways_and_an_edited_one_stays() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    model = executor.loader.project_state(BEFORE).apps.get_model("provisioning", "EmailTemplate")
    edited = "Hola {{ parent_name }}: ({{ username }})."
    model.objects.filter(name="Student added (Spanish)").update(body_text=edited)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    after = _bodies(executor, AFTER)
    assert "Your username: {{ username }}" in after["Student added (English)"]
    assert "({{ username }})" not in after["Student added (English)"]
    assert after["Student added (Spanish)"] == edited

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert "account ({{ username }})." in _bodies(executor, BEFORE)["Student added (English)"]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
