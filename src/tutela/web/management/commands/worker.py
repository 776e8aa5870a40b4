"""``tutela worker``: the background job worker (Huey's consumer), until SIGTERM."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from tutela.core.commands import TutelaCommand
from tutela.web.management.commands.serve import positive
from tutela.web.serving import work


class Command(TutelaCommand):
    help = (
        "Run background jobs (AutoCreate from the staff screen) and periodic tasks until "
        "SIGTERM, which lets the jobs in progress finish first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=positive,
            default=settings.HUEY["consumer"]["workers"],
            help="jobs run at once (default: TUTELA_QUEUE_WORKERS, 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def started() -> None:
            self.stdout.write("Running Tutela's background jobs (stop with SIGTERM or Ctrl-C).")
            self.stdout.flush()

        work(workers=options["workers"], started=started)
