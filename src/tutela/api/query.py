"""OneRoster's query parameters: ``limit``, ``offset``, ``sort``, ``orderBy``, ``filter`` and
``fields``, as the REST binding defines them, applied to a collection of plain records.

A bad value is an ``ApiError`` carrying the binding's code minor: ``invaliddata`` for paging,
``invalid_filter_field`` for a filter, ``invalid_selection_field`` for ``sort``, ``orderBy`` or
``fields`` naming what the collection does not have.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_LIMIT = 100
# One page of a district at most: a client walking 100,000 users asks for pages of 1,000.
MAX_LIMIT = 10_000

Record = dict[str, Any]


class ApiError(Exception):
    """A request OneRoster answers with an ``imsx_StatusInfo``."""

    def __init__(self, status: int, code_minor: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code_minor = code_minor
        self.description = description


_CLAUSE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.]*)\s*(!=|>=|<=|=|>|<|~)\s*'(.*)'\s*$", re.DOTALL)


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str
    value: str

    def matches(self, record: Record) -> bool:
        candidates = [_comparable(value) for value in _values_at(record, self.field)]
        if self.operator == "!=":
            return all(candidate != self.value for candidate in candidates)
        return any(self._holds(candidate) for candidate in candidates)

    def _holds(self, actual: str) -> bool:
        if self.operator == "~":
            return self.value.casefold() in actual.casefold()
        compare: dict[str, Callable[[str, str], bool]] = {
            "=": lambda a, b: a == b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
        }
        return compare[self.operator](actual, self.value)


def _values_at(record: Record, dotted: str) -> list[Any]:
    """The values a dotted field names in a record; through a list (``roles.role``), each
    element's."""
    values: list[Any] = [record]
    for part in dotted.split("."):
        found: list[Any] = []
        for value in values:
            items = value if isinstance(value, list) else [value]
            found.extend(item[part] for item in items if isinstance(item, Mapping) and part in item)
        values = found
    return values or [""]


def _value_at(record: Record, dotted: str) -> Any:
    return _values_at(record, dotted)[0]


def _comparable(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_comparable(item) for item in value)
    if isinstance(value, Mapping):
        return str(value.get("sourcedId", ""))
    return str(value)


@dataclass(frozen=True)
class Query:
    """The parsed parameters of one collection request."""

    limit: int
    offset: int
    sort: str
    descending: bool
    clauses: tuple[Clause, ...]
    any_clause: bool
    fields: tuple[str, ...]

    def select(self, records: Sequence[Record]) -> tuple[list[Record], int]:
        """The page of ``records`` this query asks for, and how many matched in all."""
        chosen = [record for record in records if self._keeps(record)]
        if self.sort:
            chosen.sort(
                key=lambda record: _comparable(_value_at(record, self.sort)),
                reverse=self.descending,
            )
        page = chosen[self.offset : self.offset + self.limit]
        return [self.shape(record) for record in page], len(chosen)

    def _keeps(self, record: Record) -> bool:
        if not self.clauses:
            return True
        results = (clause.matches(record) for clause in self.clauses)
        return any(results) if self.any_clause else all(results)

    def shape(self, record: Record) -> Record:
        if not self.fields:
            return record
        return {name: record[name] for name in self.fields if name in record}


def _whole_number(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise ApiError(400, "invaliddata", f"{name} must be a whole number of at least {minimum}")
    return int(raw)


def _field_names(raw: str) -> list[str]:
    return [name.strip() for name in raw.split(",") if name.strip()]


def parse_filter(raw: str, known: frozenset[str]) -> tuple[tuple[Clause, ...], bool]:
    """The clauses of a ``filter`` and whether they are joined by OR (else AND)."""
    has_and, has_or = " AND " in raw, " OR " in raw
    if has_and and has_or:
        raise ApiError(400, "invalid_filter_field", "filter: use AND or OR, not both")
    parts = raw.split(" OR " if has_or else " AND ")
    clauses = []
    for part in parts:
        match = _CLAUSE.match(part)
        if match is None:
            raise ApiError(400, "invalid_filter_field", f"filter: cannot read {part.strip()!r}")
        field, operator, value = match.groups()
        if field.split(".")[0] not in known:
            raise ApiError(400, "invalid_filter_field", f"filter: no field {field!r}")
        clauses.append(Clause(field, operator, value))
    return tuple(clauses), has_or


def parse_query(params: Mapping[str, str], known: frozenset[str]) -> Query:
    """The query a collection request asks for, its fields checked against ``known``."""
    limit = min(_whole_number(params, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _whole_number(params, "offset", 0, 0)
    sort = params.get("sort", "").strip()
    if sort and sort.split(".")[0] not in known:
        raise ApiError(400, "invalid_selection_field", f"sort: no field {sort!r}")
    order = params.get("orderBy", "asc").strip() or "asc"
    if order not in {"asc", "desc"}:
        raise ApiError(400, "invalid_selection_field", "orderBy must be asc or desc")
    raw_filter = params.get("filter", "")
    clauses, any_clause = parse_filter(raw_filter, known) if raw_filter.strip() else ((), False)
    fields = tuple(parse_fields(params, known))
    return Query(limit, offset, sort, order == "desc", clauses, any_clause, fields)


def parse_fields(params: Mapping[str, str], known: frozenset[str]) -> list[str]:
    """The ``fields`` asked for (none: every field), each one the object has."""
    fields = _field_names(params.get("fields", ""))
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise ApiError(400, "invalid_selection_field", f"fields: no field {unknown[0]!r}")
    return fields
