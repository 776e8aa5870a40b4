"""Behind a real nginx (Debian's), as a district deploys Tutela: the address nginx reports is
the client's, and what a client writes in X-Forwarded-For itself changes nothing.

The client connects from 127.0.0.2, nginx reaches ``tutela serve`` from 127.0.0.1, and only
127.0.0.1 is a trusted proxy.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.web.conftest import STAFF, Site, free_port, wait_for_port

NGINX = os.environ.get("TUTELA_NGINX", "/usr/sbin/nginx")
CLIENT = "127.0.0.2"

CONFIG = """
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_bind 127.0.0.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@pytest.fixture
def nginx_binary() -> str:
    if not os.path.exists(NGINX) or not shutil.which(NGINX):
        message = f"{NGINX} is missing: run scripts/ensure-nginx"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return NGINX


@contextmanager
def nginx(binary: str, upstream: str, tmp: Path) -> Iterator[str]:
    port = free_port()
    config = tmp / "nginx.conf"
    config.write_text(CONFIG.format(tmp=tmp, port=port, upstream=upstream))
    process = subprocess.Popen(
        [binary, "-c", str(config), "-e", str(tmp / "error.log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def failed_sign_in(base: str, forwarded_for: str | None = None) -> int:
    """A wrong password for the staff account, from CLIENT, through ``base``."""
    host = urlsplit(base).netloc
    extra = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    page = http.client.HTTPConnection(host, timeout=60, source_address=(CLIENT, 0))
    page.request("GET", "/accounts/sign-in/", headers=extra)
    answer = page.getresponse()
    cookie = (answer.getheader("Set-Cookie") or "").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer.read())
    assert token, answer.status
    post = http.client.HTTPConnection(host, timeout=60, source_address=(CLIENT, 0))
    post.request(
        "POST",
        "/accounts/sign-in/",
        body=urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": STAFF, "password": "no"}
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, **extra},
    )
    return post.getresponse().status


def last_failure_address(site: Site) -> str:
    done = site.run(
        "shell",
        "--no-imports",
        "-c",
        "from tutela.accounts.models import SecurityEvent as E; "
        "print(E.objects.filter(kind='sign_in_failed').order_by('-id')[0].ip_address)",
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_only_nginx_says_who_the_client_is(site: Site, nginx_binary: str, tmp_path: Path) -> None:
    with (
        site.serving(TUTELA_TRUSTED_PROXIES="127.0.0.1") as server,
        nginx(nginx_binary, server.url, tmp_path) as proxy,
    ):
        # Through nginx: the client's own address, whatever it claims to be.
        assert failed_sign_in(proxy) == 200
        assert last_failure_address(site) == CLIENT
        assert failed_sign_in(proxy, forwarded_for="203.0.113.9") == 200
        assert last_failure_address(site) == CLIENT
        # Straight to Tutela, the forged header is not believed either.
        assert failed_sign_in(server.url, forwarded_for="203.0.113.9") == 200
        assert last_failure_address(site) == CLIENT
    site.run("axes_reset")


def test_without_trusted_proxies_everyone_behind_nginx_is_nginx(
    site: Site, nginx_binary: str, tmp_path: Path
) -> None:
    with site.serving() as server, nginx(nginx_binary, server.url, tmp_path) as proxy:
        assert failed_sign_in(proxy, forwarded_for="203.0.113.9") == 200
        assert last_failure_address(site) == "127.0.0.1"
    site.run("axes_reset")
