"""The shape of an access code: how one is drawn, written and read back from a person's typing.

A code is 12 symbols of Crockford's base 32 (digits and letters without ``I``, ``L``, ``O``,
``U``), so 60 bits from ``secrets``: far beyond guessing within any rate limit. It is written
``XXXX-XXXX-XXXX`` like the codes districts already hand out, and stored without the dashes.
People copy codes from paper, so entry ignores case, dashes and spaces and reads the letters
that look like digits (``O`` as ``0``, ``I`` and ``L`` as ``1``) as those digits.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
BITS = 60  # 12 symbols of 5 bits

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", "- \t\u00a0\u2010\u2011\u2012\u2013\u2014")
_ALLOWED = frozenset(ALPHABET)


def new_code() -> str:
    """A fresh code in stored form (12 symbols, no dashes), from a cryptographic source.

    60 random bits, read five at a time: each symbol is uniform over the 32, with one call to
    the operating system's random source per code (districts issue codes by the hundred
    thousand).
    """
    value = secrets.randbits(BITS)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(LENGTH))


def format_code(stored: str) -> str:
    """``ABCD2345WXYZ`` → ``ABCD-2345-WXYZ``, the form printed on letters and in exports."""
    return "-".join(stored[i : i + GROUP] for i in range(0, len(stored), GROUP))


def normalise_entry(text: str) -> str | None:
    """What a person typed, in stored form; ``None`` when it cannot be a code at all."""
    cleaned = text.translate(_IGNORED).upper().translate(_LOOK_ALIKES)
    if len(cleaned) != LENGTH or not set(cleaned) <= _ALLOWED:
        return None
    return cleaned
