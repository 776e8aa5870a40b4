"""The contacts file through the imports screens against the command line, on one database.

    .venv/bin/python bench/web_imports.py --students 100000 --database sqlite
    .venv/bin/python bench/web_imports.py --students 100000 --database postgresql

Generates the benchmark district's files (``bench/district_files.py``, reused from ``--work``),
imports its students into a fresh database and keeps a copy of that state. Then ``tutela
serve`` (one process, as a small district runs it) and ``tutela worker`` are started, a district
admin signs in, uploads the contacts file, maps it, previews it and confirms it, polling the
progress as the page's script does; the web processes' memory (VmRSS of gunicorn's processes)
is sampled all the while; the results page's first screen is timed. The same file is then
imported with ``tutela import contacts``: a dry run before the web flow, and for real after it
from the same starting state. The command's times include its start-up (a second or two).
Prints one JSON object with the times, their ratios, memory and the load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from contacts_import import DEFAULT_PG, fresh_postgres, generate  # noqa: E402
from serve_load import PASSWORD, STAFF, free_port, sign_in  # noqa: E402

TUTELA = str(Path(sys.executable).with_name("tutela"))
SETUP = f"""
from tutela.accounts.models import Account
account = Account(username={STAFF!r}, is_staff=True, is_district_admin=True)
account.set_password({PASSWORD!r})
account.save()
"""


def tutela(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([TUTELA, *args], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"tutela {' '.join(args)}: {done.stderr}")
    return time.perf_counter() - start


def rss_mib(root: int) -> float:
    """The resident memory of ``root`` and its children (gunicorn's master and workers)."""
    pids = [root]
    children = Path(f"/proc/{root}/task/{root}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self) -> None:
        while self.running:
            self.samples.append(rss_mib(self.pid))
            time.sleep(0.5)


class Browser:
    """A signed-in member of staff, as plain HTTP requests (the form posts a browser makes)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = sign_in(port, STAFF)
        self.csrf = self.cookie.split(";")[0].split("=", 1)[1]

    def request(
        self, method: str, path: str, body: bytes = b"", kind: str = ""
    ) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf}
        if kind:
            headers["Content-Type"] = kind
        connection.request(method, path, body=body or None, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location") or "", answer.read()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, bytes]:
        body = urlencode({"csrfmiddlewaretoken": self.csrf, **fields}).encode()
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def upload(self, path: str, kind: str, file: Path) -> tuple[int, str, bytes]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (("csrfmiddlewaretoken", self.csrf), ("kind", kind))
        ]
        head = "".join(parts) + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{file.name}"\r\nContent-Type: text/csv\r\n\r\n'
        )
        body = head.encode() + file.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def wait(self, upload: str) -> float:
        """Poll the progress as the page does (every second) until the run is finished."""
        start = time.perf_counter()
        while True:
            _, _, body = self.request("GET", f"{upload}progress.json")
            state = json.loads(body)
            if state["finished"]:
                if state["error"]:
                    sys.exit(state["error"])
                return time.perf_counter() - start
            time.sleep(0.25)


def web_flow(env: dict[str, str], contacts: Path) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen(
        [TUTELA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [TUTELA, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        browser = Browser(port)
        sampler = Sampler(server.pid)
        sampler.start()
        idle = rss_mib(server.pid)
        start = time.perf_counter()
        status, mapping, _ = browser.upload("/staff/imports/new/", "contacts", contacts)
        assert status == 302, status
        upload_seconds = time.perf_counter() - start
        _, _, page = browser.request("GET", mapping)
        chosen = dict(
            re.findall(rb'name="(column_\d+)".*?<option value="([^"]*)" selected', page, re.S)
        )
        fields = {k.decode(): v.decode() for k, v in chosen.items()}
        start = time.perf_counter()
        status, progress, _ = browser.post(mapping, fields)
        assert status == 302, status
        browser.wait(progress)
        preview = time.perf_counter() - start
        start = time.perf_counter()
        browser.post(f"{progress}confirm/", {})
        browser.wait(progress)
        real = time.perf_counter() - start
        _, results, _ = browser.request("GET", progress)
        screens = []
        for _ in range(5):
            start = time.perf_counter()
            status, _, body = browser.request("GET", results)
            screens.append(time.perf_counter() - start)
            assert status == 200 and b"row-results" in body, (status, results, body[:3000])
        sampler.running = False
        sampler.join()
        return {
            "upload_seconds": round(upload_seconds, 1),
            "preview_seconds": round(preview, 1),
            "import_seconds": round(real, 1),
            "results_first_screen_ms": [round(s * 1000) for s in screens],
            "web_memory_mib": {
                "idle": round(idle),
                "min": round(min(sampler.samples)),
                "max": round(max(sampler.samples)),
            },
        }
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tutela-bench")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    folder = generate(args.students, args.work)
    contacts = folder / "contacts.csv"
    env = dict(os.environ)
    env["TUTELA_HOME"] = str(args.work / "web-home")
    shutil.rmtree(env["TUTELA_HOME"], ignore_errors=True)
    database = args.work / f"web-{args.students}.sqlite3"
    if args.database == "sqlite":
        database.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        fresh_postgres(args.pg_url)
        env["DATABASE_URL"] = args.pg_url
    tutela(env, "migrate", "-v0")
    tutela(env, "import", "students", str(folder / "students.csv"))
    tutela(env, "shell", "--no-imports", "-c", SETUP)
    snapshot = save_state(args, database)

    load_before = os.getloadavg()
    # The command line's dry run first, so neither side alone gets the cold caches.
    cli_preview = tutela(env, "import", "contacts", str(contacts), "--dry-run")
    web = web_flow(env, contacts)
    restore_state(args, database, snapshot)
    cli_import = tutela(env, "import", "contacts", str(contacts))
    result = {
        "database": args.database,
        "students": args.students,
        "file_mb": round(contacts.stat().st_size / 2**20, 1),
        **web,
        "cli_preview_seconds": round(cli_preview, 1),
        "cli_import_seconds": round(cli_import, 1),
        "preview_ratio": round(web["preview_seconds"] / cli_preview, 2),
        "import_ratio": round(web["import_seconds"] / cli_import, 2),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))


def save_state(args: argparse.Namespace, database: Path) -> str:
    """A copy of the database holding the students only, for the command line's real run."""
    if args.database == "sqlite":
        copy = database.with_suffix(".students.sqlite3")
        shutil.copyfile(database, copy)
        return str(copy)
    import psycopg

    base, name = args.pg_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}_students"')
        connection.execute(f'CREATE DATABASE "{name}_students" TEMPLATE "{name}"')
    return f"{name}_students"


def restore_state(args: argparse.Namespace, database: Path, snapshot: str) -> None:
    if args.database == "sqlite":
        for extra in ("-wal", "-shm"):
            Path(f"{database}{extra}").unlink(missing_ok=True)
        shutil.copyfile(snapshot, database)
        return
    import psycopg

    base, name = args.pg_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{snapshot}"')


if __name__ == "__main__":
    main()
