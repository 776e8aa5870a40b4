"""The restricted-student queue: a school admin approves or denies a code's link to a student
with a restricted guardian link (a court order, a custody note); either decision emails the
parent.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tutela.accesscodes.models import PendingLink, PendingStatus
from tutela.accesscodes.services.linking import grant_link
from tutela.accounts.scopes import Actor
from tutela.core.audit import account_of, audited
from tutela.notifications.email import recipient_language, send_email
from tutela.people.models import StudentContact
from tutela.people.services import ServiceError


def _decide(pending: PendingLink, *, actor: Actor, status: PendingStatus, note: str) -> None:
    if pending.status != PendingStatus.PENDING:
        raise ServiceError("this request has already been decided")
    pending.status = status
    pending.decided_at = timezone.now()
    pending.decided_by = account_of(actor)
    pending.decision_note = note
    pending.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])


def approve_link(*, actor: Actor, pending: PendingLink, note: str = "") -> StudentContact:
    """A school admin lets a restricted student's link go ahead."""
    with audited(actor), transaction.atomic():
        pending = PendingLink.objects.select_for_update().get(pk=pending.pk)
        if StudentContact.objects.filter(
            student=pending.student, contact=pending.contact, restricted=True
        ).exists():
            # The parent asking is the one a court order cuts off: a code cannot undo it.
            raise ServiceError(
                "this parent's own link to the student is restricted: lift the restriction "
                "on the contact's card first, with a note"
            )
        _decide(pending, actor=actor, status=PendingStatus.APPROVED, note=note)
        link = grant_link(actor=actor, account=pending.account, student=pending.student)
        if pending.account.email:
            send_email(
                to=pending.account.email,
                template="link_decided",
                context={"approved": True, "student_first_name": pending.student.first_name},
                robust=True,
                language=recipient_language(pending.account),
            )
        return link


def deny_link(*, actor: Actor, pending: PendingLink, note: str = "") -> None:
    """A school admin refuses a restricted student's link; the parent is told to call."""
    with audited(actor), transaction.atomic():
        pending = PendingLink.objects.select_for_update().get(pk=pending.pk)
        _decide(pending, actor=actor, status=PendingStatus.DENIED, note=note)
        if pending.account.email:
            send_email(
                to=pending.account.email,
                template="link_decided",
                context={"approved": False, "school_name": str(pending.student.school)},
                robust=True,
                language=recipient_language(pending.account),
            )
