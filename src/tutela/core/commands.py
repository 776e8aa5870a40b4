"""The base of every ``tutela`` command: one-line errors and the exit codes users script on.

Exit status 0 is success, 2 is "the file, the arguments or the set-up is unusable" with a single
line on standard error. A command never shows a Python traceback to a district admin; a developer
can ask for one with ``--traceback``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from tutela.core.tabular import FileProblem

USAGE_ERROR = 2


class UsageError(Exception):
    """A wrong argument or an unusable input, reported on one line with exit status 2."""


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


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or error.__class__.__name__


class TutelaCommand(BaseCommand):
    """A management command whose expected failures exit 2 with one line on stderr."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = f"tutela {subcommand}"
        _one_line_errors(parser)
        return parser

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
            if "no such table" in message or "does not exist" in message:
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
