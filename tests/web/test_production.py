"""``TUTELA_ENV=production``: Django's deployment check is clean, and unsafe set-ups refuse
to start instead of warning."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Callable

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]

SANE = {
    "TUTELA_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "EMAIL_HOST": "mail.example.org",
    "TUTELA_ALLOWED_HOSTS": "portal.example.org",
    "TUTELA_BASE_URL": "https://portal.example.org",
    "TUTELA_TRUSTED_PROXIES": "127.0.0.1",
    "TUTELA_HSTS_INCLUDE_SUBDOMAINS": "true",
    "TUTELA_HSTS_PRELOAD": "true",
}


def test_the_deployment_check_is_clean_in_production(fresh_tutela: Run) -> None:
    done = fresh_tutela("check", "--deploy", "--fail-level", "WARNING", **SANE)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_production_secures_cookies_https_and_hsts_by_default(fresh_tutela: Run) -> None:
    show = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.CSRF_TRUSTED_ORIGINS)"
    )
    done = fresh_tutela("shell", "--no-imports", "-c", show, **SANE)
    assert done.stdout == "True True True 31536000 ['https://portal.example.org']\n"
    less = fresh_tutela("shell", "--no-imports", "-c", show, **SANE, TUTELA_HSTS_SECONDS="600")
    assert " 600 " in less.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG cannot be on when TUTELA_ENV=production"),
        ({"SECRET_KEY": "x" * 49}, "SECRET_KEY must be at least 50 characters"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST must name the district's mail server"),
    ],
)
def test_production_refuses_an_unsafe_setting(
    fresh_tutela: Run, change: dict[str, str], message: str
) -> None:
    done = fresh_tutela("check", **{**SANE, **change})
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_production_may_keep_mail_in_an_explicit_outbox(fresh_tutela: Run) -> None:
    outbox = {"EMAIL_HOST": "", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}
    assert fresh_tutela("check", **{**SANE, **outbox}).returncode == 0


def test_development_is_unchanged(fresh_tutela: Run) -> None:
    done = fresh_tutela("check", DEBUG="true", SECRET_KEY="short")
    assert done.returncode == 0, done.stderr


def test_staff_must_use_two_step_sign_in_in_production(fresh_tutela: Run) -> None:
    show = "from django.conf import settings as s; print(s.TUTELA_STAFF_MFA)"
    assert fresh_tutela("shell", "--no-imports", "-c", show, **SANE).stdout == "required\n"
    assert fresh_tutela("shell", "--no-imports", "-c", show).stdout == "optional\n"
    chosen = fresh_tutela("shell", "--no-imports", "-c", show, **SANE, TUTELA_STAFF_MFA="off")
    assert chosen.stdout == "off\n"
    wrong = fresh_tutela("check", **SANE, TUTELA_STAFF_MFA="sometimes")
    assert wrong.returncode == 2 and "TUTELA_STAFF_MFA must be required" in wrong.stderr
