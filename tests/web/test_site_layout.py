"""The site's looks and habits: one stylesheet of our own, the staff menu by role, error pages
inside the layout, and dates in the district's time zone."""

from __future__ import annotations

import datetime
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from tests.cast import Cast
from tutela.web.views import server_error

Run = Callable[..., subprocess.CompletedProcess[str]]
SOURCE = Path(__file__).resolve().parents[2] / "src" / "tutela"

pytestmark = pytest.mark.django_db


def signed_in(account: object) -> Client:
    client = Client()
    client.force_login(account)  # type: ignore[arg-type]
    return client


def test_every_page_uses_the_sites_own_stylesheet_and_it_is_served(cast: Cast) -> None:
    page = signed_in(cast.hana).get(reverse("portal:home")).content.decode()
    assert '<link rel="stylesheet" href="/static/tutela/tutela.css">' in page
    served = Client().get("/static/tutela/tutela.css")
    assert served.status_code == 200
    assert b".table-wrap" in b"".join(served.streaming_content)  # type: ignore[attr-defined]


def test_no_template_carries_an_inline_style_or_script() -> None:
    offending = []
    for template in SOURCE.rglob("templates/**/*.html"):
        if "/email/" in str(template):  # emails are styled inline, as mail clients need
            continue
        text = template.read_text()
        if re.search(r"<style|\sstyle=|<script>|\son[a-z]+=", text):
            offending.append(str(template.relative_to(SOURCE)))
    assert not offending


def test_the_content_security_policy_allows_no_inline_style(cast: Cast) -> None:
    policy = signed_in(cast.hana).get(reverse("portal:home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["style-src"] == "'self'" and "unsafe-inline" not in policy


def test_the_staff_menu_offers_each_role_only_what_it_may_open(cast: Cast) -> None:
    dana = signed_in(cast.dana).get(reverse("staff:search")).content.decode()
    sam = signed_in(cast.sam).get(reverse("staff:search")).content.decode()
    for label in ("Search", "AutoCreate", "Email templates", "Restricted links"):
        assert f">{label}</a>" in dana, label
    assert ">Search</a>" in sam and ">Restricted links</a>" in sam
    assert ">AutoCreate</a>" not in sam and ">Email templates</a>" not in sam
    parent = signed_in(cast.hana).get(reverse("portal:home")).content.decode()
    assert ">My details</a>" in parent and ">Search</a>" not in parent


def test_the_current_page_is_marked_in_the_menu(cast: Cast) -> None:
    page = signed_in(cast.hana).get(reverse("portal:my-details")).content.decode()
    assert 'href="/portal/my-details/" aria-current="page"' in page


def test_a_missing_page_is_a_404_inside_the_sites_layout(cast: Cast) -> None:
    response = signed_in(cast.sam).get(reverse("staff:contact", args=[cast.hana_contact.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page and ">Search</a>" in page and "Hana" not in page


def test_a_refused_page_is_a_403_inside_the_sites_layout(cast: Cast) -> None:
    response = signed_in(cast.hana).get(reverse("staff:search"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>You cannot open this page</h1>" in page and ">My students</a>" in page


def test_a_failure_is_a_500_inside_the_sites_layout() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Something went wrong</h1>" in page and "tutela.css" in page


@override_settings(TIME_ZONE="America/Chicago")
def test_times_are_shown_in_the_districts_time_zone(cast: Cast) -> None:
    cast.hana.last_login = datetime.datetime(2026, 1, 15, 18, 30, tzinfo=datetime.UTC)
    cast.hana.save()
    page = signed_in(cast.dana).get(reverse("staff:contact", args=[cast.hana_contact.pk]))
    text = page.content.decode()
    assert "12:30 p.m." in text  # 18:30 UTC is 12:30 in Chicago in January
    assert "times shown in America/Chicago time" in text


def test_the_time_zone_comes_from_tutela_time_zone(fresh_tutela: Run) -> None:
    show = "from django.conf import settings as s; print(s.TIME_ZONE)"
    done = fresh_tutela("shell", "--no-imports", "-c", show, TUTELA_TIME_ZONE="America/Denver")
    assert done.stdout == "America/Denver\n", done.stderr
    bad = fresh_tutela("check", TUTELA_TIME_ZONE="Mars/Olympus")
    assert bad.returncode != 0
    assert "TUTELA_TIME_ZONE must name a time zone" in bad.stderr
    assert "Traceback" not in bad.stderr
