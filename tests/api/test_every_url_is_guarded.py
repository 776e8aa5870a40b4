"""Every REST API URL against the wrong people: no token, a revoked token, a parent's account,
staff of another school, and (for AutoCreate) a school admin. When a URL is added to the API it
must be listed here; the first test fails until it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.helpers import api_as
from tests.cast import Cast
from tutela.api.models import ApiToken
from tutela.api.tokens import create_token, revoke_token
from tutela.api.urls import urlpatterns
from tutela.core.audit import command_line_user
from tutela.imports.models import ImportJob, ImportUpload
from tutela.people.models import StudentContact
from tutela.people.services import add_address
from tutela.provisioning.models import AutoCreateJob

pytestmark = pytest.mark.django_db


class Hill:
    """The Hill family's records (Hillcrest), which Sam (Lakeside) must not reach."""

    def __init__(self, cast: Cast) -> None:
        self.student = cast.holly.pk
        self.contact = cast.hana_contact.pk
        self.email = cast.hana_contact.emails.get().pk
        self.phone = cast.hana_contact.phones.get().pk
        self.address = add_address(
            actor=command_line_user(), contact=cast.hana_contact, street="1 Hill Road"
        ).pk
        self.link = StudentContact.objects.get(student=cast.holly).pk
        self.detail = StudentContact.objects.get(student=cast.holly).details.get().pk
        self.account = cast.hana.pk
        self.job = ImportJob.objects.create(
            kind="students", actor=cast.dana, file_name="s.csv", checksum="0"
        ).pk
        self.upload = ImportUpload.objects.create(
            kind="students", file_name="s.csv", stored_name="hill.csv", actor=cast.dana
        ).pk
        self.autocreate = AutoCreateJob.objects.create(actor=cast.dana).pk


def one(name: str, *args: object) -> str:
    return reverse(f"api:{name}", args=args)


# URL name -> (how to build it for the Hill family's records, method)
URLS: dict[str, tuple[Callable[[Hill], str], str]] = {
    "api:student-list": (lambda h: one("student-list"), "get"),
    "api:student-detail": (lambda h: one("student-detail", h.student), "get"),
    "api:contact-list": (lambda h: one("contact-list"), "get"),
    "api:contact-detail": (lambda h: one("contact-detail", h.contact), "get"),
    "api:contact-emails": (lambda h: one("contact-emails", h.contact), "post"),
    "api:contact-phones": (lambda h: one("contact-phones", h.contact), "post"),
    "api:contact-addresses": (lambda h: one("contact-addresses", h.contact), "post"),
    "api:contact-remove-email": (
        lambda h: one("contact-remove-email", h.contact, h.email),
        "delete",
    ),
    "api:contact-remove-phone": (
        lambda h: one("contact-remove-phone", h.contact, h.phone),
        "delete",
    ),
    "api:contact-remove-address": (
        lambda h: one("contact-remove-address", h.contact, h.address),
        "delete",
    ),
    "api:link-list": (lambda h: one("link-list"), "get"),
    "api:link-detail": (lambda h: one("link-detail", h.link), "get"),
    "api:link-grant": (lambda h: one("link-grant", h.link), "post"),
    "api:link-revoke": (lambda h: one("link-revoke", h.link), "post"),
    "api:link-restrict": (lambda h: one("link-restrict", h.link), "post"),
    "api:link-lift": (lambda h: one("link-lift", h.link), "post"),
    "api:link-details": (lambda h: one("link-details", h.link), "post"),
    "api:link-detail-record": (lambda h: one("link-detail-record", h.link, h.detail), "put"),
    "api:account-list": (lambda h: one("account-list"), "get"),
    "api:account-detail": (lambda h: one("account-detail", h.account), "get"),
    "api:account-enable": (lambda h: one("account-enable", h.account), "post"),
    "api:account-disable": (lambda h: one("account-disable", h.account), "post"),
    "api:account-send-activation": (lambda h: one("account-send-activation", h.account), "post"),
    "api:import-list": (lambda h: one("import-list"), "get"),
    "api:import-detail": (lambda h: one("import-detail", h.upload), "get"),
    "api:import-run-import": (lambda h: one("import-run-import", h.upload), "post"),
    "api:import-job-list": (lambda h: one("import-job-list"), "get"),
    "api:import-job-detail": (lambda h: one("import-job-detail", h.job), "get"),
    "api:import-job-rows": (lambda h: one("import-job-rows", h.job), "get"),
    "api:autocreate-job-list": (lambda h: one("autocreate-job-list"), "get"),
    "api:autocreate-job-detail": (lambda h: one("autocreate-job-detail", h.autocreate), "get"),
    # The schema and its documentation page tell how to call the API, not what it holds.
    "api:schema": (lambda h: one("schema"), "public"),
    "api:docs": (lambda h: one("docs"), "public"),
    # The token screen: covered by the staff guard below and its own tests.
    "api-tokens:list": (lambda h: reverse("api-tokens:list"), "screen"),
    "api-tokens:revoke": (lambda h: reverse("api-tokens:revoke", args=[1]), "screen"),
}
LISTS = {name for name in URLS if name.endswith("-list")}
WRITES_AND_READS = {"get", "post", "put", "delete"}


