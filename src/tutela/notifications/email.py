"""Rendering and sending every Tutela email: one path for shipped and district-edited messages.

A shipped message ``NAME`` is made of ``notifications/email/NAME_subject.txt``, ``NAME.txt`` and
``NAME.html`` (Django templates); a district's stored template (an AutoCreate email) is text with
``{{ placeholder }}`` names. Both are filled from one ``EmailContext`` (``vocabulary.py``), with
the district's name and the portal's address added, and leave here as the same kind of message.

Mail goes through Django's email framework, so the transport is a setting: the console in
development, SMTP when ``EMAIL_HOST`` is set, the in-memory outbox in tests. Services send with
``send_email``, which waits for the surrounding transaction to commit: a rolled-back change
sends nothing, and nobody is told of a change that did not happen.

A shipped message is written in its recipient's language (``recipient_language``: a parent's
contact's preferred language) when the sender knows the recipient, else in the language of the
page that sent it (a registering visitor's); its texts are in the Spanish catalogue like every
page's. A district's stored template is chosen in its language by AutoCreate itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks, urlize

from tutela.notifications.vocabulary import PLACEHOLDERS, EmailContext, fill_placeholders

logger = logging.getLogger(__name__)

SEND_BATCH = 500


class StoredTemplate(Protocol):
    """A district-edited message: subject, text body and an optional HTML body."""

    name: str
    subject: str
    body_text: str
    body_html: str


class RenderedEmail(NamedTuple):
    subject: str
    text: str
    html: str


class Email(EmailMultiAlternatives):
    """A message ready to send, knowing the template it came from: logs name the template,
    never the recipient or the text (which may hold a link with a token)."""

    def __init__(self, rendered: RenderedEmail, *, to: str, template_name: str) -> None:
        super().__init__(rendered.subject, rendered.text, settings.DEFAULT_FROM_EMAIL, [to])
        self.attach_alternative(rendered.html, "text/html")
        self.template_name = template_name


def portal_url() -> str:
    return settings.TUTELA_BASE_URL + reverse("portal:home")


def _shipped(name: str, context: EmailContext) -> RenderedEmail:
    """A shipped message; subject and text are plain text, so nothing in them is escaped."""
    base = f"notifications/email/{name}"
    engine = Engine.get_default()

    def plain(template: str) -> str:
        return engine.get_template(template).render(Context(dict(context), autoescape=False))

    return RenderedEmail(
        subject=" ".join(plain(f"{base}_subject.txt").split()),
        text=plain(f"{base}.txt"),
        html=render_to_string(f"{base}.html", dict(context)),
    )


def _stored(template: StoredTemplate, context: EmailContext) -> RenderedEmail:
    """A district's template: only its placeholders are filled (HTML-escaped in HTML).

    With no HTML body of its own, the HTML part is the text body, escaped, in paragraphs,
    with its links made clickable.
    """
    values = {name: value for name, value in context.items() if name in PLACEHOLDERS}
    text = fill_placeholders(template.body_text, values)
    if template.body_html.strip():
        html = fill_placeholders(template.body_html, values, html=True)
    else:
        html = str(linebreaks(urlize(text, autoescape=True)))
    return RenderedEmail(
        subject=" ".join(fill_placeholders(template.subject, values).split()),
        text=text,
        html=html,
    )


def recipient_language(account: object) -> str:
    """The language of a message to ``account``: its contact's preferred language (English
    until someone says otherwise); staff, whose screens are English for now, read English."""
    contact = getattr(account, "contact", None)
    return str(contact.preferred_language) if contact is not None else settings.LANGUAGE_CODE


def render_email(
    template: str | StoredTemplate, context: EmailContext, *, language: str | None = None
) -> RenderedEmail:
    """The subject, text body and HTML body of a shipped message (by name) or a stored one;
    a shipped one in ``language``, or in the active language when none is given."""
    full: EmailContext = {
        "district_name": settings.TUTELA_DISTRICT_NAME,
        "portal_url": portal_url(),
        **context,
    }
    if not isinstance(template, str):
        return _stored(template, full)
    with translation.override(language or translation.get_language()):
        return _shipped(template, full)


def compose_email(
    *,
    to: str,
    template: str | StoredTemplate,
    context: EmailContext,
    language: str | None = None,
) -> Email:
    """One message to one address (recipients never see each other), text with an HTML part."""
    name = template if isinstance(template, str) else template.name
    return Email(render_email(template, context, language=language), to=to, template_name=name)


def deliver(messages: Sequence[Email], *, robust: bool = False) -> int:
    """Send now, over one connection per batch; how many the mail server accepted.

    With ``robust`` a failure is logged (without the addresses) instead of raised, for
    courtesy messages after a change that must stand whether or not the mail server is up.
    """
    sent = 0
    for start in range(0, len(messages), SEND_BATCH):
        batch = list(messages[start : start + SEND_BATCH])
        try:
            # A backend opens one connection for the batch it is given, and closes it after.
            sent += get_connection().send_messages(batch) or 0
        except Exception:
            if not robust:
                raise
            logger.exception("could not send the %s email", batch[0].template_name)
    return sent


def send_email(
    *,
    to: str,
    template: str | StoredTemplate,
    context: EmailContext,
    robust: bool = False,
    language: str | None = None,
) -> None:
    """Render now and send once the surrounding transaction commits (at once outside one).

    With ``robust`` a failure to send is logged instead of raised, for answers that must not
    differ with whether an email went out (a password reset must not reveal an account).
    """
    message = compose_email(to=to, template=template, context=context, language=language)
    transaction.on_commit(lambda: deliver([message], robust=robust))
