"""Linking a parent's account to a student with a right code: data access at once, or a wait in
the restricted-student queue; Add Child; and telling the student's other guardians.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tutela.accesscodes.models import AccessCode, AttemptPurpose, PendingLink, PendingStatus
from tutela.accesscodes.services.redemption import NOT_CURRENT, CodeNotAccepted, redeem_code
from tutela.accounts.models import Account
from tutela.accounts.scopes import Actor
from tutela.accounts.selectors import link_visible_to
from tutela.core.audit import audited
from tutela.notifications.email import compose_email, deliver
from tutela.people.details import covers
from tutela.people.models import Student, StudentContact, StudentContactDetail
from tutela.people.services import ServiceError, link_student

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkOutcome:
    """What a right code led to: a link with data access, or a wait in the restricted queue."""

    student: Student
    link: StudentContact | None = None
    pending: PendingLink | None = None

    @property
    def is_pending(self) -> bool:
        return self.pending is not None


def student_is_restricted(student: Student) -> bool:
    return StudentContact.objects.filter(student=student, restricted=True).exists()


def _relationship() -> str | None:
    """The district's default relationship for a registered parent, if it is a known code."""
    from tutela.people.codesets import CodeBook, CodeProblem
    from tutela.people.models import CodeType

    wanted = settings.ACCESS_CODE_RELATIONSHIP.strip()
    if not wanted:
        return None
    try:
        CodeBook.load().match(CodeType.RELATIONSHIP_TYPE, wanted)
    except CodeProblem:
        logger.warning(
            "TUTELA_ACCESS_CODE_RELATIONSHIP %r is not a RelationshipType code; linking "
            "without a relationship",
            wanted,
        )
        return None
    return wanted


def grant_link(*, actor: Actor, account: Account, student: Student) -> StudentContact:
    """Link the account's contact to the student with data access, or grant it on a link."""
    contact = account.contact
    if contact is None:
        raise ServiceError("only a parent's account can be linked to a student")
    link = StudentContact.objects.filter(student=student, contact=contact).first()
    if link is None:
        link = link_student(
            actor=actor,
            contact=contact,
            student=student,
            relationship_type=_relationship(),
            allow_data_access=True,
        )
    else:
        today = datetime.date.today()
        detail = link.active_detail(today)
        if detail is None:
            StudentContactDetail.objects.create(link=link, allow_data_access=True)
        elif not covers(detail, today):
            # No grant is in force (the last one ended, or the next has not begun): the code
            # starts one today, keeping the recorded relationship, up to the next one if any.
            StudentContactDetail.objects.create(
                link=link,
                start_date=today,
                end_date=(
                    detail.start_date - datetime.timedelta(days=1)
                    if detail.start_date and detail.start_date > today
                    else None
                ),
                relationship_type_id=detail.relationship_type_id,
                allow_data_access=True,
            )
        elif not detail.allow_data_access:
            detail.allow_data_access = True
            detail.save(update_fields=["allow_data_access"])
    transaction.on_commit(lambda: notify_other_guardians(student=student, new_account=account))
    return link


def link_or_queue(*, actor: Actor, account: Account, code: AccessCode) -> LinkOutcome:
    student = code.student
    if student_is_restricted(student):
        pending, _ = PendingLink.objects.get_or_create(
            student=student,
            contact=account.contact,
            status=PendingStatus.PENDING,
            defaults={"account": account, "access_code": code},
        )
        return LinkOutcome(student=student, pending=pending)
    return LinkOutcome(
        student=student, link=grant_link(actor=actor, account=account, student=student)
    )


def still_usable(code: AccessCode) -> AccessCode:
    """The code again, locked: a reset or another guardian's single use since it was checked
    wins (two parents racing for one single-use code cannot both have it)."""
    locked = (
        AccessCode.objects.select_for_update()
        .select_related("student", "student__school")
        .get(pk=code.pk)
    )
    if not locked.is_usable(timezone.now()):
        raise CodeNotAccepted(NOT_CURRENT)
    return locked


def consume_if_single_use(code: AccessCode, account: Account) -> None:
    if not settings.ACCESS_CODE_SINGLE_USE:
        return
    now = timezone.now()
    code.used_at = now
    code.used_by = account
    code.revoked_at = now
    code.save(update_fields=["used_at", "used_by", "revoked_at"])


def has_data_access(*, account: Account, student: Student) -> bool:
    """Whether the portal already shows ``student`` to ``account`` (the portal's own rule)."""
    if getattr(account, "contact", None) is None:
        return False
    return link_visible_to(account=account, student_id=student.pk) is not None


def add_child(*, actor: Account, entry: str, remote_address: str | None) -> LinkOutcome:
    """A signed-in parent adds another student to their account with that student's code."""
    if getattr(actor, "contact", None) is None:
        raise ServiceError("only a parent's account can add a child")
    code = redeem_code(
        entry=entry,
        purpose=AttemptPurpose.ADD_CHILD,
        remote_address=remote_address,
        account=actor,
    )
    if has_data_access(account=actor, student=code.student):
        raise ServiceError(
            _("%(name)s is already on your account.") % {"name": code.student.first_name}
        )
    with audited(actor), transaction.atomic():
        code = still_usable(code)
        outcome = link_or_queue(actor=actor, account=actor, code=code)
        consume_if_single_use(code, actor)
        return outcome


def notify_other_guardians(*, student: Student, new_account: Account) -> int:
    """Email each other guardian who sees the student in the portal that someone new linked.

    The message names only the student (whom they already see) and the district: nothing
    about the new account's person, who may belong to another household. A guardian whose own
    link is restricted (a court order) is not told: the school decides what they learn.
    """
    links = (
        StudentContact.objects.filter(
            student=student, contact__account__is_active=True, restricted=False
        )
        .exclude(contact__account=new_account)
        .select_related("contact__account")
        .prefetch_related("details")
    )
    sent = 0
    today = datetime.date.today()
    for link in links:
        account = link.contact.account
        # Only a guardian whom the portal shows the student today is told about it.
        if not account.email or not link.grants_access(today):
            continue
        message = compose_email(
            to=account.email,
            template="new_guardian",
            context={"student_first_name": student.first_name, "school_name": str(student.school)},
            language=link.contact.preferred_language,
        )
        sent += deliver([message], robust=True)
    return sent
