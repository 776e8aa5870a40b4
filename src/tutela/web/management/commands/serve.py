"""``tutela serve``: Tutela on gunicorn, static files by whitenoise, until SIGTERM."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser

from tutela.core.commands import TutelaCommand
from tutela.web.serving import serve


def positive(text: str) -> int:
    """An argument type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


class Command(TutelaCommand):
    help = (
        "Serve Tutela with gunicorn (static files by whitenoise) until SIGTERM; "
        "run `tutela worker` beside it for background jobs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            metavar="ADDR:PORT",
            default=settings.TUTELA_BIND,
            help="address and port to listen on (default: TUTELA_BIND, 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            type=positive,
            default=settings.TUTELA_WEB_WORKERS,
            help="web processes (default: TUTELA_WEB_WORKERS, two per CPU core)",
        )
        parser.add_argument(
            "--threads",
            type=positive,
            default=settings.TUTELA_WEB_THREADS,
            help="threads in each web process (default: TUTELA_WEB_THREADS, 2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving Tutela on {options['bind']} (stop with SIGTERM or Ctrl-C).")
        self.stdout.flush()
        serve(bind=options["bind"], workers=options["workers"], threads=options["threads"])
