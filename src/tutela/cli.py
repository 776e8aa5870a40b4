"""The ``tutela`` command: every Django management command behind one entry point."""

from __future__ import annotations

import os
import sys


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
    from django.core.management import execute_from_command_line, get_commands

    wanted = argv[1] if len(argv) > 1 else ""
    if wanted and wanted[0] != "-" and wanted not in {"help", "version", *get_commands()}:
        sys.stderr.write(f"tutela: unknown command {wanted!r}; run `tutela help` to list them\n")
        sys.exit(2)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
