"""A person's own column mapping: which field a file header fills, or that it is ignored.

A district exports the same file every week, and the export names some columns its own way
("Parent Last Name" for ``LastName``). PowerSchool's Data Import Manager and Schoology's
import map such columns on screen and remember the mapping; Tutela does the same on the
mapping screen, and on the command line with ``--map "File Header=Field"`` and
``--mapping NAME`` (a mapping saved on that screen). Either way a mapping is the pairs as the
person wrote them, file header to the field's documented header (empty: ignore the column),
checked here against the kind before anything is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tutela.core.columns import REPORT_ERRORS
from tutela.core.tabular import FileProblem, normalise_header
from tutela.imports.engine import ImportKind

# What the mapping screen and ``--map`` write for a column that is not imported.
IGNORED = ""


def parse_map_options(values: Iterable[str]) -> dict[str, str]:
    """``--map "File Header=Field"`` options as pairs; ``"Notes="`` ignores a column."""
    pairs: dict[str, str] = {}
    for value in values:
        header, equals, target = value.partition("=")
        if not equals or not header.strip():
            raise FileProblem(f'--map {value!r}: write it as "File Header=Field"')
        pairs[header.strip()] = target.strip()
    return pairs


def resolved(kind: ImportKind[Any], pairs: Mapping[str, str]) -> dict[str, str | None]:
    """The engine's form of ``pairs``: normalised header -> field (``None``: ignored).

    A field the kind does not have refuses the mapping, naming it and the kind's fields.
    """
    fields = kind.headers()
    found: dict[str, str | None] = {}
    for header, target in pairs.items():
        if target == IGNORED:
            found[normalise_header(header)] = None
            continue
        field = fields.get(normalise_header(target))
        if field is None:
            known = ", ".join(kind.field_headers().values())
            raise FileProblem(
                f"mapping {header!r} to {target!r}: {kind.kind} has no field {target!r} "
                f"(its fields: {known})"
            )
        found[normalise_header(header)] = field
    return found


@dataclass(frozen=True)
class MappedHeader:
    """One header of a file as the mapping screen shows it: the field it fills, if any."""

    position: int
    header: str
    own: str | None  # the field the kind itself reads this header as (documented header)
    field: str | None  # the field it fills with the mapping; None: not imported
    decided: bool  # filled, or left out on purpose (by the mapping, or a report's Errors)

    @property
    def default(self) -> str | None:
        """What the import does with this header without a mapping (``IGNORED``: leaves it
        out; ``None``: refuses the file)."""
        if self.own is not None:
            return self.own
        return IGNORED if _left_out(self.header) else None


def _left_out(header: str) -> bool:
    """The engine leaves out a report's ``Errors`` column and a blank header by itself."""
    return not header or normalise_header(header) == normalise_header(REPORT_ERRORS)


def mapped_headers(
    kind: ImportKind[Any], headers: list[str], pairs: Mapping[str, str]
) -> list[MappedHeader]:
    """Each header of the file with the field it maps to, as the import will map it."""
    known = kind.headers()
    titles = kind.field_headers()
    chosen = {normalise_header(h): target for h, target in pairs.items()}
    shown: list[MappedHeader] = []
    for position, header in enumerate(headers):
        name = normalise_header(header)
        own_field = known.get(name)
        own = titles.get(own_field) if own_field else None
        if name in chosen:
            target = chosen[name]
            field = known.get(normalise_header(target)) if target else None
            shown.append(
                MappedHeader(position, header, own, titles.get(field) if field else None, True)
            )
        else:
            shown.append(
                MappedHeader(position, header, own, own, own is not None or _left_out(header))
            )
    return shown
