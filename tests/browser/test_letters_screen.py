"""Staff print letters home from their screen, are warned before a reprint voids the earlier
letters, and a district admin edits a Spanish letter text and previews it, in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import sign_in
from tests.cast import PASSWORD, build_cast
from tests.letters.helpers import ACTIVATION_LINK, pdf_pages, qr_codes
from tutela.accounts.models import AccessToken
from tutela.letters.models import LetterTemplate

# serialized_rollback: other transactional tests flush the shipped code sets; restore them.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def download(page: Any, button: str, path: Path) -> Path:
    with page.expect_download() as started:
        page.click(f"text={button}")
    started.value.save_as(path)
    return path


def test_a_school_admin_prints_then_is_warned_before_reprinting(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    cast = build_cast(with_passwords=True)
    cast.leo.set_unusable_password()  # Leo's account waits for activation
    cast.leo.save()
    page = browser.new_page()
    sign_in(page, live_server.url, "sam", PASSWORD)
    page.goto(f"{live_server.url}/staff/letters/")
    assert_accessible(page)
    page.check("text=Activation letter (to a parent)")
    page.select_option("#id_language", "es")
    first = download(page, "Download the letters (PDF)", tmp_path / "first.pdf")
    (text,) = pdf_pages(first)
    assert "Su nombre de usuario es leo@example.org" in text
    (link,) = set(ACTIVATION_LINK.findall(text))
    assert qr_codes(first) == [link]

    page.click("text=Download the letters (PDF)")
    page.wait_for_selector(".warning")
    assert "voids the earlier letters of 1 parent" in page.inner_text(".warning")
    assert_accessible(page)
    assert AccessToken.objects.filter(voided_at__isnull=True).count() == 1
    second = download(page, "Void the earlier letters and download the PDF", tmp_path / "2.pdf")
    assert link not in pdf_pages(second)[0]
    assert AccessToken.objects.filter(voided_at__isnull=True).count() == 1


def test_a_district_admin_edits_and_previews_a_spanish_letter(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    build_cast(with_passwords=True)
    template = LetterTemplate.objects.get(kind="activation", language="es")
    page = browser.new_page()
    sign_in(page, live_server.url, "dana", PASSWORD)
    page.goto(f"{live_server.url}/staff/autocreate/templates/")
    page.click("text=Letter texts")
    assert_accessible(page)
    page.click(f"a[href='/staff/letters/templates/{template.pk}/']")
    assert_accessible(page)
    page.fill("#id_title", "Bienvenida, {{ parent_name }}")
    page.click("text=Save the letter text")
    page.wait_for_selector("text=Letter saved")
    assert "Bienvenida, Maria Example" in page.inner_text("#letter-preview")
    assert_accessible(page)
    pdf = download(page, "Download the preview as a printed letter (PDF)", tmp_path / "p.pdf")
    assert "Bienvenida, Maria Example" in pdf_pages(pdf)[0]
