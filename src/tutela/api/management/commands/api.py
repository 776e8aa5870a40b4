"""``tutela api``: personal API tokens from the command line (docs/api.md).

- ``add-token USERNAME [--name NAME]`` makes a token for a staff member and prints it, once;
- ``list-tokens [USERNAME]`` lists tokens (never the tokens themselves);
- ``revoke-token ID`` stops one at once.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import CommandError

from tutela.accounts.models import Account
from tutela.api.tokens import TokenError, create_token, revoke_token, tokens_visible_to
from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand


class Command(TutelaCommand):
    help = "Personal API tokens for the REST API: add-token, list-tokens, revoke-token."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add-token", help="make a staff member's token; printed once")
        add.add_argument("username")
        add.add_argument("--name", default="command line", help="what will use the token")
        listed = actions.add_parser("list-tokens", help="list tokens, of one person or all")
        listed.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke-token", help="stop a token at once")
        revoke.add_argument("token_id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except TokenError as problem:
            raise CommandError(str(problem)) from None

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
