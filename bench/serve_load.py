"""Load on ``tutela serve``: a signed-in parent's portal page and the staff contact search.

    TUTELA_HOME=$(mktemp -d) .venv/bin/python bench/serve_load.py --students 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tutela_bench .venv/bin/python \\
        bench/serve_load.py --students 100000 --seconds 60

It migrates the database named by DATABASE_URL (or a fresh SQLite file in TUTELA_HOME), loads
a generated district in bulk (``tutela.sampledata``), gives one parent and one district admin
a password, starts ``tutela serve`` on a free loopback port, signs both in, and runs Debian's
``wrk`` against each page for ``--seconds`` (loopback only; every run stops by itself): the
portal as fast as it answers, then at a steady ``--rate`` (``paced.lua``: the latencies of a
server holding that rate), and the staff search as fast as it answers. It prints requests per
second, latency percentiles, errors and the machine's load average.
``scripts/ensure-wrk`` installs wrk; the benchmark runs it first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

TUTELA = str(Path(sys.executable).with_name("tutela"))
PARENT, STAFF, PASSWORD = "bench.parent", "bench.admin", "a long benchmark passphrase 42"

SETUP = """
from django.db import connection
from tutela.accounts.models import Account
from tutela.people.models import Contact, Student
from tutela.sampledata.district import generate_district
from tutela.sampledata.load import load_district
if not Student.objects.exists():
    load_district(generate_district({students}))
    if connection.vendor == "postgresql":
        # As autovacuum would soon after a real load: the planner needs the tables' sizes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
contact = (
    Contact.objects.filter(student_links__details__allow_data_access=True, account__isnull=True)
    .order_by("pk")
    .first()
)
for name, fields in (({parent!r}, {{"contact": contact}}), ({staff!r}, {{"is_staff": True,
        "is_district_admin": True}})):
    account = Account.objects.filter(username=name).first() or Account(username=name, **fields)
    account.set_password({password!r})
    account.save()
print(contact.last_name)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign_in(port: int, username: str) -> str:
    """The session cookie of ``username``."""
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    page.request("GET", "/accounts/sign-in/")
    answer = page.getresponse()
    csrf = (answer.getheader("Set-Cookie") or "").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer.read())
    assert token
    post = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = {"csrfmiddlewaretoken": token.group(1).decode(), "username": username}
    post.request(
        "POST",
        "/accounts/sign-in/",
        body=urlencode({**body, "password": PASSWORD}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf},
    )
    done = post.getresponse()
    assert done.status == 302, done.status
    cookies = done.headers.get_all("Set-Cookie") or []
    session = next(c.split(";")[0] for c in cookies if c.startswith("sessionid="))
    return f"{csrf}; {session}"


WRK_THREADS = 2
PACED = Path(__file__).with_name("paced.lua")


def wrk(
    url: str, cookie: str, *, seconds: int, connections: int, rate: int | None = None
) -> dict[str, object]:
    """``wrk`` against ``url``: as fast as the server answers, or at ``rate`` requests a
    second (``paced.lua``)."""
    paced = ["-s", str(PACED)] if rate else []
    done = subprocess.run(
        [
            "wrk",
            f"-t{WRK_THREADS}",
            f"-c{connections}",
            *paced,
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
            *(["--", f"{1000 * WRK_THREADS / rate:.3f}"] if rate else []),
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    out = done.stdout
    latency = dict(re.findall(r"^\s*(50|75|90|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)$", out, re.MULTILINE)
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    return {
        "requests_per_second": float(rate.group(1)) if rate else 0.0,
        "latency": latency,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sockets.group(1) if sockets else "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rate",
        type=int,
        default=300,
        help="the portal's steady rate, after its run at full speed (0: none)",
    )
    # tutela serve's own defaults: two processes of two threads per core.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    subprocess.run(
        [str(Path(__file__).resolve().parents[1] / "scripts" / "ensure-wrk")], check=True
    )

    env = dict(os.environ)
    env.setdefault("TUTELA_HOME", "var")
    started = time.monotonic()
    for command in (
        ["migrate", "-v0"],
        [
            "shell",
            "--no-imports",
            "-c",
            SETUP.format(students=args.students, parent=PARENT, staff=STAFF, password=PASSWORD),
        ],
    ):
        done = subprocess.run([TUTELA, *command], env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(done.stderr)
    search = done.stdout.strip().splitlines()[-1]
    setup_seconds = time.monotonic() - started

    port = free_port()
    server = subprocess.Popen(
        [
            TUTELA,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        results = {
            "students": args.students,
            "database": "postgresql" if env.get("DATABASE_URL") else "sqlite",
            "web": f"{args.workers} workers x {args.threads} threads",
            "connections": args.connections,
            "seconds": args.seconds,
            "setup_seconds": round(setup_seconds, 1),
            "load_before": os.getloadavg(),
            "portal": wrk(
                f"{base}/portal/",
                sign_in(port, PARENT),
                seconds=args.seconds,
                connections=args.connections,
            ),
            "portal_at_rate": wrk(
                f"{base}/portal/",
                sign_in(port, PARENT),
                seconds=args.seconds,
                connections=args.connections,
                rate=args.rate,
            )
            if args.rate
            else None,
            "staff_search": wrk(
                f"{base}/staff/search/?{urlencode({'q': search})}",
                sign_in(port, STAFF),
                seconds=args.seconds,
                connections=args.connections,
            ),
            "load_after": os.getloadavg(),
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
