"""AutoCreate's emails: activation for each created account, "new student" for each attached.

One email per parent (not per student line), rendered from the district's templates. Raw
activation tokens exist only in memory between issuing (in the run's transaction, stored as
SHA-256 hashes like every access token) and sending (after the run commits).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks, urlize

from tutela.accounts.models import AccessToken, Account, TokenPurpose
from tutela.accounts.services import hash_token
from tutela.core.bulk import insert_rows
from tutela.people.models import Contact
from tutela.provisioning.models import EmailTemplate
from tutela.provisioning.plan import ATTACH, CHUNK, CREATE, AutoCreatePlan

PLACEHOLDERS = {
    "parent_name": "the parent's name",
    "username": "the account's username",
    "students": "the names of the students (comma-separated)",
    "activation_link": "the link to choose a password (account created emails only)",
    "district_name": "the district's name",
    "portal_url": "the address of the parent portal",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
SEND_BATCH = 500


@dataclass(frozen=True)
class EmailChoice:
    """Which templates a run sends; either may be left out."""

    created: EmailTemplate | None = None
    attached: EmailTemplate | None = None

    def __bool__(self) -> bool:
        return self.created is not None or self.attached is not None


def template_problems(template: EmailTemplate) -> list[str]:
    """Unknown placeholders, and an activation template with no activation link."""
    problems = []
    for part, text in (
        ("subject", template.subject),
        ("text body", template.body_text),
        ("HTML body", template.body_html),
    ):
        for name in _PLACEHOLDER.findall(text):
            if name not in PLACEHOLDERS:
                problems.append(f"the {part} uses an unknown placeholder {{{{ {name} }}}}")
            elif name == "activation_link" and template.kind != EmailTemplate.Kind.ACCOUNT_CREATED:
                problems.append(
                    f"the {part} uses {{{{ activation_link }}}}, which only "
                    "account created emails have"
                )
    if template.kind == EmailTemplate.Kind.ACCOUNT_CREATED and "activation_link" not in set(
        _PLACEHOLDER.findall(template.body_text)
    ):
        problems.append("an account created email must give {{ activation_link }} in its text body")
    return problems


def _fill(text: str, values: Mapping[str, str], *, html: bool = False) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return str(escape(values[name])) if html else values[name]

    return _PLACEHOLDER.sub(value, text)


def render_template(template: EmailTemplate, values: Mapping[str, str]) -> tuple[str, str, str]:
    """Subject, text body and HTML body with the placeholders filled in (HTML-escaped in HTML).

    With no HTML body of its own, the HTML part is the text body, escaped, in paragraphs,
    with its links made clickable.
    """
    subject = " ".join(_fill(template.subject, values).split())
    text = _fill(template.body_text, values)
    if template.body_html.strip():
        html = _fill(template.body_html, values, html=True)
    else:
        html = str(linebreaks(urlize(text, autoescape=True)))
    return subject, text, html


def portal_url() -> str:
    return settings.TUTELA_BASE_URL + reverse("portal:home")


def activation_url(raw_token: str) -> str:
    return settings.TUTELA_BASE_URL + reverse("accounts:activate", kwargs={"token": raw_token})


def base_values(*, parent_name: str, username: str, students: Sequence[str]) -> dict[str, str]:
    return {
        "parent_name": parent_name,
        "username": username,
        "students": ", ".join(students),
        "district_name": settings.TUTELA_DISTRICT_NAME,
        "portal_url": portal_url(),
    }


def prepare_emails(plan: AutoCreatePlan, choice: EmailChoice) -> list[EmailMultiAlternatives]:
    """Render the run's emails, issuing activation tokens in bulk for the created accounts.

    Called inside the run's transaction, so a rolled-back run leaves no tokens behind.
    """
    students_of: dict[int, list[str]] = {}
    created_contacts = {new.contact for new in plan.new_accounts}
    for line in plan.report.lines:
        if line.action in (CREATE, ATTACH) and line.contact is not None:
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

    full_names: dict[int, str] = {}
    for line in plan.report.lines:
        if line.contact is not None:
            full_names.setdefault(line.contact, line.contact_name)
    messages = []
    for account_id, contact_id, username, email, first_name in sorted(accounts):
        if not email:
            continue  # an existing account with no account email: nowhere to write
        values = base_values(
            parent_name=full_names.get(contact_id) or first_name or username,
            username=username,
            students=students_of[contact_id],
        )
        if contact_id in created_contacts:
            assert choice.created is not None
            template = choice.created
            values["activation_link"] = activation_url(tokens[account_id])
        else:
            assert choice.attached is not None
            template = choice.attached
        subject, text, html = render_template(template, values)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def deliver(messages: Sequence[EmailMultiAlternatives]) -> int:
    """Send over one connection per batch; returns how many the mail server accepted."""
    sent = 0
    for start in range(0, len(messages), SEND_BATCH):
        with get_connection() as mail:
            sent += mail.send_messages(list(messages[start : start + SEND_BATCH])) or 0
    return sent


def preview_values(contact: Contact) -> dict[str, str]:
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
    values = base_values(
        parent_name=str(contact),
        username=account.username if account else email,
        students=students,
    )
    values["activation_link"] = activation_url("PREVIEW-NOT-A-REAL-LINK")
    return values
