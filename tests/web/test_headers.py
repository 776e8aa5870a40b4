"""What every page carries: a Content-Security-Policy with no inline script, no-store on
pages with families' data, an upload cap, and email links that ignore the Host header."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessLog
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tests.cast import PASSWORD, Cast
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.services import issuing as codes
from tutela.core.audit import command_line_user

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "tutela"


def signed_in(username: str) -> Client:
    client = Client()
    page = client.post(reverse("accounts:sign-in"), {"username": username, "password": PASSWORD})
    assert page.status_code == 302
    return client


def test_every_page_forbids_inline_and_foreign_scripts(cast_with_passwords: Cast) -> None:
    policy = Client().get(reverse("accounts:sign-in"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
    found = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("templates/**/*.html")
        if "/email/" not in str(path) and inline.search(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("hana.hill", "/portal/"),
        ("hana.hill", "/portal/my-details/"),
        ("dana", "/staff/"),
        ("dana", "/staff/access-codes/"),
        ("dana", "/staff/autocreate/"),
    ],
)
def test_pages_with_families_data_are_never_stored(
    cast_with_passwords: Cast, who: str, path: str
) -> None:
    page = signed_in(who).get(path)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_a_body_above_the_upload_limit_is_refused_unread(
    cast_with_passwords: Cast, settings: Settings
) -> None:
    settings.TUTELA_UPLOAD_MAX_MB = 1
    client = signed_in("dana")
    big = client.post(
        "/staff/autocreate/", data=b"x", content_type="text/csv", CONTENT_LENGTH=str(8 << 20)
    )
    assert big.status_code == 413 and b"up to 1 MB" in big.content


def test_the_students_file_on_the_autocreate_screen_is_capped(
    cast_with_passwords: Cast, settings: Settings, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TUTELA_UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("students.csv", b"Student_Number\n" + b"1\n" * (600 * 1024))
    page = signed_in("dana").post("/staff/autocreate/", {"students_file": upload, "simulate": "on"})
    assert page.status_code == 200
    assert "The file is too large: Tutela accepts files of up to 1 MB." in page.content.decode()


def test_email_links_use_the_base_url_whatever_the_host_header(
    cast_with_passwords: Cast,
    settings: Settings,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    immediate_queue: Any,
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.TUTELA_BASE_URL = "https://portal.example.org"
    codes.generate_codes(actor=command_line_user())
    code = AccessCode.objects.get(student=cast_with_passwords.holly).formatted
    forged: dict[str, Any] = {
        "HTTP_HOST": "attacker.example",
        "HTTP_X_FORWARDED_HOST": "attacker.example",
    }
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password-reset"), {"identifier": "hana.hill"}, **forged)
        Client().post(
            "/register/",
            {"code": code, "first_name": "Pat", "last_name": "Hill", "email": "pat@example.org"},
            **forged,
        )
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        links = re.findall(r"https?://[^\s\"<>]+", message.body)
        assert links and all(link.startswith("https://portal.example.org/") for link in links)


def test_the_lockout_records_keep_no_link_token(
    cast_with_passwords: Cast,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    codes.generate_codes(actor=command_line_user())
    code = AccessCode.objects.get(student=cast_with_passwords.holly).formatted
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/register/",
            {"code": code, "first_name": "Pat", "last_name": "Hill", "email": "pat@example.org"},
        )
    link = re.search(r"https?://\S+", mailoutbox[0].body)
    assert link
    path = "/" + link.group(0).split("/", 3)[3]
    token = path.strip("/").split("/")[-1]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert done.status_code == 302
    logged = list(AccessLog.objects.values_list("path_info", flat=True))
    assert logged == ["/register/[token]/"] and not [p for p in logged if token in p]
