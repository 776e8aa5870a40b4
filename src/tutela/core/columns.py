"""Matching a file's header row to the columns an importer knows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tutela.core.tabular import FileProblem, normalise_header

# The column every import's ``--report`` adds to the rejected rows. It is ignored when a file is
# read, so a district fixes the rows in the report and imports that very file again.
REPORT_ERRORS = "Errors"


@dataclass(frozen=True)
class ColumnMap:
    """Which position of a row holds which field, and the header text as the file spells it."""

    positions: dict[str, int]
    spelled: dict[str, str]

    def get(self, cells: list[str], field: str) -> str:
        index = self.positions.get(field)
        return cells[index].strip() if index is not None else ""

    def __contains__(self, field: str) -> bool:
        return field in self.positions


def map_columns(
    headers: list[str],
    known: Mapping[str, str],
    required: Iterable[str] = (),
    file_name: str = "the file",
    chosen: Mapping[str, str | None] | None = None,
) -> ColumnMap:
    """Map headers to field names through ``known`` (normalised header → field).

    ``chosen`` is the person's own mapping (normalised header → field, ``None``: ignore the
    column), asked before ``known``: a district's export that names a column its own way is
    mapped once, on the mapping screen or with ``--map``, instead of being edited every week.
    Unknown, repeated and missing required columns refuse the whole file before anything
    is written, naming the column as the file spells it. A report's ``Errors`` column is
    skipped.
    """
    chosen = chosen or {}
    positions: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for index, header in enumerate(headers):
        if not header:
            if index == len(headers) - 1:
                continue  # a trailing comma in the header row
            raise FileProblem(f"{file_name}: column {index + 1} has no name")
        name = normalise_header(header)
        if name in chosen:
            field = chosen[name]
            if field is None:
                continue
        elif name == normalise_header(REPORT_ERRORS) and name not in known:
            continue
        else:
            field = known.get(name)
        if field is None:
            raise FileProblem(f"{file_name}: unknown column {header!r}")
        if field in positions:
            raise FileProblem(f"{file_name}: column {header!r} repeats column {spelled[field]!r}")
        positions[field] = index
        spelled[field] = header
    missing = [name for name in required if name not in positions]
    if missing:
        raise FileProblem(f"{file_name}: missing required column(s): {', '.join(missing)}")
    return ColumnMap(positions=positions, spelled=spelled)
