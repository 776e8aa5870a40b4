"""Parsing of the text values found in districts' files: booleans, dates and usernames.

Each parser raises ``ValueProblem`` with a message fit to show a district admin; callers add
the row, the field and the value as written (the message does not repeat it).
"""

from __future__ import annotations

import datetime
import re

# What an account's username may hold (Django's username validator): every import that names
# a username checks it on the row, so a bad one is a row error and not a failed save.
USERNAME = re.compile(r"[\w.@+-]+")

# Ids are 64-bit integers in the database: a larger number in a file is a row error, never an
# overflow in the middle of a write.
LARGEST_ID = 2**62


class ValueProblem(ValueError):
    """A cell whose text cannot be understood as the type its column needs."""


TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n"})


def parse_bool(text: str) -> bool:
    """PowerSchool's boolean words, any case; anything else is an error."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueProblem("is not a yes/no value (use 1, true, t, yes, y or 0, false, f, no, n)")


_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")


def parse_date(text: str) -> datetime.date:
    """``m/d/yyyy`` or ``m/d/yy``; two-digit years pivot as Python's ``%y`` does (69-99 → 19xx)."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueProblem("is not a date in mm/dd/yyyy or mm/dd/yy form")
    month, day, year_text = match.groups()
    if len(year_text) == 2:
        year = datetime.datetime.strptime(year_text, "%y").year
    else:
        year = int(year_text)
    try:
        return datetime.date(year, int(month), int(day))
    except ValueError:
        raise ValueProblem("is not a real date") from None


QUOTED_LENGTH = 60


def quoted(text: str) -> str:
    """A cell's text in a message, quoted; a long one cut short, so a 200,000-character cell
    makes a readable message and not a wall of text."""
    if len(text) > QUOTED_LENGTH:
        text = text[: QUOTED_LENGTH - 1] + "…"
    return repr(text)


def file_date(value: datetime.date) -> str:
    """A date in a message, as districts' files write it: ``m/d/yyyy``."""
    return f"{value.month}/{value.day}/{value.year}"


def format_date(value: datetime.date | None) -> str | None:
    """Dates leave the system as ISO ``YYYY-MM-DD``."""
    return value.isoformat() if value else None
