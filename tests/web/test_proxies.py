"""Behind a reverse proxy: the client's address and scheme come from a trusted proxy only."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from ipaddress import ip_network
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from tests.cast import Cast
from tutela.accounts.models import SecurityEvent, SecurityEventKind
from tutela.web.middleware import forwarded_client

pytestmark = pytest.mark.django_db
Run = subprocess.CompletedProcess[str]


@pytest.fixture
def behind_proxy(settings: Settings) -> None:
    settings.TUTELA_TRUSTED_PROXIES = [ip_network("10.0.0.0/24"), ip_network("127.0.0.1")]


def failed_sign_in(**meta: Any) -> None:
    Client().post(
        reverse("accounts:sign-in"), {"username": "hana.hill", "password": "wrong"}, **meta
    )


def recorded_address() -> str | None:
    event = SecurityEvent.objects.get(kind=SecurityEventKind.SIGN_IN_FAILED)
    attempt = AccessAttempt.objects.get()
    # The lockout (django-axes) and the audit count the same address.
    assert attempt.ip_address == event.ip_address
    return event.ip_address


def test_a_trusted_proxy_names_the_client(cast_with_passwords: Cast, behind_proxy: None) -> None:
    failed_sign_in(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert recorded_address() == "203.0.113.7"


def test_an_untrusted_client_cannot_choose_its_address(
    cast_with_passwords: Cast, behind_proxy: None
) -> None:
    failed_sign_in(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert recorded_address() == "198.51.100.9"


def test_without_trusted_proxies_the_header_is_ignored(cast_with_passwords: Cast) -> None:
    failed_sign_in(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert recorded_address() == "10.0.0.5"


def test_a_forged_hop_left_of_the_client_is_ignored(
    cast_with_passwords: Cast, behind_proxy: None
) -> None:
    # The client wrote "1.2.3.4"; our proxy appended the address it was reached from.
    failed_sign_in(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert recorded_address() == "203.0.113.7"


@pytest.mark.parametrize(
    ("chain", "client"),
    [
        ("203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two of our proxies
        ("10.0.0.8, 10.0.0.9", "10.0.0.8"),  # every hop ours: the farthest
        ("203.0.113.7, not-an-address", "10.0.0.5"),  # garbage: the proxy itself
        ("", "10.0.0.5"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    settings: Settings, behind_proxy: None, chain: str, client: str
) -> None:
    assert forwarded_client("10.0.0.5", chain) == client


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(
    settings: Settings, behind_proxy: None
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    sign_in = reverse("accounts:sign-in")
    untrusted = Client().get(sign_in, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_PROTO="https")
    assert untrusted.status_code == 301 and untrusted["Location"].startswith("https://")
    trusted = Client().get(sign_in, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https")
    assert trusted.status_code == 200
    assert Client().get(sign_in, REMOTE_ADDR="10.0.0.5").status_code == 301


def test_a_bad_trusted_proxy_setting_stops_tutela(fresh_tutela: Callable[..., Run]) -> None:
    done = fresh_tutela(TUTELA_TRUSTED_PROXIES="10.0.0.0/33")
    assert done.returncode == 2 and "TUTELA_TRUSTED_PROXIES" in done.stderr
