"""Shipped messages speak their recipient's language: a parent's preferred one, or the page's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from tests.cast import Cast
from tests.factories import StudentFactory
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.services import issuing, registration
from tutela.accounts.services import create_account, resolve_reset_request, send_password_reset
from tutela.core.audit import command_line_user
from tutela.people.services import set_preferred_language

SPANISH_MONTHS = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)


def parts(message: Any) -> tuple[str, str, str]:
    assert isinstance(message, EmailMultiAlternatives)
    return str(message.subject), str(message.body), str(message.alternatives[0][0])


def test_a_spanish_reading_parent_s_activation_is_in_spanish_with_a_spanish_date(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    set_preferred_language(actor=command_line_user(), contact=cast.una_contact, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        create_account(actor=command_line_user(), contact=cast.una_contact, send_activation=True)
    subject, text, html = parts(mail.outbox[-1])
    assert "active su cuenta del portal para padres" in subject
    assert text.startswith("Hola, Una Unlinked:")
    assert "Su nombre de usuario:" in text and "/accounts/activate/" in text
    assert re.search(rf"vence el \d{{1,2}} de ({SPANISH_MONTHS}) de \d{{4}}", text)
    assert "Elija su contraseña" in html and "/accounts/activate/" in html
    assert "expires" not in text + html and "Hello" not in text + html


def test_a_password_reset_sent_by_the_worker_is_in_the_parent_s_language(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    set_preferred_language(actor=command_line_user(), contact=cast.hana_contact, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        send_password_reset(request=resolve_reset_request("hana.hill"))
    subject, text, _ = parts(mail.outbox[-1])
    assert "restablezca la contraseña" in subject
    assert "Alguien pidió restablecer la contraseña" in text and "hana.hill" in text


def test_an_english_reading_parent_gets_english_whatever_page_the_staff_member_used(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        create_account(actor=command_line_user(), contact=cast.una_contact, send_activation=True)
    subject, text, _ = parts(mail.outbox[-1])
    assert "set up your parent portal account" in subject
    assert text.startswith("Hello Una Unlinked,")
    assert re.search(r"expires on [A-Z][a-z]+ \d{1,2}, \d{4}\.", text)


@pytest.mark.django_db
def test_a_registering_visitor_is_written_to_in_the_language_of_the_page(
    django_capture_on_commit_callbacks: Any,
) -> None:
    student = StudentFactory.create()
    issuing.reset_codes(actor=command_line_user(), student=student)
    code = AccessCode.objects.get(student=student, revoked_at__isnull=True).code
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        registration.request_registration(
            entry=code,
            first_name="Pat",
            last_name="Lee",
            email="pat@example.org",
            remote_address="203.0.113.7",
            link_for=lambda token: f"http://testserver/register/{token}/",
        )
    subject, text, html = parts(mail.outbox[-1])
    assert subject.startswith("Termine su registro en")
    assert "dentro de las próximas" in text and "/register/" in text
    assert "Terminar el registro" in html
