"""Phone numbers as districts type them."""

from __future__ import annotations

import re

# "212-555-1234 x123", "ext. 123", "extension 123", "#123" at the end of a number.
_EXTENSION_MARKUP = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*\d*\s*$", re.IGNORECASE)
_NON_DIGITS = re.compile(r"\D")


def strip_extension(number: str) -> str:
    """Drop extension markup typed into the number itself, as PowerSchool does."""
    return _EXTENSION_MARKUP.sub("", number).strip()


def phone_digits(number: str) -> str:
    """The digits of a number: the key for telling whether two numbers are the same phone."""
    return _NON_DIGITS.sub("", number)
