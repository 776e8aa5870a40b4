"""Reads for the AutoCreate screens, scoped by who is asking.

AutoCreate works across the district, so only district admins (``Scope.is_district_admin``) run
it, see its jobs and edit its email templates; any other account is refused before anything is
read.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tutela.accounts.scopes import Actor, Scope
from tutela.people.models import Contact
from tutela.provisioning.models import AutoCreateJob, EmailTemplate


def jobs_visible_to(*, actor: Actor) -> QuerySet[AutoCreateJob]:
    if not Scope.of(actor).is_district_admin:
        return AutoCreateJob.objects.none()
    return AutoCreateJob.objects.defer("plan_csv_gz").select_related(
        "created_template", "attached_template"
    )


def templates_visible_to(*, actor: Actor) -> QuerySet[EmailTemplate]:
    if not Scope.of(actor).is_district_admin:
        return EmailTemplate.objects.none()
    return EmailTemplate.objects.all()


def preview_recipient(*, actor: Actor, contact_id: int | None) -> Contact | None:
    """A real contact to preview a template with: the one asked for, else the first contact
    that has an email and a student."""
    if not Scope.of(actor).is_district_admin:
        return None
    contacts = Contact.objects.filter(student_links__isnull=False, emails__isnull=False)
    if contact_id is not None:
        return Contact.objects.filter(pk=contact_id).first()
    return contacts.order_by("id").first()
