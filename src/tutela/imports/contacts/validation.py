"""Row validation: one row of text in, typed values and the row's own errors out; never writes.

A blank cell means "not given" (``None``): it neither updates nor clears anything. ``#clear``
clears an optional value, ``#delete`` deletes the record its column names, ``#new`` (in
``StudentContactDetailID`` only) adds a detail record. Each problem names the field as
PowerSchool's template spells it and the value as the file has it.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import compress, repeat
from operator import itemgetter
from types import MappingProxyType
from typing import Any, cast

from tutela.core.columns import ColumnMap
from tutela.core.emails import email_problem, plainly_valid
from tutela.core.phones import phone_digits, strip_extension
from tutela.core.values import (
    LARGEST_ID,
    USERNAME,
    ValueProblem,
    parse_bool,
    parse_date,
    quoted,
)
from tutela.imports.contacts.columns import (
    ACCESS_FIELDS,
    ADDRESS_FIELDS,
    COLUMN,
    CONTACT_FIELDS,
    EMAIL_FIELDS,
    FIELDS,
    PHONE_FIELDS,
    STUDENT_FIELDS,
    Column,
    Kind,
)
from tutela.people.codesets import CodeBook, CodeProblem
from tutela.people.models import Phone, StudentContactDetail


class Marker(enum.Enum):
    """The special words a cell may hold instead of a value."""

    CLEAR = "#clear"
    DELETE = "#delete"
    NEW = "#new"


CLEAR = Marker.CLEAR
DELETE = Marker.DELETE
NEW = Marker.NEW

# Kinds whose few distinct values repeat on thousands of rows: each value is parsed once.
REPEATING = frozenset({Kind.BOOLEAN, Kind.DATE, Kind.PRIORITY, Kind.CODE, Kind.CHOICE})
NEW_ALLOWED = " or ".join(column.header for column in COLUMN.values() if column.new)
CONTACT_SECTION = frozenset(CONTACT_FIELDS)
ACCESS_SECTION = frozenset(ACCESS_FIELDS)
# Duplicate rows of one phone are told apart by everything but the yes/no flags (rule 10).
PHONE_IDENTITY = tuple(k for k in PHONE_FIELDS if COLUMN[k].kind is not Kind.BOOLEAN)
_NUMBER_AT = PHONE_IDENTITY.index("phone_number")
# The most digits a phone number may have: the length of the shared phone's key.
PHONE_DIGITS = cast(int, Phone._meta.get_field("digits").max_length)
# An address is the same address whatever its type and priority.
ADDRESS_IDENTITY = tuple(k for k in ADDRESS_FIELDS if k not in ("address_type", "address_priority"))
# The values the planner sets as they are on the address and on the link's detail record.
ADDRESS_VALUES = tuple(
    k
    for k in ADDRESS_FIELDS
    if k not in ("address_assoc_id", "street", "address_type", "address_priority")
)
DETAIL_VALUES = tuple(
    k
    for k in STUDENT_FIELDS
    if COLUMN[k].model is StudentContactDetail and COLUMN[k].kind is not Kind.ID
)
_MISSING = object()


@dataclass(slots=True)
class EmailPart:
    assoc_id: int | None
    address: str | Marker | None
    email_type: int | Marker | None
    is_primary: bool | None


@dataclass(slots=True)
class PhonePart:
    assoc_id: int | None
    number: str | Marker | None
    digits: str
    extension: str | Marker | None
    phone_type: int | Marker | None
    priority: int | None
    is_sms: bool | None
    is_preferred: bool | None
    identity: tuple[str, ...]  # every written value except the flags, the number as digits


@dataclass(slots=True)
class AddressPart:
    assoc_id: int | None
    street: str | Marker | None
    values: dict[str, Any]  # by column key, set on the address as they are
    address_type: int | Marker | None
    priority: int | None
    identity: str  # every written value except type and priority
    written_type: str
    written_priority: str


@dataclass(slots=True)
class StudentPart:
    assoc_id: int | None
    student_number: str | Marker | None
    original_type: str | Marker | None
    priority: int | None
    detail_id: int | Marker | None
    detail: dict[str, Any]  # by column key, set on the detail record as they are
    start: datetime.date | None  # the written range, for the overlap rule (blank = open)
    end: datetime.date | None
    written: str


NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(slots=True)
class ParsedRow:
    """One data row's typed values; ``errors`` holds the row's own problems."""

    number: int
    key: tuple[str, str]
    label: str
    errors: list[str]
    # The contact's and the account's values; rows without any share one empty mapping.
    contact: Mapping[str, Any]
    account: Mapping[str, Any]
    email: EmailPart | None = None
    phone: PhonePart | None = None
    address: AddressPart | None = None
    student: StudentPart | None = None


class RowValidator:
    """Turns rows into ``ParsedRow``; remembers answers for values it has seen before.

    Districts' files repeat the same codes, booleans and dates on thousands of rows and an
    email-validator call costs about 50 µs, so every distinct value is checked only once.
    """

    def __init__(self, columns: ColumnMap, codes: CodeBook) -> None:
        present = [COLUMN[name] for name in FIELDS if name in columns]
        # How each column is read, decided once: its values remembered (a dict of its own),
        # taken as plain text up to a length, or parsed each time.
        self.columns: list[tuple[str, dict[str, Any] | None, int, Column]] = [
            (column.key, {} if column.kind in REPEATING else None, _plain_limit(column), column)
            for column in present
        ]
        self._caches = {name: cache for name, cache, _, _ in self.columns if cache is not None}
        self.pick = _picker([columns.positions[column.key] for column in present])
        self.codes = codes
        self._code_cache: dict[tuple[str, str], int | str] = {}
        self._email_cache: dict[str, str | None] = {}
        self._keys = columns
        self._remembered = [
            (columns.positions[column.key], cache, column)
            for _, cache, _, column in self.columns
            if cache is not None
        ]

    def group_of(self, number: int, cells: list[str]) -> tuple[tuple[str, str], str]:
        """The row's group key and label from its ``ID`` and ``Identifier`` alone, as
        ``parse`` gives them: the engine's first pass over a big file. The pass also learns
        every spelling of the remembered columns, so a message in the first slice quotes a
        value as the whole file writes it (``spelling``)."""
        for position, cache, column in self._remembered:
            text = cells[position].strip()
            if text and text not in cache:
                self._remember(cache, column, text)
        raw = {name: text for name in ("id", "identifier") if (text := self._keys.get(cells, name))}
        values: dict[str, Any] = {}
        if "id" in raw:
            with suppress(ValueProblem):  # ``parse`` names the problem
                values["id"] = self._value(COLUMN["id"], raw["id"])
        return self._group_key(raw, values, number)

    def parse(self, number: int, cells: list[str]) -> ParsedRow:
        raw: dict[str, str] = {}
        values: dict[str, Any] = {}
        errors: list[str] = []
        picked = self.pick(cells)
        for (name, cache, limit, column), text in compress(
            zip(self.columns, picked, strict=True), picked
        ):
            if not (text := text.strip()):
                continue
            raw[name] = text
            if cache is not None:
                found = cache.get(text, _MISSING)
                if found is _MISSING:
                    found = self._remember(cache, column, text)
                if isinstance(found, ValueProblem):
                    errors.append(f"{column.header} {quoted(text)}: {found}")
                else:
                    values[name] = found
                continue
            if limit and text[0] != "#":
                if len(text) > limit:
                    errors.append(
                        f"{column.header} {quoted(text)}: is longer than {limit} characters"
                    )
                else:
                    values[name] = text
                continue
            try:
                values[name] = self._value(column, text)
            except ValueProblem as problem:
                errors.append(f"{column.header} {quoted(text)}: {problem}")
        key, label = self._group_key(raw, values, number)
        names = raw.keys()
        contact = account = NOTHING
        if given := CONTACT_SECTION.intersection(names):
            contact = {name: values[name] for name in given if name in values}
        if given := ACCESS_SECTION.intersection(names):
            account = {name: values[name] for name in given if name in values}
        row = ParsedRow(number, key, label, errors, contact, account)
        if not names.isdisjoint(EMAIL_FIELDS):
            row.email = self._email(raw, values, errors)
        if not names.isdisjoint(PHONE_FIELDS):
            row.phone = self._phone(raw, values, errors)
        if not names.isdisjoint(ADDRESS_FIELDS):
            row.address = self._address(raw, values, errors)
        if not names.isdisjoint(STUDENT_FIELDS):
            row.student = self._student(raw, values, errors)
        return row

    def _remember(self, cache: dict[str, Any], column: Column, text: str) -> Any:
        """The value of ``text`` (or its problem), remembered for the column's later rows."""
        try:
            found = cache[text] = self._value(column, text)
        except ValueProblem as problem:
            found = cache[text] = problem
        return found

    def spelling(self, name: str, value: Any) -> str | None:
        """How the file wrote ``value`` in column ``name``, if it wrote it one way only.

        Rows keep typed values, not their text (every cell's text would double an import's
        memory), but a message should quote the file: ``'N'``, not ``'false'``. The texts of a
        remembered column are few, so they are searched; a value the file spelt two ways, or
        did not write at all, gets ``None``.
        """
        cache = self._caches.get(name, {})
        found = [
            text for text, typed in cache.items() if type(typed) is type(value) and typed == value
        ]
        return found[0] if len(found) == 1 else None

    # -- cells to typed values -------------------------------------------------------------

    def _value(self, column: Column, text: str) -> Any:
        word = text.lower()
        if word == "#clear":
            if not column.clearable:
                if column.kind is Kind.BOOLEAN:
                    # Rule 6: a flag is one of the yes/no words; it has no empty value.
                    raise ValueProblem("a yes/no value cannot be cleared (use 0 or 1)")
                raise ValueProblem("this value is required and cannot be cleared")
            return CLEAR
        if word == "#delete":
            if not column.deletable:
                raise ValueProblem("#delete is not allowed in this column")
            return DELETE
        if word == "#new":
            if not column.new:
                raise ValueProblem(f"#new is only allowed in {NEW_ALLOWED}")
            return NEW
        limit = column.max_length
        if limit is not None and len(text) > limit:
            raise ValueProblem(f"is longer than {limit} characters")
        kind = column.kind
        if kind is Kind.BOOLEAN:
            return parse_bool(text)
        if kind is Kind.DATE:
            return parse_date(text)
        if kind is Kind.ID:
            return _whole_number(text)
        if kind is Kind.PRIORITY:
            value = _whole_number(text)
            if value < 1:
                raise ValueProblem("must be a positive whole number")
            return value
        if kind is Kind.CODE:
            return self._code(column, text)
        if kind is Kind.GEOCODE:
            return _geocode(column.key, text)
        if kind is Kind.EMAIL:
            return self._email_address(text)
        if kind is Kind.USERNAME:
            if not USERNAME.fullmatch(text):
                raise ValueProblem("may hold only letters, digits and @ . + - _")
            return text
        if kind is Kind.CHOICE:
            # OriginalContactType is the one column of choices.
            if word not in column.choices:
                raise ValueProblem(f"is not an original contact type ({', '.join(column.choices)})")
            return word
        return text

    def _code(self, column: Column, text: str) -> int:
        key = (column.key, text.lower())
        found = self._code_cache.get(key)
        if found is None:
            assert column.code_type is not None
            try:
                found = self.codes.match(column.code_type, text).pk
            except CodeProblem as problem:
                found = str(problem).replace(f"{text!r} ", "", 1)
            self._code_cache[key] = found
        if isinstance(found, str):
            raise ValueProblem(found)
        return found

    def _email_address(self, text: str) -> str:
        key = text.lower()
        if plainly_valid(key):
            return text
        if key not in self._email_cache:
            problem = email_problem(text)
            self._email_cache[key] = (
                None if problem is None else f"is not a valid email address ({problem})"
            )
        problem = self._email_cache[key]
        if problem is not None:
            raise ValueProblem(problem)
        return text

    # -- grouping key ----------------------------------------------------------------------

    @staticmethod
    def _group_key(
        raw: dict[str, str], values: dict[str, Any], number: int
    ) -> tuple[tuple[str, str], str]:
        """Rule 1: a row with an ID is keyed by it (the Identifier is ignored)."""
        if "id" in raw:
            value = values.get("id")
            return ("id", str(value) if isinstance(value, int) else raw["id"]), raw["id"]
        if "identifier" in raw:
            return ("identifier", raw["identifier"]), raw["identifier"]
        return ("row", str(number)), ""

    # -- sections --------------------------------------------------------------------------

    @staticmethod
    def _email(raw: dict[str, str], values: dict[str, Any], errors: list[str]) -> EmailPart:
        assoc = values.get("email_assoc_id")
        address = values.get("email_address")
        _check_named(raw, values, errors, "email_address", "email_assoc_id", "email")
        return EmailPart(
            assoc_id=assoc,
            address=address,
            email_type=values.get("email_type"),
            is_primary=values.get("email_is_primary"),
        )

    @staticmethod
    def _phone(raw: dict[str, str], values: dict[str, Any], errors: list[str]) -> PhonePart:
        assoc = values.get("phone_assoc_id")
        number = values.get("phone_number")
        digits = ""
        if isinstance(number, str):
            plain = number.translate(_PUNCTUATION)
            if plain.isdigit() and plain.isascii():
                digits = plain  # the usual case: digits and punctuation, no extension markup
            else:
                # Rule 9: extension markup typed into the number is dropped, as PowerSchool does.
                number = strip_extension(number)
                digits = phone_digits(number)
            if not digits:
                errors.append(f"PhoneNumber {raw['phone_number']!r}: has no digits")
            elif len(digits) > PHONE_DIGITS:
                errors.append(
                    f"PhoneNumber {raw['phone_number']!r}: has more than {PHONE_DIGITS} digits"
                )
        _check_named(raw, values, errors, "phone_number", "phone_assoc_id", "phone")
        identity = list(map(str.lower, map(raw.get, PHONE_IDENTITY, repeat(""))))
        # The same phone however it is punctuated.
        identity[_NUMBER_AT] = digits or identity[_NUMBER_AT]
        return PhonePart(
            assoc_id=assoc,
            number=number,
            digits=digits,
            extension=values.get("phone_extension"),
            phone_type=values.get("phone_type"),
            priority=values.get("phone_priority"),
            is_sms=values.get("phone_is_sms"),
            is_preferred=values.get("phone_is_preferred"),
            identity=tuple(identity),
        )

    @staticmethod
    def _address(raw: dict[str, str], values: dict[str, Any], errors: list[str]) -> AddressPart:
        assoc = values.get("address_assoc_id")
        street = values.get("street")
        _check_named(raw, values, errors, "street", "address_assoc_id", "address")
        _check_in_order(raw, values, errors, "address_start", "address_end")
        return AddressPart(
            assoc_id=assoc,
            street=street,
            values={name: values[name] for name in ADDRESS_VALUES if name in values},
            address_type=values.get("address_type"),
            priority=values.get("address_priority"),
            identity=_written(raw, ADDRESS_IDENTITY),
            written_type=raw.get("address_type", "").lower(),
            written_priority=raw.get("address_priority", ""),
        )

    @staticmethod
    def _student(raw: dict[str, str], values: dict[str, Any], errors: list[str]) -> StudentPart:
        assoc = values.get("student_assoc_id")
        number = values.get("student_number")
        _check_named(raw, values, errors, "student_number", "student_assoc_id", "link")
        _check_in_order(raw, values, errors, "relationship_start", "relationship_end")
        start, end = values.get("relationship_start"), values.get("relationship_end")
        return StudentPart(
            assoc_id=assoc,
            student_number=number,
            original_type=values.get("original_contact_type"),
            priority=values.get("contact_priority"),
            detail_id=values.get("detail_id"),
            detail={name: values[name] for name in DETAIL_VALUES if name in values},
            start=start if isinstance(start, datetime.date) else None,
            end=end if isinstance(end, datetime.date) else None,
            written=_written(raw, STUDENT_FIELDS),
        )


