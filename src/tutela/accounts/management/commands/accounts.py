"""``tutela accounts create|set-password|disable|enable|reset-two-step``: accounts for staff who
script.

The same services as the staff screens. Errors exit 2 with one line, in PowerSchool's words where
PowerSchool has them ("Username not available", "The account email address is already in use by
another access account"). Passwords are read from standard input and never printed.
"""

from __future__ import annotations

import getpass
import sys
from smtplib import SMTPException
from typing import Any

from django.core.management.base import CommandParser

from tutela.accounts import services, two_step
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError, one_line
from tutela.people.models import Contact
from tutela.people.services import ServiceError


def _account(username: str) -> Account:
    account = Account.objects.filter(username__iexact=username).first()
    if account is None:
        raise UsageError(f"no account with username {username!r}")
    return account


def _read_password() -> str:
    """One line from standard input (piped), or a hidden prompt at a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass("Temporary password: ")
    return sys.stdin.readline().rstrip("\r\n")


class Command(TutelaCommand):
    help = "Create, enable and disable parents' portal accounts; set temporary passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create the account of a contact")
        create.add_argument("contact_id", type=int, metavar="CONTACT_ID")
        create.add_argument("--username", help="default: the account email")
        create.add_argument("--email", help="one of the contact's emails (default: its primary)")
        create.add_argument(
            "--send-activation", action="store_true", help="email an activation link"
        )
        password = actions.add_parser(
            "set-password", help="set a temporary password read from standard input"
        )
        password.add_argument("username", metavar="USERNAME")
        password.add_argument(
            "--temporary",
            action="store_true",
            help="the parent must change it at first sign-in (required)",
        )
        for name, text in (
            ("disable", "stop an account signing in"),
            ("enable", "let it again"),
            ("reset-two-step", "clear an account's two-step sign-in (a lost phone)"),
        ):
            actions.add_parser(name, help=text).add_argument("username", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                self._create(options)
            elif action == "set-password":
                if not options["temporary"]:
                    raise UsageError(
                        "set-password needs --temporary: parents choose their own passwords"
                    )
                account = _account(options["username"])
                password = _read_password()
                if not password:
                    raise UsageError("no password on standard input")
                services.set_temporary_password(
                    actor=command_line_user(), account=account, password=password
                )
                self.stdout.write(
                    f"Temporary password set for {account.username}; "
                    "it must be changed at the first sign-in."
                )
            elif action == "disable":
                account = _account(options["username"])
                services.disable_account(actor=command_line_user(), account=account)
                self.stdout.write(f"Disabled {account.username}")
            elif action == "enable":
                account = _account(options["username"])
                services.enable_account(actor=command_line_user(), account=account)
                self.stdout.write(f"Enabled {account.username}")
            elif action == "reset-two-step":
                account = _account(options["username"])
                two_step.reset_two_step(actor=command_line_user(), account=account)
                self.stdout.write(
                    f"Two-step sign-in of {account.username} reset: the next sign-in asks no code"
                )
        except ServiceError as error:
            raise UsageError(str(error)) from None

    def _create(self, options: dict[str, Any]) -> None:
        contact = Contact.objects.filter(pk=options["contact_id"]).first()
        if contact is None:
            raise UsageError(f"no contact with id {options['contact_id']}")
        try:
            account = services.create_account(
                actor=command_line_user(),
                contact=contact,
                username=options["username"],
                email=options["email"],
                send_activation=options["send_activation"],
            )
        except (OSError, SMTPException) as error:
            # The email goes out once the account is committed, so the account is there.
            raise UsageError(
                f"the account of contact {contact.pk} was created, but the activation email "
                f"could not be sent ({one_line(error)}); send a new link from the staff screen"
            ) from None
        note = "; an activation link was emailed" if options["send_activation"] else ""
        self.stdout.write(
            f"Created account {account.username} ({account.email}) for contact {contact.pk}{note}"
        )
