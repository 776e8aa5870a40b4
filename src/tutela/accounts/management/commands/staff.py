"""``tutela staff add|list|set-schools|disable|enable``: the district's staff people.

The same services as the staff screen (``accounts.staff_members``), run as the command-line user,
who is district-wide. Errors exit 2 with one line. Nobody types a staff person's password: the
new person chooses it through the emailed activation link.
"""

from __future__ import annotations

import json
from smtplib import SMTPException
from typing import Any

from django.core.management.base import CommandParser

from tutela.accounts import staff_members
from tutela.accounts.models import Account
from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError, one_line
from tutela.people.services import ServiceError


def _person(username: str) -> Account:
    account = staff_members.find_staff_person(username)
    if account is None:
        raise UsageError(f"no staff account with username {username!r}")
    return account


def _summary(account: Account) -> dict[str, Any]:
    """One staff person as ``list --json`` prints them."""
    return {
        "username": account.username,
        "email": account.email,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "role": staff_members.role_of(account),
        "schools": sorted(s.school_number for s in account.schools.all()),
        "enabled": account.is_active,
        "last_sign_in": account.last_login.isoformat() if account.last_login else None,
    }


class Command(TutelaCommand):
    help = "Add district staff with a role and schools, list them, change their schools, disable."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="add a staff person and email an activation link")
        add.add_argument("username", metavar="USERNAME")
        add.add_argument("--email", required=True, help="where the activation link goes")
        add.add_argument("--role", required=True, choices=staff_members.ROLES)
        add.add_argument(
            "--school",
            nargs="+",
            action="extend",
            default=[],
            metavar="N",
            help="the school numbers the role covers (one or more; repeatable)",
        )
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        listing = actions.add_parser("list", help="list the staff people")
        listing.add_argument("--json", action="store_true", help="print them as JSON")
        schools = actions.add_parser("set-schools", help="set the schools a staff person covers")
        schools.add_argument("username", metavar="USERNAME")
        schools.add_argument("schools", nargs="*", metavar="N")
        for name, text in (("disable", "stop a staff person signing in"), ("enable", "again")):
            actions.add_parser(name, help=text).add_argument("username", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = command_line_user()
        try:
            if action == "add":
                self._add(options)
            elif action == "list":
                self._list(as_json=options["json"])
            elif action == "set-schools":
                account = _person(options["username"])
                chosen = staff_members.schools_numbered(options["schools"])
                staff_members.set_staff_access(actor=actor, account=account, schools=chosen)
                numbers = ", ".join(s.school_number for s in chosen) or "none"
                if staff_members.role_of(account) == staff_members.DISTRICT_ADMIN:
                    numbers = "every school (a district admin)"
                self.stdout.write(f"{account.username} now covers schools: {numbers}")
            else:
                account = _person(options["username"])
                enabled = action == "enable"
                staff_members.set_staff_enabled(actor=actor, account=account, enabled=enabled)
                self.stdout.write(f"{'Enabled' if enabled else 'Disabled'} {account.username}")
        except ServiceError as error:
            raise UsageError(str(error)) from None

    def _add(self, options: dict[str, Any]) -> None:
        schools = staff_members.schools_numbered(options["school"])
        try:
            account = staff_members.add_staff_person(
                actor=command_line_user(),
                username=options["username"],
                email=options["email"],
                role=options["role"],
                schools=schools,
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except (OSError, SMTPException) as error:
            # The email goes out once the account is committed, so the account is there.
            raise UsageError(
                f"{options['username']} was added, but the activation email could not be sent "
                f"({one_line(error)}); send a new link from the staff screen"
            ) from None
        self.stdout.write(
            f"Added {account.username} ({staff_members.role_of(account)}); "
            f"an activation link was emailed to {account.email}"
        )

    def _list(self, *, as_json: bool) -> None:
        people = [_summary(account) for account in staff_members.staff_people()]
        if as_json:
            self.stdout.write(json.dumps({"staff": people}, indent=2))
            return
        for person in people:
            schools = (
                "all"
                if person["role"] == staff_members.DISTRICT_ADMIN
                else ",".join(person["schools"])
            )
            self.stdout.write(
                "\t".join(
                    [
                        person["username"],
                        person["role"],
                        schools or "-",
                        person["email"] or "-",
                        "enabled" if person["enabled"] else "disabled",
                        person["last_sign_in"] or "never signed in",
                    ]
                )
            )
