"""AutoCreate asked for each contact's own language: a parent who reads Spanish gets the
district's Spanish template of the kind chosen, through a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Run, SMTPInbox
from tests.provisioning.helpers import guardian, student
from tutela.core.audit import command_line_user
from tutela.people.models import Contact
from tutela.people.services import ServiceError, set_preferred_language
from tutela.provisioning.models import AutoCreateJob

pytestmark = pytest.mark.django_db


def test_a_contact_s_language_drives_autocreate_s_email(
    tutela: Callable[..., Run], smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    ann = student("1001", first_name="Ann", last_name="Lopez")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    guardian("Paul", "Lopez", "paul@example.org", students=(ann,), relationship="Father")
    set_preferred_language(actor=command_line_user(), contact=maria, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        run = tutela(
            "autocreate",
            "--email-template",
            "Account created (English)",
            "--language",
            "contact",
        )
    assert run.code == 0, run.err
    messages = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert messages["maria@example.org"]["Subject"] == (
        "Su cuenta del portal para padres de Grand Bend ISD"
    )
    assert "Su nombre de usuario: maria@example.org" in smtp_server.text_of(
        messages["maria@example.org"]
    )
    assert messages["paul@example.org"]["Subject"] == "Your Grand Bend ISD parent portal account"
    assert AutoCreateJob.objects.get().email_language == "contact"


def test_without_contact_the_chosen_template_goes_to_everyone(
    tutela: Callable[..., Run], smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    ann = student("1001", first_name="Ann", last_name="Lopez")
    maria = guardian("Maria", "Lopez", "maria@example.org", students=(ann,))
    set_preferred_language(actor=command_line_user(), contact=maria, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        assert tutela("autocreate", "--email-template", "Account created (English)").code == 0
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Your Grand Bend ISD parent portal account"


def test_a_preferred_language_is_english_by_default_and_only_english_or_spanish() -> None:
    contact = guardian("Maria", "Lopez")
    assert contact.preferred_language == "en"
    set_preferred_language(actor=command_line_user(), contact=contact, language=" ES ")
    assert Contact.objects.get(pk=contact.pk).preferred_language == "es"
    with pytest.raises(ServiceError, match="unknown language 'fr': use one of en, es"):
        set_preferred_language(actor=command_line_user(), contact=contact, language="fr")
