"""What every section of the planner reads: the state in memory and how values are shown.

One ``Context`` serves a whole import; each group's changes live on its own ``Stage``. The
sections are plain functions of the two, so each one's inputs are in its signature.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutela.core.values import file_date
from tutela.imports.contacts.columns import LABEL
from tutela.imports.contacts.planning.stage import Stage
from tutela.imports.contacts.state import World
from tutela.imports.contacts.validation import Marker, ParsedRow

# How the file wrote a value in a column, where it wrote it one way (``RowValidator.spelling``).
Spelling = Callable[[str, Any], str | None]


@dataclass(frozen=True, slots=True)
class Context:
    """The import's state in memory (changed only by accepted groups), the codes' text, the
    day the import runs (for the active detail record) and the file's spellings."""

    world: World
    code_text: dict[int, str]
    today: datetime.date
    spelling: Spelling

    def show(self, value: Any, name: str) -> str:
        """``value`` of field ``name`` in a message: as the file wrote it wherever the file says
        how (``1`` rather than ``true``), else as the import understood it."""
        if isinstance(value, Marker):
            return repr(value.value)
        typed = self.spelling(name, value)
        if typed is not None:
            return repr(typed)
        if isinstance(value, bool):
            return "'true'" if value else "'false'"
        if isinstance(value, int):
            return repr(self.code_text.get(value, str(value)))
        if isinstance(value, datetime.date):
            return repr(file_date(value))
        return repr(value)


def same_flag(a: bool | None, b: bool | None) -> bool:
    """Two related rows' values of one yes/no flag agree: a blank is the flag's default, false
    (PowerSchool's rule for blanks: only a non-default value beside a blank is a conflict)."""
    return bool(a) == bool(b)


def merge(
    ctx: Context,
    stage: Stage,
    rows: list[ParsedRow],
    name: str,
    source: Callable[[ParsedRow], Any],
) -> tuple[Any, ParsedRow | None]:
    """The one value related rows give a field; two different values are a conflict."""
    first: Any = None
    first_row: ParsedRow | None = None
    for row in rows:
        value = source(row)
        if value is None:
            continue
        if first_row is None:
            first, first_row = value, row
        elif value != first:
            stage.error(
                row,
                f"{LABEL[name]} {ctx.show(value, name)} conflicts with "
                f"{ctx.show(first, name)} on row {first_row.number}",
            )
    return first, first_row


def merge_section(
    ctx: Context, stage: Stage, rows: list[ParsedRow], section: str
) -> dict[str, tuple[Any, ParsedRow]]:
    """Every field's one value across related rows; two different values conflict."""
    merged: dict[str, tuple[Any, ParsedRow]] = {}
    for row in rows:
        values: dict[str, Any] = getattr(row, section)
        for name, value in values.items():
            first = merged.get(name)
            if first is None:
                merged[name] = (value, row)
            elif first[0] != value:
                stage.error(
                    row,
                    f"{LABEL[name]} {ctx.show(value, name)} conflicts with "
                    f"{ctx.show(first[0], name)} on row {first[1].number}",
                )
    return merged
