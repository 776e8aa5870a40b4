"""The base of every ``tutela`` command: one-line errors and the exit codes users script on.

Exit status 0 is success, 2 is "the file, the arguments or the set-up is unusable" with a single
line on standard error. A command never shows a Python traceback to a district admin; a developer
can ask for one with ``--traceback``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.db import DatabaseError

from tutela.core.tabular import FileProblem

USAGE_ERROR = 2


class UsageError(Exception):
    """A wrong argument or an unusable input, reported on one line with exit status 2."""


def check_output(option: str, path: Path) -> None:
    """Refuse an output file that could not be written, before the command does any work: a
    report that fails after a committed import would say "exit 2, nothing written" wrongly."""
    if not path.parent.is_dir():
        raise UsageError(f"{option} {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder, not a file")
    if not os.access(path.parent, os.W_OK):
        raise UsageError(f"{option} {path}: cannot be written here")


class OneLineParser(CommandParser):
    """An argument parser whose errors are one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        if not self.called_from_command_line:
            raise CommandError(f"Error: {message}")
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        sys.exit(USAGE_ERROR)


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Give the parser and every sub-command parser under it one-line errors."""
    parser.__class__ = OneLineParser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _one_line_errors(sub)


def _missing_table(message: str) -> bool:
    """SQLite's and PostgreSQL's words for a table that ``migrate`` has not made yet.

    A database that does not exist at all is another matter (``migrate`` cannot help): its
    message is shown as it is.
    """
    return "no such table" in message or bool(
        re.search(r'relation "[^"]*" does not exist', message)
    )


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


class TutelaCommand(BaseCommand):
    """A management command whose expected failures exit 2 with one line on stderr."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = f"tutela {subcommand}"
        _one_line_errors(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except SystemCheckError:
            raise  # its report spans several lines by design; the exit status stays 1
        except CommandError as error:
            # Django's own commands say "wrong argument" or "no such file" with CommandError
            # (``migrate nosuchapp``, ``loaddata missing.json``): the same one line and exit 2.
            raise UsageError(str(error)) from None

    def run_from_argv(self, argv: list[str]) -> None:
        self._called_from_command_line = True
        if "--traceback" in argv:
            super().run_from_argv(argv)
            return
        try:
            super().run_from_argv(argv)
        except BrokenPipeError:  # the reader (``| head``) has what it wanted
            sys.stderr.close()
            sys.exit(0)
        except (UsageError, FileProblem, ImproperlyConfigured, OSError) as error:
            self._fail(one_line(error), USAGE_ERROR)
        except DatabaseError as error:
            message = one_line(error)
            if _missing_table(message):
                message = "the database is not set up yet: run `tutela migrate` first"
            self._fail(f"database error: {message}", USAGE_ERROR)
        except Exception as error:  # a bug: still one line, never a traceback
            self._fail(
                f"internal error ({error.__class__.__name__}): {one_line(error)}; "
                "run again with --traceback to see where",
                1,
            )

    def _fail(self, message: str, status: int) -> NoReturn:
        sys.stderr.write(f"tutela: {message}\n")
        sys.exit(status)


def adopt(command: BaseCommand) -> BaseCommand:
    """Give one of Django's own commands (``migrate``, ``createsuperuser`` …) Tutela's errors.

    The command keeps its own behaviour; only its failures change: one line on standard error,
    exit 2 for a wrong argument, a missing file or an unusable database, never a traceback.
    """
    if not isinstance(command, TutelaCommand):
        original = command.__class__
        command.__class__ = type(original.__name__, (TutelaCommand, original), {})
    return command
