"""The words every Tutela email is written with: one context vocabulary for every message.

Shipped messages (Django templates under ``notifications/templates/notifications/email/``) and
the district's stored templates (``{{ placeholder }}`` text a district admin edits) draw on the
same names, so a value means the same thing in every message and a new message, a letter or a
translation reuses them instead of inventing its own. ``docs/emails.md`` lists them for authors.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import TypedDict

from django.utils.html import escape


class EmailContext(TypedDict, total=False):
    """The values a message may use; each message fills the ones it needs.

    ``district_name`` and ``portal_url`` are added to every message by ``render_email``.
    """

    district_name: str
    portal_url: str
    parent_name: str  # the name the message greets the parent by
    username: str  # the parent portal account's username
    students: str  # the names of the students concerned, comma-separated
    student_first_name: str  # the one student a message is about
    school_name: str  # the school to ask for help
    activation_link: str  # opens the page to choose a first password
    password_reset_link: str  # opens the page to choose a new password
    registration_link: str  # finishes a self-registration with an access code
    email_change_link: str  # confirms a new account email
    new_email: str  # the account email a parent asked to change to
    link_expires_at: datetime.datetime  # when the message's link stops working
    link_valid_hours: int  # how long the message's link works, in hours
    approved: bool  # whether the school approved a restricted student's link


# The names a district's stored template may use, with what each holds (shown on the edit
# screen). A district may have edited its templates: these names never change without a data
# migration that rewrites the stored text.
PLACEHOLDERS: dict[str, str] = {
    "parent_name": "the parent's name",
    "username": "the account's username",
    "students": "the names of the students (comma-separated)",
    "activation_link": "the link to choose a password (account created emails only)",
    "district_name": "the district's name",
    "portal_url": "the address of the parent portal",
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")


def placeholders_in(text: str) -> list[str]:
    """The ``{{ placeholder }}`` names ``text`` uses, in order."""
    return _PLACEHOLDER.findall(text)


def fill_placeholders(text: str, values: Mapping[str, object], *, html: bool = False) -> str:
    """``text`` with each known placeholder replaced (HTML-escaped in HTML); others kept as
    typed, so a stand-in the message does not fill stays visible rather than vanishing."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return str(escape(values[name])) if html else str(values[name])

    return _PLACEHOLDER.sub(value, text)
