"""The ``tutela`` command: every Django management command behind one entry point."""

from __future__ import annotations

import os
import sys
from typing import Any


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutela.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "tutela"
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        sys.stderr.write(f"tutela: configuration error: {error}\n")
        sys.exit(2)
    from django.core.management import ManagementUtility, get_commands

    from tutela.core.commands import adopt

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand: str) -> Any:
            return adopt(super().fetch_command(subcommand))

    known = {"help", "version", *get_commands()}
    wanted = argv[1] if len(argv) > 1 else ""
    if wanted == "help" and len(argv) > 2 and not argv[2].startswith("-"):
        wanted = argv[2]  # `tutela help COMMAND`
    if wanted and wanted not in known and wanted not in {"-h", "--help", "--version"}:
        sys.stderr.write(f"tutela: unknown command {wanted!r}; run `tutela help` to list them\n")
        sys.exit(2)
    Utility(argv).execute()


if __name__ == "__main__":
    main()
