"""The priority order of a contact's phones and of its addresses, given or filled in (rule 10)."""

from __future__ import annotations

from typing import Any

from tutela.imports.contacts.planning.stage import Stage
from tutela.imports.contacts.validation import ParsedRow


def assign_priorities(
    stage: Stage,
    label: str,
    given: list[tuple[Any, int | None, ParsedRow]],
    records: list[Any],
    new: set[int],
) -> None:
    """Rule 10: priorities given must differ; blanks of new records fill the gaps in order.

    A record that already exists keeps its priority when the file leaves it blank.
    """
    used: dict[int, tuple[Any, ParsedRow]] = {}
    for record, priority, row in given:
        if priority is None:
            continue
        other = used.get(priority)
        if other is not None and other[0] is not record:
            stage.error(row, f"{label} '{priority}' is also used on row {other[1].number}")
            continue
        used[priority] = (record, row)
        record.priority_order = priority
    blank_new = [r for r, p, _ in given if p is None and id(r) in new]
    taken = {r.priority_order for r in records if id(r) not in new} | set(used)
    candidate = 1
    for record in dict.fromkeys(blank_new):
        while candidate in taken:
            candidate += 1
        record.priority_order = candidate
        taken.add(candidate)
