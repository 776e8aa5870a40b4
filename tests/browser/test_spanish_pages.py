"""A Spanish-reading parent's browser gets Spanish pages, and the switch changes them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import assert_accessible
from tests.cast import PASSWORD, build_cast
from tutela.people.models import Contact

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_spanish_browser_gets_spanish_from_sign_in_to_the_portal(
    live_server: Any, browser: Any
) -> None:
    cast = build_cast(with_passwords=True)
    page = browser.new_context(locale="es-US").new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page)
    page.get_by_label("Nombre de usuario o correo electrónico").fill(cast.hana.username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mis estudiantes"
    assert_accessible(page)

    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Cambiar idioma").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My students"
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    assert Contact.objects.get(pk=cast.hana_contact.pk).preferred_language == "en"
