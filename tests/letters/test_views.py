"""The letters staff screens: printing with the warning before voiding, the texts and preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.cast import Cast
from tests.letters.helpers import pdf_pages
from tutela.accounts.models import AccessToken, TokenPurpose
from tutela.letters.models import LetterTemplate

pytestmark = pytest.mark.django_db

ACTIVATION = {"kind": "activation", "school": "10", "language": "en", "output": "pdf"}


def as_dana(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.dana)
    return client


def letter_links() -> int:
    return AccessToken.objects.filter(
        purpose=TokenPurpose.LETTER_ACTIVATION, voided_at__isnull=True
    ).count()


def test_the_first_print_downloads_the_pdf_and_a_reprint_warns_before_voiding(
    cast: Cast, tmp_path: Path
) -> None:
    client = as_dana(cast)
    first = client.post(reverse("letters:print"), ACTIVATION)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "attachment" in first["Content-Disposition"]
    path = tmp_path / "letters.pdf"
    path.write_bytes(first.content)
    assert "hana.hill" in pdf_pages(path)[0]
    again = client.post(reverse("letters:print"), ACTIVATION)
    assert again.status_code == 200 and again["Content-Type"].startswith("text/html")
    shown = " ".join(again.content.decode().split())
    assert "voids the earlier letters of 1 parent in this selection" in shown
    assert "Void the earlier letters and download the PDF" in shown
    assert letter_links() == 1  # nothing voided until confirmed
    confirmed = client.post(reverse("letters:print"), {**ACTIVATION, "confirm": "void"})
    assert confirmed["Content-Type"] == "application/pdf"
    assert AccessToken.objects.filter(voided_at__isnull=False).count() == 1
    assert letter_links() == 1


def test_a_selection_with_no_letters_says_so(cast: Cast) -> None:
    response = as_dana(cast).post(reverse("letters:print"), {**ACTIVATION, "grades": "12"})
    assert b"no letters to print for school 10; grade 12" in response.content


def test_a_letter_text_is_edited_in_spanish_and_previewed(cast: Cast, tmp_path: Path) -> None:
    template = LetterTemplate.objects.get(kind="access-code", language="es")
    client = as_dana(cast)
    page = client.get(reverse("letters:template", args=[template.pk]))
    assert b"Ana Example" in page.content and b"{{ access_code }}" in page.content
    saved = client.post(
        reverse("letters:template", args=[template.pk]),
        {"title": "Código para {{ student_name }}", "body_text": "Hola, {{ school_name }}."},
        follow=True,
    )
    assert "Código para Ana Example".encode() in saved.content
    assert b"Hola, Example Elementary." in saved.content
    pdf = client.get(reverse("letters:template-preview", args=[template.pk]))
    path = tmp_path / "preview.pdf"
    path.write_bytes(pdf.content)
    (text,) = pdf_pages(path)
    assert "Código para Ana Example" in text and "Código de acceso" in text


def test_a_placeholder_of_another_kind_is_refused_and_nothing_saved(cast: Cast) -> None:
    template = LetterTemplate.objects.get(kind="access-code", language="en")
    before = template.body_text
    response = as_dana(cast).post(
        reverse("letters:template", args=[template.pk]),
        {"title": "Code", "body_text": "Your link: {{ activation_link }}"},
    )
    assert b"uses {{ activation_link }}, which this kind of letter does not have" in (
        response.content
    )
    template.refresh_from_db()
    assert template.body_text == before
