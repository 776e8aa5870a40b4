"""Reading the audit trail for the district admin's audit screen and its CSV export.

Filters: a student (the student, its links, their detail records and restrictions, its
dependent or consent records and hand-over), a contact (the contact, its links and their
details and restrictions, its emails, phones and addresses, its portal account), an actor (a
username, or the command line's user as the entry's additional data names it), a date range
and a kind (which sort of record changed). District-wide: only district admins read it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from tutela.accounts.models import Account
from tutela.core.audit import ACTOR_KEY
from tutela.people.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    LinkRestriction,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.privacy.models import MajorityException, MajorityHandover

# The kinds the screen offers: (value, label, model).
KINDS: list[tuple[str, str, type[Model]]] = [
    ("student", "Students", Student),
    ("contact", "Contacts", Contact),
    ("link", "Student links", StudentContact),
    ("detail", "Link details", StudentContactDetail),
    ("restriction", "Restrictions", LinkRestriction),
    ("email", "Contact emails", ContactEmail),
    ("phone", "Contact phones", ContactPhone),
    ("address", "Contact addresses", ContactAddress),
    ("account", "Accounts", Account),
    ("majority-exception", "Dependent and consent records", MajorityException),
    ("handover", "Age-18 hand-overs", MajorityHandover),
]
KIND_MODELS = {value: model for value, _, model in KINDS}


@dataclass(frozen=True)
class AuditFilter:
    student_number: str = ""
    contact_id: int | None = None
    actor: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    kind: str = ""


def _objects(model: type[Model], pks: Iterable[object]) -> Q:
    content_type = ContentType.objects.get_for_model(model)
    return Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])


def _of_student(student_number: str) -> Q:
    student_ids = list(
        Student.objects.filter(student_number=student_number).values_list("pk", flat=True)
    )
    links = list(
        StudentContact.objects.filter(student_id__in=student_ids).values_list("pk", flat=True)
    )
    return (
        _objects(Student, student_ids)
        | _objects(StudentContact, links)
        | _objects(
            StudentContactDetail,
            StudentContactDetail.objects.filter(link_id__in=links).values_list("pk", flat=True),
        )
        | _objects(
            LinkRestriction,
            LinkRestriction.objects.filter(link_id__in=links).values_list("pk", flat=True),
        )
        | _objects(
            MajorityException,
            MajorityException.objects.filter(student_id__in=student_ids).values_list(
                "pk", flat=True
            ),
        )
        | _objects(
            MajorityHandover,
            MajorityHandover.objects.filter(student_id__in=student_ids).values_list(
                "pk", flat=True
            ),
        )
    )


def _of_contact(contact_id: int) -> Q:
    links = list(StudentContact.objects.filter(contact_id=contact_id).values_list("pk", flat=True))
    where = (
        _objects(Contact, [contact_id])
        | _objects(StudentContact, links)
        | _objects(
            StudentContactDetail,
            StudentContactDetail.objects.filter(link_id__in=links).values_list("pk", flat=True),
        )
        | _objects(
            LinkRestriction,
            LinkRestriction.objects.filter(link_id__in=links).values_list("pk", flat=True),
        )
        | _objects(
            Account, Account.objects.filter(contact_id=contact_id).values_list("pk", flat=True)
        )
    )
    for model in (ContactEmail, ContactPhone, ContactAddress):
        rows = model.objects.filter(contact_id=contact_id).values_list("pk", flat=True)
        where |= _objects(model, rows)
    return where


def audit_entries(chosen: AuditFilter) -> QuerySet[LogEntry]:
    """The audit entries ``chosen`` selects, newest first. The caller is a district admin."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if chosen.student_number:
        entries = entries.filter(_of_student(chosen.student_number))
    if chosen.contact_id is not None:
        entries = entries.filter(_of_contact(chosen.contact_id))
    if chosen.actor:
        entries = entries.filter(
            Q(actor__username__iexact=chosen.actor)
            | Q(**{f"additional_data__{ACTOR_KEY}__icontains": chosen.actor})
        )
    if chosen.since:
        entries = entries.filter(timestamp__date__gte=chosen.since)
    if chosen.until:
        entries = entries.filter(timestamp__date__lte=chosen.until)
    if chosen.kind in KIND_MODELS:
        entries = entries.filter(
            content_type=ContentType.objects.get_for_model(KIND_MODELS[chosen.kind])
        )
    return entries


def actor_of(entry: LogEntry) -> str:
    """Who made the change: the account, else the command line's user, else "system"."""
    if entry.actor is not None:
        return str(entry.actor.get_username())
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return str(data.get(ACTOR_KEY) or "system")


def kind_of(entry: LogEntry) -> str:
    model = entry.content_type.model_class() if entry.content_type else None
    return next((label for _, label, kind in KINDS if kind is model), str(entry.content_type))


def changes_text(entry: LogEntry) -> str:
    """The entry's changes as ``field: before → after``; a many-to-many change as recorded."""
    parts = []
    for name, change in (entry.changes_dict or {}).items():
        if isinstance(change, (list, tuple)) and len(change) == 2:
            parts.append(f"{name}: {change[0]} → {change[1]}")
        else:
            parts.append(f"{name}: {change}")
    return "; ".join(parts)


CSV_HEADER = ["Entry", "When", "Actor", "Kind", "Object", "Object ID", "Action", "Changes"]


def csv_row(entry: LogEntry) -> list[object]:
    return [
        entry.pk,
        entry.timestamp.isoformat(),
        actor_of(entry),
        kind_of(entry),
        entry.object_repr,
        entry.object_pk,
        entry.get_action_display(),
        changes_text(entry),
    ]
