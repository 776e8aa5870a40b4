"""The query parameters every OneRoster collection takes, as the REST binding defines them:
``limit``, ``offset``, ``sort``, ``orderBy``, ``filter`` and ``fields``.

A bad value is never guessed at: it is refused with the binding's code minor
(``invalid_filter_field`` for the filter, ``invalid_selection_field`` for the others), naming
the parameter and the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]

DEFAULT_LIMIT = 100
INVALID_FILTER = "invalid_filter_field"
INVALID_SELECTION = "invalid_selection_field"
PREDICATE = re.compile(
    r"\s*(?P<field>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)\s*"
    r"(?P<op>!=|>=|<=|=|>|<|~)\s*'(?P<value>[^']*)'\s*"
)
JOIN = re.compile(r"(AND|OR)\b")


class QueryError(Exception):
    """A query parameter the binding does not allow: answered 400 with ``code_minor``."""

    def __init__(self, code_minor: str, description: str) -> None:
        super().__init__(description)
        self.code_minor = code_minor
        self.description = description


def values_at(value: Any, path: Sequence[str]) -> list[str]:
    """The strings found at ``path`` in a record's value: a reference stands for its
    sourcedId, a list for each of its items (``roles.role`` is every role of a user)."""
    if isinstance(value, list):
        return [found for item in value for found in values_at(item, path)]
    if isinstance(value, dict):
        if not path:
            return values_at(value.get("sourcedId"), ())
        return values_at(value.get(path[0]), path[1:])
    if isinstance(value, str) and not path:
        return [value]
    return []


def _compare(op: str, found: list[str], wanted: str) -> bool:
    if op == "=":
        return wanted in found
    if op == "!=":
        return wanted not in found
    if op == "~":
        return any(wanted.casefold() in value.casefold() for value in found)
    tests: dict[str, Callable[[str], bool]] = {
        ">": lambda value: value > wanted,
        ">=": lambda value: value >= wanted,
        "<": lambda value: value < wanted,
        "<=": lambda value: value <= wanted,
    }
    return any(tests[op](value) for value in found)


Predicate = Callable[[Record], bool]


def _predicate(field: str, op: str, wanted: str) -> Predicate:
    path = field.split(".")

    def test(record: Record) -> bool:
        return _compare(op, values_at(record.get(path[0]), path[1:]), wanted)

    return test


def parse_filter(text: str, properties: frozenset[str]) -> Predicate:
    """``field='value'`` predicates joined by `` AND `` and `` OR `` (AND binding tighter),
    each field one of the record's own (a dotted path reaches into its references)."""
    groups: list[list[Predicate]] = [[]]
    position = 0
    while True:
        match = PREDICATE.match(text, position)
        if match is None:
            raise QueryError(
                INVALID_FILTER,
                f"filter {text!r}: not field<operator>'value' at character {position + 1} "
                "(operators = != > >= < <= ~, joined by AND or OR)",
            )
        field = match["field"]
        if field.split(".")[0] not in properties:
            raise QueryError(INVALID_FILTER, f"filter: {field!r} is not a field of this type")
        groups[-1].append(_predicate(field, match["op"], match["value"]))
        position = match.end()
        if position == len(text):
            break
        join = JOIN.match(text, position)
        if join is None:
            raise QueryError(
                INVALID_FILTER, f"filter {text!r}: expected AND or OR at character {position + 1}"
            )
        if join[1] == "OR":
            groups.append([])
        position = join.end()

    def test(record: Record) -> bool:
        return any(all(predicate(record) for predicate in group) for group in groups)

    return test


def _whole(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise QueryError(
            INVALID_SELECTION, f"{name} {raw!r}: must be a whole number of at least {minimum}"
        )
    return int(raw)


@dataclass(frozen=True)
class Query:
    """One collection request's paging, order, filter and chosen fields."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: str = "sourcedId"
    descending: bool = False
    predicate: Predicate | None = None
    fields: tuple[str, ...] = ()

    def select(self, records: list[Record]) -> list[Record]:
        """The records the filter keeps, in the asked order (sourcedId breaks ties)."""
        kept = [r for r in records if self.predicate(r)] if self.predicate else list(records)
        path = self.sort.split(".")
        kept.sort(key=lambda record: record["sourcedId"])
        kept.sort(
            key=lambda record: min(values_at(record.get(path[0]), path[1:]), default=""),
            reverse=self.descending,
        )
        return kept

    def page(self, records: list[Record]) -> list[Record]:
        return records[self.offset : self.offset + self.limit]

    def shape(self, record: Record) -> Record:
        if not self.fields:
            return record
        return {name: record[name] for name in self.fields if name in record}


def parse_fields(params: Mapping[str, str], properties: frozenset[str]) -> tuple[str, ...]:
    raw = params.get("fields", "")
    if raw == "":
        return ()
    names = tuple(name.strip() for name in raw.split(","))
    unknown = [name for name in names if name not in properties]
    if unknown:
        raise QueryError(
            INVALID_SELECTION, f"fields: {', '.join(map(repr, unknown))} not a field of this type"
        )
    return names


def parse_query(params: Mapping[str, str], properties: frozenset[str]) -> Query:
    """The query a collection request asks for, or :class:`QueryError`."""
    sort = params.get("sort", "") or "sourcedId"
    if sort.split(".")[0] not in properties:
        raise QueryError(INVALID_SELECTION, f"sort: {sort!r} is not a field of this type")
    order = params.get("orderBy", "") or "asc"
    if order not in {"asc", "desc"}:
        raise QueryError(INVALID_SELECTION, f"orderBy {order!r}: must be asc or desc")
    text = params.get("filter", "")
    return Query(
        limit=_whole(params, "limit", DEFAULT_LIMIT, 1),
        offset=_whole(params, "offset", 0, 0),
        sort=sort,
        descending=order == "desc",
        predicate=parse_filter(text, properties) if text.strip() else None,
        fields=parse_fields(params, properties),
    )
