"""Reading contacts and their students, always through the asking actor's ``Scope``.

A school's staff find the contacts linked to their students; whether they may also *name* or
change a contact whose children are elsewhere too is ``Scope.covers_contact``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from tutela.accounts.scopes import Actor, Scope
from tutela.core.phones import phone_digits, strip_extension
from tutela.people.models import Contact, Student, StudentContact, StudentContactDetail


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


def links_granting_access(
    today: datetime.date | None = None, *, among: QuerySet[StudentContact] | None = None
) -> QuerySet[StudentContact]:
    """The links that let their contact see the student today: not restricted, and the
    detail in force allows data access. What the portal shows, what emails and letters may
    name, what leaves for learning systems.

    The set-based form of ``StudentContact.grants_access``, for counting across a district.
    It asks for *a* detail in force today allowing access; that is the active one as long as
    a link's dated details do not overlap, which the contacts import refuses.

    ``among`` narrows it to some links (a page's students or parents): their details alone are
    read, where SQLite would otherwise list every granting detail of the district first.
    """
    in_force = granting_details(today or datetime.date.today())
    links = StudentContact.objects.all()
    if among is not None:
        links, in_force = among, in_force.filter(link__in=among)
    return links.filter(pk__in=in_force.values("link_id"), restricted=False)


def granting_details(day: datetime.date) -> QuerySet[StudentContactDetail]:
    """The detail records in force on ``day`` that allow data access."""
    return StudentContactDetail.objects.filter(
        Q(start_date__isnull=True) | Q(start_date__lte=day),
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        allow_data_access=True,
    )


def students_to_attach(*, actor: Actor, query: str, limit: int = 50) -> list[Student]:
    """Add Students' search: by student number (exact) or name, among the students whose
    contacts ``actor`` may change (the schools it covers wholly, ``require_school_of``)."""
    words = query.split()
    if not words:
        return []
    students = Scope.of(actor).school_students().select_related("school")
    by_number = students.filter(student_number=query.strip())
    if by_number.exists():
        return list(by_number)
    for word in words:
        students = students.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return list(students.order_by("last_name", "first_name", "student_number")[:limit])


@dataclass(frozen=True)
class Duplicates:
    """Contacts a new one may be the same person as: those the actor may open, and how many
    others (another school's families stay unnamed)."""

    named: list[Contact]
    unnamed: int


def duplicate_contacts(*, actor: Actor, last_name: str, email: str, phone: str) -> Duplicates:
    """Who a new contact may already be: the same email, or the same phone and last name."""
    match = Q(pk__in=[])
    if email.strip():
        match |= Q(emails__address__iexact=email.strip())
    digits = phone_digits(strip_extension(phone))
    if digits and last_name.strip():
        match |= Q(phones__phone__digits=digits, last_name__iexact=last_name.strip())
    candidates = set(Contact.objects.filter(match).values_list("pk", flat=True))
    if not candidates:
        return Duplicates(named=[], unnamed=0)
    named = list(with_students(Scope.of(actor).contacts().filter(pk__in=candidates)).order_by("pk"))
    return Duplicates(named=named, unnamed=len(candidates) - len(named))


def student_visible_to(*, actor: Actor, student_id: int) -> Student | None:
    """One student ``actor`` may open on the staff screens, with its contacts loaded."""
    return (
        Scope.of(actor)
        .students()
        .select_related("school")
        .prefetch_related(
            Prefetch(
                "contact_links",
                queryset=StudentContact.objects.select_related("contact__account").prefetch_related(
                    "details__relationship_type", "contact__emails"
                ),
            )
        )
        .filter(pk=student_id)
        .first()
    )
