"""The staff's one search box: contacts by name, email or phone, and by their students' numbers
and names; students by number or name. Always within the asking actor's ``Scope``.

What staff type is read as every kind of thing it could be, and a contact matches when any
reading finds it:

- **words** (``hana hill``): each word is part of the contact's first or last name, or each
  word is part of the first or last name of one of the contact's students in scope;
- **an email or part of one** (a single word): part of one of the contact's addresses;
- **a phone number in any punctuation** (``(200) 555-0101``, ``200.555.0101``,
  ``+1 200 555 0101``): its digits are part of the digits-only form every phone is stored with
  (``Phone.digits``), a leading North American ``1`` being optional;
- **a student number** (a single word): the start of the number of one of the contact's
  students in scope.

Each reading is one subquery over one table, and the contact matches if its id is in any of
them: no join fans a contact out into rows to de-duplicate, so the database answers from one
pass over each table (see docs/performance.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tutela.accounts.scopes import Actor, Scope
from tutela.core.phones import phone_digits
from tutela.people.models import Contact, ContactEmail, ContactPhone, Student, StudentContact

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


def _every_word_in_names(words: tuple[str, ...]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return condition


def _students_matching(scope: Scope, query: Query) -> QuerySet[Student]:
    by_name = _every_word_in_names(query.words)
    if len(query.token) >= MIN_TOKEN:
        by_name |= Q(student_number__istartswith=query.token)
    return scope.students().filter(by_name)


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
    found = _every_word_in_names(query.words)
    students = _students_matching(scope, query)
    found |= Q(pk__in=StudentContact.objects.filter(student__in=students).values("contact_id"))
    if len(query.token) >= MIN_TOKEN:
        emails = ContactEmail.objects.filter(address__icontains=query.token)
        found |= Q(pk__in=emails.values("contact_id"))
    if query.phone_digits:
        any_digits = Q()
        for digits in query.phone_digits:
            any_digits |= Q(phone__digits__contains=digits)
        found |= Q(pk__in=ContactPhone.objects.filter(any_digits).values("contact_id"))
    return scope.contacts().filter(found)
