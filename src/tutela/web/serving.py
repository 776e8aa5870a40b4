"""Tutela's application server (gunicorn) and job worker (Huey's consumer), run in-process.

``tutela serve`` and ``tutela worker`` start these. Both stop cleanly on SIGTERM, as systemd
and container runtimes stop a service: gunicorn lets each worker finish the request it is
answering, and Huey's consumer lets each job finish (every job's writes are one transaction:
it commits or rolls back, never half-written). A second SIGTERM, or ``TUTELA_STOP_SECONDS``
without an end, stops them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from gunicorn.app.base import BaseApplication
from huey.consumer import Consumer

# How long a stop waits for the requests and jobs in progress.
STOP_SECONDS = 30


class TutelaServer(BaseApplication):
    """gunicorn with Tutela's WSGI application and the settings given, not a config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIHandler:
        from tutela.wsgi import application

        return application


def serve(*, bind: str, workers: int, threads: int) -> None:
    """Serve Tutela until SIGTERM or SIGINT. Static files come from whitenoise."""
    from django.db import connections

    # Each gunicorn worker opens its own connections; none may be inherited across the fork.
    connections.close_all()
    TutelaServer(
        {
            "bind": [bind],
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "graceful_timeout": STOP_SECONDS,
            "timeout": 120,  # a big staff export or upload may take this long
            # No access log: paths of emailed links carry their tokens.
            "accesslog": None,
            "errorlog": "-",
            "umask": 0o077,
            "proc_name": "tutela",
            # gunicorn 24+ opens a control socket in the home folder; Tutela needs none.
            "control_socket_disable": True,
            # A request line or header this long is no browser's.
            "limit_request_line": 8190,
        }
    ).run()


class JobWorker(Consumer):
    """Huey's consumer, saying when it runs: from then on SIGTERM stops it gracefully."""

    def __init__(self, *args: Any, started: Callable[[], None], **kwargs: Any) -> None:
        self.started = started
        super().__init__(*args, **kwargs)

    def start(self) -> None:
        super().start()
        self.started()


def work(*, workers: int, started: Callable[[], None]) -> None:
    """Run the job queue's consumer, with its periodic tasks, until SIGTERM or SIGINT."""
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    JobWorker(
        HUEY,
        started=started,
        workers=workers,
        worker_type="thread",
        periodic=True,
        graceful_signal="TERM",
        shutdown_timeout=STOP_SECONDS,
        check_worker_health=True,
    ).run()
