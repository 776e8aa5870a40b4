"""``tutela api``: the learning systems that may read rosters through the OneRoster API.

``add-client`` prints the client id and secret once, as JSON; only the secret's hash is kept.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from oauth2_provider.models import Application

from tutela.api.models import ClientSchools
from tutela.api.services import add_client, remove_client
from tutela.core.commands import TutelaCommand, UsageError
from tutela.people.models import School


class Command(TutelaCommand):
    help = "The OneRoster API's clients: add one (its secret shown once), list them, remove one."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add-client", help="add a client; prints its id and secret once")
        add.add_argument("name", metavar="NAME")
        add.add_argument(
            "--school",
            action="append",
            default=[],
            metavar="N",
            help="limit the client to this school number (repeat for several)",
        )
        actions.add_parser("list-clients", help="list the clients and the schools they may read")
        remove = actions.add_parser("remove-client", help="remove a client and its tokens")
        remove.add_argument("client_id", metavar="CLIENT_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add-client":
            self._add(options["name"], options["school"])
        elif action == "list-clients":
            self._list()
        elif action == "remove-client":
            if not remove_client(client_id=options["client_id"].strip()):
                raise UsageError(f"CLIENT_ID {options['client_id']}: no client has this id")
            self.stdout.write(f"removed client {options['client_id'].strip()}")

    def _add(self, name: str, numbers: list[str]) -> None:
        if not name.strip():
            raise UsageError("NAME: a client needs a name")
        schools = []
        for number in numbers:
            school = School.objects.filter(school_number=number.strip()).first()
            if school is None:
                raise UsageError(f"--school {number}: no school has this number")
            schools.append(school)
        client = add_client(name=name.strip(), schools=schools)
        self.stdout.write(
            json.dumps({"client_id": client.client_id, "client_secret": client.client_secret})
        )

    def _list(self) -> None:
        limits = {
            limit.application_id: sorted(s.school_number for s in limit.schools.all())
            for limit in ClientSchools.objects.prefetch_related("schools")
        }
        clients = [
            {
                "client_id": application.client_id,
                "name": application.name,
                "schools": limits.get(application.pk, []),
                "created": application.created.isoformat(),
            }
            for application in Application.objects.order_by("created", "pk")
        ]
        self.stdout.write(json.dumps(clients, indent=2))
