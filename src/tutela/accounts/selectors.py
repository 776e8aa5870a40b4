"""What a signed-in parent may read: the students the district granted them, nothing else.

Every portal page (and any later API) fetches students through these functions, never by an id
from the request alone. A student is visible when the parent's contact is linked to it and the
link grants access (``StudentContact.grants_access``): it is not restricted (a court order or
custody note cuts the parent off at once, on the next request of an open session) and its
*active* detail record (``people.details.pick_active_detail``) is in force today and allows
data access. The active-detail rule falls back to the latest detail when none covers
today; for access that fallback is not enough: a grant that has ended, or not yet begun, is none.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet

from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import ACTOR_KEY
from tutela.core.prepared import PreparedQuery
from tutela.people.details import granting_detail
from tutela.people.models import Student, StudentContact, StudentContactDetail
from tutela.people.selectors import links_granting_access

# Every detail record of a contact's student links, with the link, the student and its school:
# what every portal page reads first.
_CONTACT_DETAILS = PreparedQuery(
    lambda contact_id: StudentContactDetail.objects.filter(
        link__contact_id=contact_id
    ).select_related("link__student__school", "relationship_type"),
    int,
)


def granted_details(
    *, account: Account, today: datetime.date | None = None
) -> list[StudentContactDetail]:
    """The detail granting each of the account's student links that lets it see a student
    today, with its link, student and school: one query, as every portal page asks."""
    if not account.is_active or account.contact_id is None:
        return []
    day = today or datetime.date.today()
    by_link: dict[int, list[StudentContactDetail]] = defaultdict(list)
    for record in _CONTACT_DETAILS(account.contact_id):
        by_link[record.link_id].append(record)
    granting = (granting_detail(records, day) for records in by_link.values())
    return [detail for detail in granting if detail is not None and not detail.link.restricted]


def granted_links(*, account: Account, today: datetime.date | None = None) -> list[StudentContact]:
    """The account's student links whose active detail, in force today, allows data access."""
    return [detail.link for detail in granted_details(account=account, today=today)]


def students_visible_to(
    *, account: Account, today: datetime.date | None = None
) -> QuerySet[Student]:
    """The students this parent account may see; none for an account without a contact."""
    ids = [link.student_id for link in granted_links(account=account, today=today)]
    return (
        Student.objects.filter(pk__in=ids)
        .select_related("school")
        .order_by("last_name", "first_name", "student_number")
    )


def detail_visible_to(*, account: Account, student_id: int) -> StudentContactDetail | None:
    """The detail granting the parent's own link to one student, if that student is visible
    to them (its ``link`` is that link)."""
    for detail in granted_details(account=account):
        if detail.link.student_id == student_id:
            return detail
    return None


def link_visible_to(*, account: Account, student_id: int) -> StudentContact | None:
    """The parent's own link to one student, if that student is visible to them."""
    detail = detail_visible_to(account=account, student_id=student_id)
    return detail.link if detail is not None else None


def never_activated(*, actor: Actor) -> QuerySet[Account]:
    """Enabled parent accounts in ``actor``'s scope that have never signed in: the parent has
    not used the activation link (or the temporary password) yet."""
    return Account.objects.filter(
        contact__in=Scope.of(actor).contacts(), is_active=True, last_login__isnull=True
    )


def students_no_parent_can_see(*, actor: Actor) -> QuerySet[Student]:
    """Students in scope whom no parent can see in the portal: no link grants data access
    today to a contact with an enabled account."""
    seen = links_granting_access().filter(contact__account__is_active=True)
    return Scope.of(actor).students().exclude(pk__in=seen.values("student_id"))


def grants_without_account(*, actor: Actor) -> QuerySet[StudentContact]:
    """Links in scope that grant data access to a contact with no account: a parent the
    district means to see the student, who has no way in yet."""
    students = Scope.of(actor).students()
    return links_granting_access().filter(
        student__in=students.values("pk"), contact__account__isnull=True
    )


@dataclass(frozen=True)
class PortalViewer:
    """One account that sees a student in the portal, and why: the link and the detail that
    grant it, since when, and who granted it (from the audit log; a bulk import that wrote
    the grant without a row-by-row entry is named by its summary instead)."""

    account: Account
    link: StudentContact
    detail: StudentContactDetail
    granted_at: datetime.datetime | None
    granted_by: str


def _grant_record(detail: StudentContactDetail) -> tuple[datetime.datetime | None, str]:
    """When data access was last switched on for this detail, and by whom."""
    for entry in LogEntry.objects.get_for_object(detail).select_related("actor"):
        change = (entry.changes_dict or {}).get("allow_data_access")
        if change is not None and str(change[-1]) == "True":
            name = entry.actor.get_username() if entry.actor else ""
            name = name or (entry.additional_data or {}).get(ACTOR_KEY, "") or "not recorded"
            return entry.timestamp, name
    return None, "not recorded (written in bulk by an import)"


def portal_viewers(*, student: Student, today: datetime.date | None = None) -> list[PortalViewer]:
    """Every enabled account the portal shows ``student`` to, by the portal's own rule
    (``granted_links``), in the student's contact order. The caller checks the asker may see
    the student."""
    day = today or datetime.date.today()
    links = (
        StudentContact.objects.filter(student=student, contact__account__is_active=True)
        .select_related("contact__account")
        .prefetch_related("details__relationship_type")
        .order_by("contact_priority_order")
    )
    viewers = []
    for link in links:
        detail = link.active_detail(day)
        if detail is None or not link.grants_access(day):
            continue
        granted_at, granted_by = _grant_record(detail)
        viewers.append(
            PortalViewer(
                account=link.contact.account,
                link=link,
                detail=detail,
                granted_at=granted_at,
                granted_by=granted_by,
            )
        )
    return viewers


# --- what staff may read of parents' accounts (eSchoolPLUS's Logon IDs list) ---------------


def parent_accounts_visible_to(*, actor: Actor) -> QuerySet[Account]:
    """The parents' accounts ``actor`` may list: those of the contacts in its scope (linked to
    at least one of its students), with their contacts loaded."""
    scope = Scope.of(actor)
    accounts = Account.objects.filter(contact__isnull=False).select_related("contact")
    # Every contact is in a district-wide scope: no need to ask the database to check.
    return accounts if scope.district_wide else accounts.filter(contact__in=scope.contacts())


# An enabled account nobody has signed in to yet: the parent has not used the activation link
# (or the temporary password). The accounts list filters on it; the staff home counts them.
NEVER_ACTIVATED = Q(is_active=True, last_login__isnull=True)


def search_parent_accounts(
    accounts: QuerySet[Account], *, actor: Actor, query: str
) -> QuerySet[Account]:
    """Narrow ``accounts`` to those every word of ``query`` finds, by username, account email,
    contact name or the student number of one of the contact's children.

    A student number finds a parent only through a child in ``actor``'s scope: a sibling at
    another school is that school's record, and searching by it must not confirm the link.
    """
    students = Scope.of(actor).students()
    for word in query.split():
        parents_of = StudentContact.objects.filter(
            student__in=students.filter(student_number=word)
        ).values("contact_id")
        accounts = accounts.filter(
            Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(contact__first_name__icontains=word)
            | Q(contact__last_name__icontains=word)
            | Q(contact_id__in=parents_of)
        )
    return accounts
