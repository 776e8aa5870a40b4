"""The pages' language: the catalogue is complete, and who gets which language."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client
from django.utils import translation

from tests.cast import Cast
from tutela.people.models import Contact

CATALOGUE = Path(__file__).resolve().parents[2] / "src/tutela/locale/es/LC_MESSAGES/django.po"


def _messages() -> list[tuple[str, str, str | None]]:
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="es")
    found = []
    for message in catalogue:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy translation of {message.id!r}"
        assert message.string, f"no Spanish for {message.id!r}"
        found.append((str(message.id), str(message.string), message.context))
    return found


def test_every_message_of_the_catalogue_has_its_spanish() -> None:
    assert len(_messages()) > 50


def test_the_compiled_catalogue_says_what_the_po_file_says() -> None:
    """A stale .mo (a .po edited without `make install`) fails here."""
    with translation.override("es"):
        for msgid, msgstr, context in _messages():
            shown = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            assert shown == msgstr, msgid


@pytest.mark.django_db
def test_a_visitor_gets_the_browsers_language_and_the_switch_changes_it() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9,en;q=0.5")
    page = client.get("/accounts/sign-in/")
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()
    assert "Iniciar sesión" in page.content.decode()
    switched = client.post("/accounts/language/", {"language": "en", "next": "/register/"})
    assert switched.status_code == 302 and switched["Location"] == "/register/"
    assert "Register with an access code" in client.get("/register/").content.decode()


@pytest.mark.django_db
def test_a_signed_in_parent_reads_their_preferred_language_and_the_switch_saves_it(
    cast: Cast,
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.hana)
    assert "My students" in client.get("/portal/").content.decode()
    client.post("/accounts/language/", {"language": "es", "next": "/portal/"})
    contact = Contact.objects.get(pk=cast.hana_contact.pk)
    assert contact.preferred_language == "es"
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    fresh.force_login(cast.hana)
    assert "Mis estudiantes" in fresh.get("/portal/").content.decode()


@pytest.mark.django_db
def test_staff_pages_stay_english_whatever_the_browser_asks(cast: Cast) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(cast.dana)
    page = client.get("/staff/")
    assert page["Content-Language"] == "en"


def _english_phrases() -> set[str]:
    """The catalogue's English texts of three words or more (shorter ones, such as "School",
    also appear in names of the district's own records), cut at their placeholders and tags."""
    phrases = set()
    for msgid, _, _ in _messages():
        for piece in re.split(r"%\(\w+\)[sr]|<[^>]+>", msgid):
            if len(piece.split()) >= 3:
                phrases.add(piece.strip())
    return phrases


def _text(content: bytes) -> str:
    body = re.sub(r"<[^>]+>", " ", content.decode())
    return " ".join(html.unescape(body).split())


@pytest.mark.django_db
def test_no_page_a_parent_or_visitor_sees_in_spanish_holds_english(cast: Cast) -> None:
    english = _english_phrases()
    visitor = Client(HTTP_ACCEPT_LANGUAGE="es")
    parent = Client(HTTP_ACCEPT_LANGUAGE="es")
    parent.force_login(cast.hana)
    pages = [
        (visitor, "/accounts/sign-in/"),
        (visitor, "/accounts/password/reset/"),
        (visitor, "/accounts/password/reset/sent/"),
        (visitor, "/accounts/activate/not-a-token/"),
        (visitor, "/register/"),
        (visitor, "/no-such-page/"),
        (parent, "/portal/"),
        (parent, f"/portal/students/{cast.holly.pk}/"),
        (parent, "/portal/my-details/"),
        (parent, "/portal/add-child/"),
        (parent, "/accounts/password/"),
        (parent, "/staff/"),
    ]
    found = {}
    for client, path in pages:
        text = _text(client.get(path).content)
        if left := sorted(phrase for phrase in english if phrase in text):
            found[path] = left
    assert not found
