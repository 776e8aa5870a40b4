"""What every staff screen needs: a contact in the actor's scope, and which students it shows."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.people.models import Contact
from tutela.people.selectors import contacts_visible_to


def visible_contact(account: Account, contact_id: int) -> Contact:
    """The contact ``account`` may open, or 404 (another school's family is not confirmed)."""
    contact: Contact = get_object_or_404(contacts_visible_to(actor=account), pk=contact_id)
    return contact


def students_seen(account: Account, *contacts: Contact) -> set[int]:
    """Which of these contacts' students ``account`` may see, in one query."""
    return Scope.of(account).students_among(
        link.student_id for contact in contacts for link in contact.student_links.all()
    )


def with_students(contact: Contact, seen: set[int]) -> dict[str, Any]:
    """A contact with its students in scope, and how many others it has, as pages show them.

    A contact in a school's scope may also be linked to children at other schools (a
    sibling): those children are another school's records, so school staff are only told how
    many there are (``hidden``).
    """
    links = list(contact.student_links.all())
    return {
        "contact": contact,
        "links": [
            {"link": link, "student": link.student, "detail": link.active_detail()}
            for link in links
            if link.student_id in seen
        ],
        "hidden": sum(link.student_id not in seen for link in links),
    }
