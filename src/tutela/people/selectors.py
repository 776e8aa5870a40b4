"""Reading contacts and their students, always through the asking actor's ``Scope``.

A school's staff find the contacts linked to their students; whether they may also *name* or
change a contact whose children are elsewhere too is ``Scope.covers_contact``.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet

from tutela.accounts.scopes import Actor, Scope
from tutela.people.models import Contact, StudentContact, StudentContactDetail


def with_students(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Contacts with their links, students and detail records loaded in a few queries."""
    return contacts.prefetch_related(
        "emails",
        Prefetch(
            "student_links",
            queryset=StudentContact.objects.select_related("student__school").prefetch_related(
                "details__relationship_type"
            ),
        ),
    ).select_related("account")


def contacts_visible_to(*, actor: Actor) -> QuerySet[Contact]:
    """The contacts ``actor`` may open, with their students loaded."""
    return with_students(Scope.of(actor).contacts())


def contacts_with_email(*, actor: Actor, address: str) -> QuerySet[Contact]:
    """The contacts listing ``address`` that ``actor`` may name: those wholly in its scope.

    Used to show staff who already owns an email; a contact with a child the actor cannot see
    stays unnamed, since naming them would tell another school's family who they are.
    """
    contacts = Scope.of(actor).whole_contacts().filter(emails__address__iexact=address.strip())
    return with_students(contacts.distinct())


def links_granting_access(today: datetime.date | None = None) -> QuerySet[StudentContact]:
    """The links whose detail in force today allows data access: what the portal shows.

    The set-based form of ``StudentContact.grants_access``, for counting across a district.
    It asks for *a* detail in force today allowing access; that is the active one as long as
    a link's dated details do not overlap, which the contacts import refuses.
    """
    day = today or datetime.date.today()
    in_force = StudentContactDetail.objects.filter(
        Q(start_date__isnull=True) | Q(start_date__lte=day),
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        allow_data_access=True,
    )
    return StudentContact.objects.filter(pk__in=in_force.values("link_id"))
