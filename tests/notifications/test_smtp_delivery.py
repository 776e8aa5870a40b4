"""Emails go out through a real SMTP server (aiosmtpd on localhost), in text and HTML."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.cast import Cast
from tests.conftest import SMTPInbox
from tutela.accounts.services import request_password_reset, send_activation
from tutela.notifications.email import send_email

pytestmark = pytest.mark.django_db


def test_an_activation_email_arrives_with_text_and_html_and_a_working_link(
    cast: Cast,
    smtp_server: SMTPInbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
) -> None:
    settings.TUTELA_BASE_URL = "https://portal.example.org"
    settings.TUTELA_DISTRICT_NAME = "Grand Bend ISD"
    with django_capture_on_commit_callbacks(execute=True):
        send_activation(actor=cast.dana, account=cast.hana)
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "hana@example.org"
    assert "Grand Bend ISD" in message["Subject"]
    text = smtp_server.text_of(message)
    html = smtp_server.html_of(message)
    link = smtp_server.link_in(message)
    assert link.startswith("https://portal.example.org/accounts/activate/")
    assert "hana.hill" in text
    assert f'href="{link}"' in html


def test_a_reset_email_arrives_through_smtp(
    cast: Cast,
    smtp_server: SMTPInbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request_password_reset(identifier="leo@example.org")
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "leo@example.org"
    assert "/accounts/password/reset/" in smtp_server.link_in(message)


def test_send_email_renders_the_named_templates(
    smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_email(
            to="x@example.org",
            template="activation",
            context={"parent_name": "X", "username": "x", "activation_link": "http://h/l"},
        )
    (message,) = smtp_server.wait_for(1)
    assert "http://h/l" in smtp_server.text_of(message)
