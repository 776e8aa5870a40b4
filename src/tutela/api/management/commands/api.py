"""``tutela api``: who may use Tutela's APIs (docs/api.md, docs/oneroster-api.md).

Personal API tokens for the REST API:

- ``add-token USERNAME [--name NAME]`` makes a token for a staff member and prints it, once;
- ``list-tokens [USERNAME]`` lists tokens (never the tokens themselves);
- ``revoke-token ID`` stops one at once.

The learning systems allowed to read the OneRoster API:

- ``add-client NAME [--school N ...]`` prints the new client's id and secret as JSON, the only
  time the secret is shown (only its hash is kept);
- ``list-clients`` and ``remove-client CLIENT_ID`` need only the id.

Errors exit with one line naming the value that is wrong.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import CommandError

from tutela.accounts.models import Account
from tutela.api.tokens import TokenError, create_token, revoke_token, tokens_visible_to
from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.rostering.clients import ClientError, add_client, clients, remove_client
from tutela.rostering.management.commands.export import chosen_schools


class Command(TutelaCommand):
    help = (
        "Who may use Tutela's APIs: personal API tokens (add-token, list-tokens, revoke-token) "
        "and the learning systems reading the OneRoster API (add-client, list-clients, "
        "remove-client)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add-token", help="make a staff member's token; printed once")
        add.add_argument("username")
        add.add_argument("--name", default="command line", help="what will use the token")
        listed = actions.add_parser("list-tokens", help="list tokens, of one person or all")
        listed.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke-token", help="stop a token at once")
        revoke.add_argument("token_id", type=int, metavar="ID")

        client = actions.add_parser(
            "add-client", help="add an OAuth 2.0 client; prints its id and secret once"
        )
        client.add_argument("name", metavar="NAME")
        client.add_argument(
            "--school",
            nargs="+",
            action="extend",
            default=[],
            metavar="N",
            help="limit the client to these school numbers (`--school 10 20` or the flag "
            "repeated); all by default",
        )
        actions.add_parser("list-clients", help="list the clients as JSON (never a secret)")
        remove = actions.add_parser(
            "remove-client", help="remove a client; its tokens stop working at once"
        )
        remove.add_argument("client_id", metavar="CLIENT_ID")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except TokenError as problem:
            raise CommandError(str(problem)) from None
        except ClientError as error:
            raise UsageError(str(error)) from None

    def _add_token(self, options: dict[str, Any]) -> None:
        account = Account.objects.filter(username=options["username"]).first()
        if account is None:
            raise CommandError(f"there is no account {options['username']!r}")
        made = create_token(actor=command_line_user(), account=account, name=options["name"])
        self.stdout.write(made.token)

    def _list_tokens(self, options: dict[str, Any]) -> None:
        tokens = tokens_visible_to(actor=command_line_user())
        if options["username"]:
            tokens = tokens.filter(account__username=options["username"])
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "live"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.account.username}\t{token.name}\t{token.prefix}…\t"
                f"last used {used}\t{state}"
            )

    def _revoke_token(self, options: dict[str, Any]) -> None:
        token = tokens_visible_to(actor=command_line_user()).filter(pk=options["token_id"]).first()
        if token is None:
            raise CommandError(f"there is no token {options['token_id']}")
        revoke_token(actor=command_line_user(), token=token)
        self.stdout.write(f"revoked token {token.pk} ({token.name}) of {token.account.username}")

    def _add_client(self, options: dict[str, Any]) -> None:
        made = add_client(
            actor=command_line_user(),
            name=options["name"],
            schools=chosen_schools(options["school"]) or [],
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
