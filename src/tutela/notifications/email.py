"""Sending Tutela's emails: one template set per message, in text and HTML.

Mail goes through Django's email framework, so the transport is a setting: the console in
development, SMTP when ``EMAIL_HOST`` is set, the in-memory outbox in tests. A message named
``NAME`` is made of ``notifications/email/NAME_subject.txt``, ``NAME.txt`` and ``NAME.html``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The subject, text body and HTML body of message ``name``."""
    context = {"district_name": settings.TUTELA_DISTRICT_NAME, **context}
    base = f"notifications/email/{name}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    return (
        subject,
        render_to_string(f"{base}.txt", context),
        render_to_string(f"{base}.html", context),
    )


def send_email(*, to: str, name: str, context: dict[str, Any]) -> None:
    """Send message ``name`` to one address now."""
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def send_email_on_commit(
    *, to: str, name: str, context: dict[str, Any], robust: bool = False
) -> None:
    """Send once the surrounding transaction commits, so a rolled-back change sends nothing.

    With ``robust`` a failure to send is logged instead of raised, for answers that must not
    differ with whether an email went out (a password reset must not reveal an account).
    """
    transaction.on_commit(lambda: send_email(to=to, name=name, context=context), robust=robust)
