"""``tutela api``: the learning systems allowed to read the OneRoster API.

``add-client`` prints the new client's id and secret as JSON, the only time the secret is
shown (only its hash is kept); ``list-clients`` and ``remove-client`` need only the id.
Errors exit 2 with one line naming the value that is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.people.models import School
from tutela.rostering.clients import ClientError, add_client, clients, remove_client


def _schools(numbers: list[str]) -> list[School]:
    wanted = [number.strip() for number in numbers]
    found = {
        school.school_number: school for school in School.objects.filter(school_number__in=wanted)
    }
    missing = [number for number in wanted if number not in found]
    if missing:
        raise UsageError(f"--school {missing[0]}: no school has this number")
    return [found[number] for number in dict.fromkeys(wanted)]


class Command(TutelaCommand):
    help = "The learning systems allowed to read the OneRoster API: add, list and remove them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser(
            "add-client", help="add an OAuth 2.0 client; prints its id and secret once"
        )
        add.add_argument("name", metavar="NAME")
        add.add_argument(
            "--school",
            action="append",
            default=[],
            metavar="N",
            help="limit the client to this school number (repeat for more); all by default",
        )
        actions.add_parser("list-clients", help="list the clients as JSON (never a secret)")
        remove = actions.add_parser(
            "remove-client", help="remove a client; its tokens stop working at once"
        )
        remove.add_argument("client_id", metavar="CLIENT_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "add-client": self._add_client,
            "list-clients": self._list_clients,
            "remove-client": self._remove_client,
        }
        try:
            handlers[options["action"]](options)
        except ClientError as error:
            raise UsageError(str(error)) from None

    def _add_client(self, options: dict[str, Any]) -> None:
        made = add_client(
            actor=command_line_user(), name=options["name"], schools=_schools(options["school"])
        )
        self.stdout.write(
            json.dumps({"client_id": made.client_id, "client_secret": made.client_secret})
        )

    def _list_clients(self, options: dict[str, Any]) -> None:
        listed = [
            {
                "client_id": client.application.client_id,
                "name": client.name,
                "schools": sorted(school.school_number for school in client.schools.all()),
                "created_at": client.created_at.isoformat(),
            }
            for client in clients()
        ]
        self.stdout.write(json.dumps(listed, indent=2))

    def _remove_client(self, options: dict[str, Any]) -> None:
        client = remove_client(actor=command_line_user(), client_id=options["client_id"])
        self.stdout.write(f"Removed API client {client.name} ({options['client_id'].strip()}).")