def _check_named(
    raw: dict[str, str],
    values: dict[str, Any],
    errors: list[str],
    column: str,
    assoc_column: str,
    record: str,
) -> None:
    """A group's main column is required unless its association id names the record, and
    '#delete' needs that id: it says which record to delete."""
    value = values.get(column)
    if value is None and column not in raw and values.get(assoc_column) is None:
        errors.append(COLUMN[column].required_message())
    if value is DELETE and assoc_column not in raw:
        errors.append(
            f"{COLUMN[column].header} '#delete' needs the {COLUMN[assoc_column].header} "
            f"of the {record} to delete"
        )


def _check_in_order(
    raw: dict[str, str], values: dict[str, Any], errors: list[str], start: str, end: str
) -> None:
    """A dated record cannot end before it starts."""
    first, last = values.get(start), values.get(end)
    if isinstance(first, datetime.date) and isinstance(last, datetime.date) and first > last:
        errors.append(
            f"{COLUMN[start].header} {raw[start]!r} is after {COLUMN[end].header} {raw[end]!r}"
        )


_PUNCTUATION = str.maketrans("", "", "()-. +/")


def _plain_limit(column: Column) -> int:
    """The length limit of a column taken as plain text (text without a length is any length
    an id can be); 0 for every other column."""
    if column.kind is not Kind.TEXT:
        return 0
    return column.max_length or LARGEST_ID


def _picker(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A row's cells at ``positions`` in one C-level call: most of a row's cells are blank,
    and skipping them in C instead of testing each in Python saves a tenth of validation."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda cells: tuple(cells[i] for i in positions)


def _written(raw: dict[str, str], names: tuple[str, ...]) -> str:
    """A section's values as written (ignoring case), for telling duplicates apart."""
    return "\x1f".join(map(raw.get, names, repeat(""))).lower()


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueProblem("is not a whole number") from None
    if not 0 < value < LARGEST_ID:
        raise ValueProblem("is not a valid id" if value > 0 else "must be a positive whole number")
    return value


def _geocode(name: str, text: str) -> Decimal:
    """Rule 7: any latitude in [-90, 90] and longitude in [-180, 180], to six places."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueProblem("is not a decimal number") from None
    limit = 90 if name == "latitude" else 180
    if not value.is_finite() or not -limit <= value <= limit:
        raise ValueProblem(f"must be between -{limit} and {limit}")
    return value.quantize(Decimal("0.000001"))
