"""``tutela demo``: a sample district on the embedded database, served on localhost."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction

from tutela.core.commands import TutelaCommand
from tutela.people.models import Student
from tutela.sampledata.district import generate_district
from tutela.sampledata.load import load_district

DEMO_ADMIN = "admin"


class Command(TutelaCommand):
    help = "Set up a demo district (if the database is empty) and serve Tutela on localhost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=400, help="students to generate")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Student.objects.exists():
            counts = load_district(generate_district(options["students"]))
            self.stdout.write(
                "Created a demo district: {schools} schools, {students} students, "
                "{contacts} contacts, {links} student links.".format(**counts)
            )
            from tutela.accesscodes.services import generate_codes

            issued = generate_codes(actor=None)
            self.stdout.write(
                f"Issued {issued} parent access codes: download them at /staff/access-codes/ "
                "or with `tutela codes export --output FILE`; parents register at /register/."
            )
        else:
            self.stdout.write("The database already has students; leaving them as they are.")
        password_file = self._demo_admin()
        self.stdout.write(
            f"Sign in at http://127.0.0.1:{options['port']}/admin/ as {DEMO_ADMIN!r}; "
            f"the password is in {password_file}"
        )
        if not options["no_serve"]:
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)

    @staticmethod
    def _demo_admin() -> str:
        """The demo admin's password goes to a private file, never to the terminal or a log."""
        from tutela.accounts.models import Account

        password_file = settings.TUTELA_HOME / "demo-admin-password"
        with transaction.atomic():
            admin = Account.objects.filter(username__iexact=DEMO_ADMIN).first()
            if admin is None or not password_file.exists():
                password = secrets.token_urlsafe(12)
                if admin is None:
                    admin = Account(username=DEMO_ADMIN, is_staff=True, is_superuser=True)
                admin.set_password(password)
                admin.save()
                password_file.write_text(password + "\n")
                password_file.chmod(0o600)
        return str(password_file)
