"""The staff's one search box: contacts by name, email or phone, and by their students' numbers
and names; students by number or name. Always within the asking actor's ``Scope``.

What staff type is read as every kind of thing it could be, and a contact matches when any
reading finds it:

- **words** (``hana hill``, ``han hil``): each word starts the contact's first or last name,
  or each word starts the first or last name of one of the contact's students in scope;
- **an email or its start** (a single word): the start of one of the contact's addresses;
- **a phone number in any punctuation** (``(200) 555-0101``, ``200.555.0101``,
  ``+1 200 555 0101``): its digits start the digits-only form every phone is stored with
  (``Phone.digits``), a leading North American ``1`` being optional;
- **a student number or its start** (a single word): of one of the contact's students in scope.

"Starts with", as PowerSchool's own search matches, any case. Each reading is an index range
on one table (the lower-cased names and addresses, the phone digits, the student numbers:
see the indexes in ``people/models.py``), and a contact matches if its id is in any of them,
so a search reads a few index entries instead of the whole district (docs/performance.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from tutela.accounts.scopes import Actor, Scope
from tutela.core.phones import phone_digits
from tutela.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Phone,
    Student,
    StudentContact,
)

# A phone number as people type it: digits with spaces, brackets, dashes, dots, slashes, "+".
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
# Fewer digits than this would match a large part of the district's numbers.
MIN_PHONE_DIGITS = 4
# An email fragment or a student number shorter than this is too common to mean anything.
MIN_TOKEN = 2


@dataclass(frozen=True)
class Query:
    """What one search text could mean."""

    words: tuple[str, ...]
    token: str  # the whole text when it is one word, else ""
    phone_digits: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        words = tuple(text.split())
        token = words[0] if len(words) == 1 else ""
        digits: tuple[str, ...] = ()
        if _PHONE_LIKE.match(text.strip()):
            found = phone_digits(text)
            if len(found) >= MIN_PHONE_DIGITS:
                # +1 (the North American country code) is rarely stored with the number.
                digits = (found, found[1:]) if len(found) == 11 and found[0] == "1" else (found,)
        return cls(words=words, token=token, phone_digits=digits)

    @property
    def empty(self) -> bool:
        return not self.words


def _starts(expression: Any, text: str) -> Q:
    """``expression`` starts with ``text``, written as a range (``>= text`` and below the
    next string after every one that starts with it), which a B-tree index on the expression
    answers on SQLite and PostgreSQL alike; a ``LIKE 'text%'`` would scan the table on one or
    the other."""
    after = text[:-1] + chr(ord(text[-1]) + 1)
    return Q(GreaterThanOrEqual(expression, text)) & Q(LessThan(expression, after))


def _every_word_starts_a_name(words: tuple[str, ...]) -> Q:
    condition = Q()
    for word in words:
        lowered = word.lower()
        condition &= _starts(Lower("first_name"), lowered) | _starts(Lower("last_name"), lowered)
    return condition


def _students_matching(scope: Scope, query: Query) -> QuerySet[Student]:
    found = _every_word_starts_a_name(query.words)
    if len(query.token) >= MIN_TOKEN:
        for number in {query.token, query.token.upper()}:
            found |= _starts(F("student_number"), number)
    return scope.students_within(Student.objects.filter(found))


def search_students(*, actor: Actor, text: str) -> QuerySet[Student]:
    """Students in ``actor``'s scope whose number starts with the text or whose names hold
    every word of it; none for an empty text."""
    query = Query.parse(text)
    if query.empty:
        return Student.objects.none()
    return _students_matching(Scope.of(actor), query).select_related("school")


def search_contacts(*, actor: Actor, text: str) -> QuerySet[Contact]:
    """Contacts in ``actor``'s scope that any reading of the text finds (module docstring);
    none for an empty text. Unordered and unsliced: the caller sorts and pages."""
    query = Query.parse(text)
    if query.empty:
        return Contact.objects.none()
    scope = Scope.of(actor)
    # Every reading is "id IN (one index range)", so the database can take each from its
    # index and combine them; one reading written on the contacts table itself would have it
    # scan every contact instead.
    found = Q(pk__in=Contact.objects.filter(_every_word_starts_a_name(query.words)).values("pk"))
    students = _students_matching(scope, query)
    found |= Q(pk__in=StudentContact.objects.filter(student__in=students).values("contact_id"))
    if len(query.token) >= MIN_TOKEN:
        emails = ContactEmail.objects.filter(_starts(Lower("address"), query.token.lower()))
        found |= Q(pk__in=emails.values("contact_id"))
    if query.phone_digits:
        phones = Q()
        for digits in query.phone_digits:
            phones |= _starts(F("digits"), digits)
        uses = ContactPhone.objects.filter(phone__in=Phone.objects.filter(phones).values("pk"))
        found |= Q(pk__in=uses.values("contact_id"))
    return scope.contacts_within(Contact.objects.filter(found))
