"""A burst of parallel wrong passwords from one address, against ``tutela serve`` on the
embedded or the PostgreSQL database: at most the lockout's limit of passwords is ever checked,
no guess is answered with an error, and the burst locks the account."""

from __future__ import annotations

import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from tests.web.conftest import PARENT, PARENT_PASSWORD, Server, Site

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5
GUESSES = 24


def form_token(server: Server) -> tuple[str, str]:
    page = server.get("/accounts/sign-in/")
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    assert cookie.startswith("csrftoken=") and match
    return cookie, match.group(1).decode()


def guess(server: Server, cookie: str, token: str, password: str) -> int:
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=120)
    body = urlencode({"csrfmiddlewaretoken": token, "username": PARENT, "password": password})
    connection.request(
        "POST",
        "/accounts/sign-in/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    return connection.getresponse().status


def test_parallel_wrong_guesses_never_get_more_than_the_limit_checked(
    site: Site, tmp_path: Path
) -> None:
    checks = tmp_path / "checks"  # one line for each password the server checks
    checks.touch()
    with site.serving(
        "--workers",
        "2",
        "--threads",
        "8",
        TUTELA_LOCKOUT_FAILURES=str(LIMIT),
        DJANGO_SETTINGS_MODULE="tests.web.counting_settings",
        PYTHONPATH=str(ROOT),
        TUTELA_TEST_CHECKS_FILE=str(checks),
    ) as server:
        cookie, token = form_token(server)
        with ThreadPoolExecutor(GUESSES) as pool:
            statuses = list(
                pool.map(lambda n: guess(server, cookie, token, f"wrong {n}"), range(GUESSES))
            )
        # The burst locked the account: the right password is refused too, unchecked.
        after = guess(server, cookie, token, PARENT_PASSWORD)
        site.run("axes_reset")
    # 200: a wrong password; 429: the lockout page. Never 500 ("database is locked").
    assert set(statuses) <= {200, 429}, statuses
    assert len(checks.read_text().splitlines()) <= LIMIT, statuses
    assert after == 429
