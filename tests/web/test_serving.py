"""``tutela serve`` and ``tutela worker`` run as a district runs them, and stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess

from tests.web.conftest import TUTELA, Site


def test_serve_answers_pages_and_static_files_then_stops_cleanly_on_sigterm(site: Site) -> None:
    with site.serving() as server:
        page = server.get("/accounts/sign-in/")
        assert page.status == 200 and b"<form" in page.read()
        script = server.get("/static/tutela/job.js")
        assert script.status == 200 and script.read()
        assert server.stop() == 0


def test_serve_collects_the_static_files_into_the_data_folder(site: Site) -> None:
    with site.serving() as server:
        assert server.get("/health/live").status == 200
    assert (site.home / "static" / "tutela" / "job.js").is_file()


def test_serve_refuses_a_nonsense_worker_count(site: Site) -> None:
    done = site.run("serve", "--workers", "0")
    assert done.returncode == 2
    assert "'0' is not a whole number of at least 1" in done.stderr


def test_serve_starts_two_processes_of_two_threads_per_core_unless_told(site: Site) -> None:
    show = (
        "from django.conf import settings as s; print(s.TUTELA_WEB_WORKERS, s.TUTELA_WEB_THREADS)"
    )
    cores = os.cpu_count() or 1
    assert site.run("shell", "--no-imports", "-c", show).stdout.split() == [str(2 * cores), "2"]
    told = site.run(
        "shell", "--no-imports", "-c", show, TUTELA_WEB_WORKERS="3", TUTELA_WEB_THREADS="5"
    )
    assert told.stdout.split() == ["3", "5"]


def test_the_worker_runs_until_sigterm_and_exits_cleanly(site: Site) -> None:
    process = subprocess.Popen(
        [TUTELA, "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**site.env, "TUTELA_QUEUE_IMMEDIATE": "false"},
    )
    # Its first line says it is running; then it waits for jobs.
    assert process.stdout is not None
    assert "Running Tutela's background jobs" in process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, process.communicate()[1]
