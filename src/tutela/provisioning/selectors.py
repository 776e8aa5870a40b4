"""Reads for the AutoCreate screens, scoped by who is asking.

AutoCreate works across the district, so only district admins run it, see its jobs and edit
its email templates; any other account is refused before anything is read.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tutela.accounts.models import Account
from tutela.people.models import Contact
from tutela.provisioning.models import AutoCreateJob, EmailTemplate
from tutela.staff.selectors import is_district_wide, is_staff_member


def may_provision(account: Account) -> bool:
    return is_staff_member(account) and is_district_wide(account)


def jobs_visible_to(*, account: Account) -> QuerySet[AutoCreateJob]:
    if not may_provision(account):
        return AutoCreateJob.objects.none()
    return AutoCreateJob.objects.defer("plan_csv_gz").select_related(
        "created_template", "attached_template"
    )


def templates_visible_to(*, account: Account) -> QuerySet[EmailTemplate]:
    if not may_provision(account):
        return EmailTemplate.objects.none()
    return EmailTemplate.objects.all()


def preview_recipient(*, account: Account, contact_id: int | None) -> Contact | None:
    """A real contact to preview a template with: the one asked for, else the first contact
    that has an email and a student."""
    if not may_provision(account):
        return None
    contacts = Contact.objects.filter(student_links__isnull=False, emails__isnull=False)
    if contact_id is not None:
        return Contact.objects.filter(pk=contact_id).first()
    return contacts.order_by("id").first()
