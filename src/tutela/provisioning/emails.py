"""AutoCreate's emails: activation for each created account, "new student" for each attached.

One email per parent (not per student line), rendered from the district's templates through
``notifications.email`` like every other message. Raw
activation tokens exist only in memory between issuing (in the run's transaction, stored as
SHA-256 hashes like every access token) and sending (after the run commits).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tutela.accounts.models import AccessToken, Account, TokenPurpose
from tutela.accounts.services import hash_token
from tutela.core.bulk import insert_rows
from tutela.notifications.email import Email, compose_email
from tutela.notifications.vocabulary import EmailContext
from tutela.people.models import CONTACT_LANGUAGE, Contact
from tutela.provisioning.models import EmailTemplate
from tutela.provisioning.plan import ATTACH, CHUNK, CREATE, AutoCreateReport


@dataclass(frozen=True)
class EmailChoice:
    """Which templates a run sends (either may be left out), and in which language: ``""`` for
    the templates as chosen, ``en`` or ``es`` for everyone, ``contact`` for each parent's own."""

    created: EmailTemplate | None = None
    attached: EmailTemplate | None = None
    language: str = ""

    def __bool__(self) -> bool:
        return self.created is not None or self.attached is not None


def in_language(template: EmailTemplate, language: str) -> EmailTemplate:
    """The district's template of ``template``'s kind in ``language``: ``template`` itself when
    it is in that language, else the first by name; ``template`` when there is none."""
    if not language or template.language == language:
        return template
    return (
        EmailTemplate.objects.filter(kind=template.kind, language=language).order_by("name").first()
        or template
    )


def _languages(choice: EmailChoice, contacts: list[int]) -> dict[int, str]:
    """The language of each recipient's email under ``choice`` (``""``: the template's own)."""
    if choice.language != CONTACT_LANGUAGE:
        return dict.fromkeys(contacts, choice.language)
    languages: dict[int, str] = {}
    for start in range(0, len(contacts), CHUNK):
        languages.update(
            Contact.objects.filter(pk__in=contacts[start : start + CHUNK]).values_list(
                "pk", "preferred_language"
            )
        )
    return languages


def activation_url(raw_token: str) -> str:
    return settings.TUTELA_BASE_URL + reverse("accounts:activate", kwargs={"token": raw_token})


def recipient_context(*, parent_name: str, username: str, students: Sequence[str]) -> EmailContext:
    return {"parent_name": parent_name, "username": username, "students": ", ".join(students)}


def prepare_emails(report: AutoCreateReport, choice: EmailChoice) -> list[Email]:
    """Render the run's emails, issuing activation tokens in bulk for the created accounts.

    Called inside the run's transaction, so a rolled-back run leaves no tokens behind.
    """
    students_of: dict[int, list[str]] = {}
    created_contacts: set[int] = set()
    full_names: dict[int, str] = {}
    for line in report.lines:
        if line.contact is None:
            continue
        full_names.setdefault(line.contact, line.contact_name)
        if line.action == CREATE:
            created_contacts.add(line.contact)
        if line.action in (CREATE, ATTACH):
            students_of.setdefault(line.contact, []).append(line.student_name)
    wanted = [
        c
        for c in students_of
        if (c in created_contacts and choice.created)
        or (c not in created_contacts and choice.attached)
    ]
    accounts: list[tuple[int, int, str, str, str]] = []
    for start in range(0, len(wanted), CHUNK):
        accounts.extend(
            Account.objects.filter(contact_id__in=wanted[start : start + CHUNK]).values_list(
                "id", "contact_id", "username", "email", "first_name"
            )
        )
    expires = timezone.now() + datetime.timedelta(days=settings.TUTELA_ACTIVATION_DAYS)
    tokens: dict[int, str] = {}
    rows = []
    for account_id, contact_id, _, email, _ in accounts:
        if contact_id in created_contacts and email:
            raw = secrets.token_urlsafe(32)
            tokens[account_id] = raw
            rows.append((account_id, TokenPurpose.ACTIVATION.value, hash_token(raw), expires))
    # Not the big-load upkeep: dropping the tokens' foreign key would lock the accounts table,
    # and so every sign-in, until the run commits.
    insert_rows(
        AccessToken,
        ("account_id", "purpose", "token_hash", "expires_at"),
        rows,
        may_drop_indexes=False,
    )

    languages = _languages(choice, [contact_id for _, contact_id, _, _, _ in accounts])
    versions: dict[tuple[int, str], EmailTemplate] = {}

    def version(template: EmailTemplate, language: str) -> EmailTemplate:
        key = (template.pk, language)
        if key not in versions:
            versions[key] = in_language(template, language)
        return versions[key]

    messages = []
    for account_id, contact_id, username, email, first_name in sorted(accounts):
        if not email:
            continue  # an existing account with no account email: nowhere to write
        context = recipient_context(
            parent_name=full_names.get(contact_id) or first_name or username,
            username=username,
            students=students_of[contact_id],
        )
        if contact_id in created_contacts:
            assert choice.created is not None
            template = choice.created
            context["activation_link"] = activation_url(tokens[account_id])
        else:
            assert choice.attached is not None
            template = choice.attached
        template = version(template, languages.get(contact_id, ""))
        messages.append(compose_email(to=email, template=template, context=context))
    return messages


def preview_context(contact: Contact) -> EmailContext:
    """A real recipient's values for a template preview; the link is a stand-in, not a token."""
    account = Account.objects.filter(contact=contact).first()
    email = (
        contact.emails.order_by("-is_primary", "order").values_list("address", flat=True).first()
        or ""
    )
    students = [
        f"{link.student.first_name} {link.student.last_name}"
        for link in contact.student_links.select_related("student").order_by("student__last_name")
    ]
    context = recipient_context(
        parent_name=str(contact),
        username=account.username if account else email,
        students=students,
    )
    context["activation_link"] = activation_url("PREVIEW-NOT-A-REAL-LINK")
    return context
