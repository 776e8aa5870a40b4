"""Email syntax (no DNS look-up): ordinary addresses by a strict pattern, the rest by the library.

email-validator is thorough but costs 50 to 100 µs an address, and a district's files and
AutoCreate runs hold hundreds of thousands of ordinary ASCII addresses, which the pattern here
accepts in about a microsecond. It never says yes where the library would say no (special-use
domains such as ``.test`` or ``.local`` included): anything unusual goes to the library.
"""

from __future__ import annotations

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

_PLAIN_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_PLAIN_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_ENDINGS = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def plainly_valid(address: str) -> bool:
    """A fast yes for an ordinary lower-case ASCII address; ``False`` means "ask the library"."""
    local, at, domain = address.rpartition("@")
    if not at or len(address) > 254 or len(local) > 64 or len(domain) > 253:
        return False
    if not _PLAIN_LOCAL.fullmatch(local) or not _PLAIN_DOMAIN.fullmatch(domain):
        return False
    if max(map(len, domain.split("."))) > 63:
        return False
    return domain.rsplit(".", 1)[-1] not in _SPECIAL_USE and not domain.endswith(
        _SPECIAL_USE_ENDINGS
    )


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a valid email address (the library's words), or ``None``."""
    if plainly_valid(address.lower()):
        return None
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None
