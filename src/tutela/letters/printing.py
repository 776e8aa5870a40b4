"""Turning a run of letters into paper: a PDF (WeasyPrint) or a mail-merge CSV of the same fields.

Each letter is one page: the district's title and text (``LetterTemplate``, in the letter's
language) and, whatever the text says, the account or the code, the link written out, and the
link as a QR code. WeasyPrint lays the pages out with Debian's pango (``scripts/ensure-pango``).

The QR code is a PNG of one pixel a module, scaled up by the page without smoothing: a small
image per page keeps a school's thousand letters quick to build. Its mask is fixed, because
segno's search for the best of eight costs more than the rest of the letter; any mask reads.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import segno
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from tutela.accounts.scopes import Actor
from tutela.core.spreadsheets import csv_writer
from tutela.letters.models import LetterKind, LetterTemplate
from tutela.letters.services import (
    Letter,
    LetterError,
    LetterRequest,
    LetterRun,
    district_values,
    letter_templates,
    prepare_letters,
)
from tutela.notifications.vocabulary import EmailContext, fill_placeholders

# What the layout prints around the district's text, in each language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "username": "Username",
        "activation_link": "Activation link (works once)",
        "expires": "Valid until",
        "access_code": "Access code",
        "registration_link": "Registration page",
        "qr": "QR code: scan it with your phone's camera",
        "student": "Student",
    },
    "es": {
        "username": "Nombre de usuario",
        "activation_link": "Enlace de activación (funciona una vez)",
        "expires": "Válido hasta",
        "access_code": "Código de acceso",
        "registration_link": "Página de registro",
        "qr": "Código QR: escanéelo con la cámara de su teléfono",
        "student": "Estudiante",
    },
}

# The mail-merge columns of each kind: the same fields the printed letters carry.
CSV_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    LetterKind.ACTIVATION: (
        ("Contact_ID", "key"),
        ("Language", "language"),
        ("Parent_Name", "parent_name"),
        ("Username", "username"),
        ("Students", "students"),
        ("Activation_Link", "activation_link"),
        ("Link_Expires_On", "link_expires_on"),
        ("Portal_URL", "portal_url"),
        ("District_Name", "district_name"),
    ),
    LetterKind.ACCESS_CODE: (
        ("Student_Number", "key"),
        ("Language", "language"),
        ("Student_Name", "student_name"),
        ("School_Name", "school_name"),
        ("Access_Code", "access_code"),
        ("Registration_Link", "registration_link"),
        ("Portal_URL", "portal_url"),
        ("District_Name", "district_name"),
    ),
}


def qr_data_uri(link: str) -> str:
    """The link as a QR code: a PNG of one pixel a module with the standard quiet zone."""
    code = segno.make(link, error="m", mask=2, boost_error=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=1, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def letter_text(template: LetterTemplate, values: EmailContext) -> tuple[str, SafeString]:
    """The title and the text as HTML paragraphs: the district's words are escaped, then
    filled with the letter's values (escaped too)."""
    title = " ".join(fill_placeholders(template.title, values).split())
    body = fill_placeholders(str(escape(template.body_text)), values, html=True)
    return title, mark_safe(linebreaks(body))  # noqa: S308 - every part escaped above


def _page(letter: Letter, kind: str, templates: dict[tuple[str, str], LetterTemplate]) -> dict:
    values: EmailContext = {**district_values(), **letter.values}
    title, body = letter_text(templates[(kind, letter.language)], values)
    return {
        "language": letter.language,
        "labels": LABELS[letter.language],
        "title": title,
        "body": body,
        "values": values,
        "qr": qr_data_uri(letter.link),
    }


# The letters' layout, a file of its own like every page's stylesheet (no inline style).
LETTER_CSS = Path(__file__).parent / "templates" / "letters" / "letter.css"


def letters_html(run: LetterRun) -> str:
    """Every page of the run as one HTML document, as WeasyPrint prints it."""
    templates = letter_templates()
    pages = [_page(letter, run.kind, templates) for letter in run.letters]
    return render_to_string(
        "letters/letters.html",
        {"kind": run.kind, "pages": pages, "district_name": district_values()["district_name"]},
    )


def letters_pdf(run: LetterRun) -> bytes:
    """The run as a PDF, one page a letter."""
    # pango is loaded on first use, not when Django starts; WeasyPrint ships no types.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    return HTML(string=letters_html(run)).write_pdf(stylesheets=[CSS(filename=LETTER_CSS)])


def csv_rows(run: LetterRun) -> Iterable[list[str]]:
    """The mail-merge header and one row a letter."""
    columns = CSV_COLUMNS[run.kind]
    yield [header for header, _ in columns]
    district = district_values()
    for letter in run.letters:
        values: dict[str, object] = {**district, **letter.values}
        values["key"], values["language"] = letter.key, letter.language
        yield [str(values.get(name, "")) for _, name in columns]


def write_letters_csv(run: LetterRun, handle: IO[str]) -> None:
    """The mail-merge CSV; no cell can become a spreadsheet formula (``csv_writer``)."""
    csv_writer(handle).writerows(csv_rows(run))


def letters_csv(run: LetterRun) -> bytes:
    buffer = io.StringIO(newline="")
    write_letters_csv(run, buffer)
    return buffer.getvalue().encode("utf-8")


def print_letters(
    *, actor: Actor, request: LetterRequest, output: str, keep: Callable[[bytes], None]
) -> LetterRun:
    """Prepare the letters and hand the finished file (``output``: ``pdf`` or ``csv``) to
    ``keep`` (write it, send it) inside the same transaction: if printing or keeping fails,
    the earlier letters still work and no new link exists.
    """
    if output not in {"pdf", "csv"}:
        raise LetterError(f"letters are printed as pdf or csv, not {output!r}")
    with transaction.atomic():
        run = prepare_letters(actor=actor, request=request)
        if not run.letters:
            raise LetterError(f"no letters to print for {request.describe()}")
        keep(letters_pdf(run) if output == "pdf" else letters_csv(run))
    return run
