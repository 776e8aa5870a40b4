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

    A record that already exists keeps its priority when the file leaves it blank, unless
    the file gives that priority to another record: then it is placed like a new one, so no
    two of a contact's records share a priority. Records placed fill the gaps in file order;
    existing records the file does not name come after them, in their old order.
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
    placed = {id(record) for record, _ in used.values()}
    named = {id(record) for record, _, _ in given}
    taken = set(used)
    waiting: list[Any] = []
    in_file = [r for r, p, _ in given if p is None]
    others = sorted(
        (r for r in records if id(r) not in named and id(r) not in new),
        key=lambda r: r.priority_order,
    )
    for record in dict.fromkeys([*in_file, *others]):
        if id(record) in placed:
            continue  # given a priority on another of its rows
        placed.add(id(record))
        if id(record) in new or record.priority_order in taken:
            waiting.append(record)
        else:
            taken.add(record.priority_order)
    candidate = 1
    for record in waiting:
        while candidate in taken:
            candidate += 1
        record.priority_order = candidate
        taken.add(candidate)
