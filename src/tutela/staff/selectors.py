"""What a staff member may read: the whole district for district admins, else their schools.

District admins are superusers or accounts with ``is_district_admin``. Other staff see the
students of the schools on their account and the contacts linked to those students.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from tutela.accounts.models import Account
from tutela.people.models import Contact, Student, StudentContact


def is_staff_member(account: Account) -> bool:
    return bool(account.is_authenticated and account.is_active and account.is_staff)


def is_district_wide(account: Account) -> bool:
    return bool(account.is_superuser or account.is_district_admin)


def students_in_scope(*, account: Account) -> QuerySet[Student]:
    """The students this staff member may see."""
    if not is_staff_member(account):
        return Student.objects.none()
    students = Student.objects.select_related("school")
    if is_district_wide(account):
        return students
    return students.filter(school__in=account.schools.all())


def school_ids_in_scope(*, account: Account) -> set[int] | None:
    """The schools whose students this staff member may see; ``None`` means every school."""
    if not is_staff_member(account):
        return set()
    if is_district_wide(account):
        return None
    return set(account.schools.values_list("pk", flat=True))


def contacts_in_scope(*, account: Account) -> QuerySet[Contact]:
    """The contacts linked to at least one student this staff member may see."""
    if not is_staff_member(account):
        return Contact.objects.none()
    if is_district_wide(account):
        return Contact.objects.all()
    ids = StudentContact.objects.filter(student__school__in=account.schools.all()).values(
        "contact_id"
    )
    return Contact.objects.filter(pk__in=ids)


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


def search_contacts(*, account: Account, query: str, limit: int = 100) -> list[Contact]:
    """The seed's "Contacts and Email" search: by name or email, each match with its students."""
    words = query.split()
    if not words:
        return []
    contacts = contacts_in_scope(account=account)
    if "@" in query:
        contacts = contacts.filter(emails__address__iexact=query.strip())
    else:
        for word in words:
            contacts = contacts.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(emails__address__icontains=word)
            )
    return list(
        with_students(contacts.distinct().order_by("last_name", "first_name", "id"))[:limit]
    )


def contacts_with_email(*, address: str) -> QuerySet[Contact]:
    """Every contact that lists ``address``: used to show staff who already owns an email."""
    return with_students(Contact.objects.filter(emails__address__iexact=address.strip()).distinct())
