"""``tutela codesets list [TYPE]`` and ``tutela codesets add TYPE CODE``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.people.models import Code, CodeType
from tutela.people.services import ServiceError, add_code


class Command(TutelaCommand):
    help = "List or add the district's code set values."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="list the codes, of one type or all")
        listing.add_argument("type", nargs="?", metavar="TYPE")
        adding = actions.add_parser("add", help="add a code to a code set")
        adding.add_argument("type", metavar="TYPE")
        adding.add_argument("code", metavar="CODE")
        adding.add_argument("--name", default="", help="display name (default: the code)")
        adding.add_argument("--parent", help="the parent code (a State's Country)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            try:
                code = add_code(
                    actor=command_line_user(),
                    code_type=options["type"],
                    code=options["code"],
                    display_name=options["name"],
                    parent=options["parent"],
                )
            except ServiceError as error:
                raise UsageError(str(error)) from None
            self.stdout.write(f"Added {code.code_type} {code.qualified_code}")
            return
        codes = Code.objects.select_related("parent").order_by("code_type", "id")
        if options["type"]:
            kind = next((t for t in CodeType if t.value.lower() == options["type"].lower()), None)
            if kind is None:
                known = ", ".join(t.value for t in CodeType)
                raise UsageError(f"unknown code set {options['type']!r}; known: {known}")
            codes = codes.filter(code_type=kind)
        for code in codes:
            self.stdout.write(f"{code.code_type}\t{code.qualified_code}\t{code.display_name}")