def test_every_api_url_is_listed_here() -> None:
    # Imported here: the site-wide guard test imports this module's URLS.
    from tests.test_every_url_is_guarded import url_names
    from tutela.api.screen_urls import urlpatterns as screen_patterns

    names = url_names(urlpatterns, "api")
    names |= {f"api-tokens:{p.name}" for p in screen_patterns}
    assert names == set(URLS)


def revoked(cast: Cast) -> APIClient:
    made = create_token(actor=command_line_user(), account=cast.dana, name="old")
    revoke_token(actor=command_line_user(), token=made.record)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {made.token}")
    return client


def call(client: APIClient, method: str, url: str) -> Any:
    return getattr(client, method)(url, {}, format="json")


@pytest.mark.parametrize("who", ["nobody", "revoked"])
def test_without_a_live_token_everything_answers_401(cast: Cast, who: str) -> None:
    hill = Hill(cast)
    client = APIClient() if who == "nobody" else revoked(cast)
    for name, (build, method) in URLS.items():
        if method in WRITES_AND_READS:
            assert call(client, method, build(hill)).status_code == 401, name


def test_a_parent_cannot_get_a_token_and_a_session_is_no_token(cast: Cast) -> None:
    hill = Hill(cast)
    client = APIClient()
    client.force_login(cast.hana)  # a signed-in parent's browser
    for name, (build, method) in URLS.items():
        if method in WRITES_AND_READS:
            assert call(client, method, build(hill)).status_code == 401, name
    with pytest.raises(Exception, match="not an enabled staff account"):
        create_token(actor=command_line_user(), account=cast.hana, name="x")


def test_a_parent_s_token_made_while_staff_stops_when_staff_ends(cast: Cast) -> None:
    client = api_as(cast, "sam")
    cast.sam.is_staff = False
    cast.sam.save()
    assert client.get(one("student-list")).status_code == 401
    assert ApiToken.objects.filter(account=cast.sam).exists()


def test_another_school_s_staff_reach_none_of_the_hill_family(cast: Cast) -> None:
    hill = Hill(cast)
    client = api_as(cast, "sam")
    for name, (build, method) in URLS.items():
        if method not in WRITES_AND_READS:
            continue
        response = call(client, method, build(hill))
        if name.startswith("api:autocreate"):
            assert response.status_code == 403, name  # district admins only
        elif name in LISTS:
            assert response.status_code == 200, name
            ids = {row["id"] for row in response.json()["results"]}
            assert hill.student not in ids or name != "api:student-list"
        else:
            assert response.status_code == 404, name
    students = client.get(one("student-list")).json()["results"]
    assert [row["student_number"] for row in students] == ["3001"]
    contacts = {row["id"] for row in client.get(one("contact-list")).json()["results"]}
    assert hill.contact not in contacts
    links = {row["id"] for row in client.get(one("link-list")).json()["results"]}
    assert hill.link not in links
    accounts = {row["id"] for row in client.get(one("account-list")).json()["results"]}
    assert accounts == {cast.leo.pk}
    assert client.get(one("import-list")).json()["results"] == []
    assert client.get(one("import-job-list")).json()["results"] == []


def test_the_district_admin_reaches_every_record(cast: Cast) -> None:
    hill = Hill(cast)
    client = api_as(cast, "dana")
    for name, (build, method) in URLS.items():
        if method == "get":
            assert call(client, method, build(hill)).status_code == 200, name


def test_the_schema_and_its_page_are_public_and_load_nothing_from_elsewhere(cast: Cast) -> None:
    client = APIClient()
    schema = client.get(one("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/contacts/" in schema.json()["paths"]
    page = client.get(one("docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "<script>" not in html  # the content security policy refuses inline scripts
    script = client.get(one("docs") + "?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
