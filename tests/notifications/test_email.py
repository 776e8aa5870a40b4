"""One mail path: every message, shipped or district-edited, rendered from one vocabulary and
sent only once the change behind it has committed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from django.db import transaction

from tutela.notifications import email
from tutela.notifications.email import render_email, send_email
from tutela.notifications.vocabulary import PLACEHOLDERS, EmailContext
from tutela.provisioning.models import EmailTemplate

pytestmark = pytest.mark.django_db

SHIPPED = Path(email.__file__).parent / "templates" / "notifications" / "email"
VOCABULARY = set(get_type_hints(EmailContext))


def shipped_names() -> list[str]:
    return sorted({path.name.split(".")[0].removesuffix("_subject") for path in SHIPPED.iterdir()})


@pytest.mark.parametrize("name", shipped_names())
def test_a_shipped_message_has_its_three_parts_and_speaks_the_vocabulary(name: str) -> None:
    parts = [SHIPPED / f"{name}_subject.txt", SHIPPED / f"{name}.txt", SHIPPED / f"{name}.html"]
    used, local = set(), set()
    for part in parts:
        text = part.read_text(encoding="utf-8")
        used |= set(re.findall(r"\{\{\s*(\w+)", text))
        used |= set(re.findall(r"\{%\s*if\s+(\w+)", text))
        # A translated sentence names a formatted value (``with expires=link_expires_at|date``)
        # and a translated date format (``as day_format``) for itself: those are the template's
        # own names, and the value they come from must be the vocabulary's.
        bound = re.findall(r"\bwith\s+(\w+)=(\w+)", text)
        local |= {name for name, _ in bound} | set(re.findall(r"\bas\s+(\w+)\s*%\}", text))
        used |= {source for _, source in bound}
    assert used and used - local <= VOCABULARY


def test_a_district_template_may_use_only_words_of_the_vocabulary() -> None:
    assert set(PLACEHOLDERS) <= VOCABULARY


def test_plain_text_and_subjects_are_not_html_escaped() -> None:
    subject, text, html = render_email(
        "new_guardian", {"student_first_name": "D'Arcy", "school_name": "Hill & Dale School"}
    )
    assert subject == "A new parent account was linked to D'Arcy"
    assert "D'Arcy" in text and "Hill & Dale School" in text
    assert "D&#x27;Arcy" in html and "Hill &amp; Dale School" in html


def test_shipped_and_stored_messages_get_the_district_and_the_portal_address(settings: Any) -> None:
    settings.TUTELA_DISTRICT_NAME = "Grand Bend ISD"
    settings.TUTELA_BASE_URL = "https://portal.example.org"
    stored = EmailTemplate(
        name="x",
        kind=EmailTemplate.Kind.STUDENT_ADDED,
        subject="{{ district_name }}",
        body_text="{{ portal_url }} {{ school_name }}",
    )
    subject, text, _html = render_email(stored, {"school_name": "not a placeholder"})
    assert subject == "Grand Bend ISD"
    # A stored template fills only the placeholders a district may use.
    assert text == "https://portal.example.org/portal/ {{ school_name }}"
    assert render_email("already_registered", {}).subject == (
        "Your Grand Bend ISD parent portal account"
    )


def test_an_email_goes_out_only_once_its_change_has_committed(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            send_email(to="rolled@example.org", template="already_registered", context={})
            raise RuntimeError("the change fails")
        with transaction.atomic():
            send_email(to="kept@example.org", template="already_registered", context={})
            assert mailoutbox == []
    assert [message.to for message in mailoutbox] == [["kept@example.org"]]


def test_a_robust_send_logs_the_template_and_never_the_address(
    monkeypatch: pytest.MonkeyPatch, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def down() -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(email, "get_connection", down)
    with django_capture_on_commit_callbacks(execute=True):
        send_email(to="who@example.org", template="link_decided", context={}, robust=True)
    assert "could not send the link_decided email" in caplog.text
    assert "who@example.org" not in caplog.text
