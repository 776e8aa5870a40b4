"""``tutela demo``: a sample district on the embedded database, served on localhost."""

from __future__ import annotations

import argparse
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand
from tutela.core.private import write_private
from tutela.people.models import Contact, Student
from tutela.sampledata.district import generate_district
from tutela.sampledata.load import load_district

DEMO_ADMIN = "admin"
# The Ed-Fi Grand Bend sample (Apache-2.0: LICENSE-Ed-Fi and NOTICE beside it).
GRAND_BEND = Path(__file__).resolve().parents[2] / "grand_bend"
# Grand Bend Elementary School: where the demo places students the sample gives no school.
GRAND_BEND_FALLBACK_SCHOOL = "255901107"


def _counted(low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from {low} to {high}")
        return value

    return parse


class Command(TutelaCommand):
    help = "Set up a demo district (if the database is empty) and serve Tutela on localhost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--students", type=_counted(1, 1_000_000), default=400, help="students to generate"
        )
        parser.add_argument(
            "--district",
            choices=("synthetic", "grand-bend"),
            default="synthetic",
            help="grand-bend: the Ed-Fi Grand Bend sample district (real public data) instead "
            "of a generated one",
        )
        parser.add_argument("--port", type=_counted(1, 65535), default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Student.objects.exists():
            if options["district"] == "grand-bend":
                self._grand_bend()
            else:
                counts = load_district(generate_district(options["students"]))
                self.stdout.write(
                    "Created a demo district: {schools} schools, {students} students, "
                    "{contacts} contacts, {links} student links.".format(**counts)
                )
            from tutela.accesscodes.services.issuing import generate_codes

            issued = generate_codes(actor=command_line_user())
            self.stdout.write(
                f"Issued {issued} parent access codes: download them at /staff/access-codes/ "
                "or with `tutela codes export --output FILE`; parents register at /register/."
            )
        else:
            self.stdout.write("The database already has students; leaving them as they are.")
        site = f"http://127.0.0.1:{options['port']}"
        password_file = self._demo_admin()
        self.stdout.write(
            f"Staff: sign in at {site}/staff/ (or the Django admin at {site}/admin/) as "
            f"{DEMO_ADMIN!r}; the password is in {password_file}"
        )
        parent = self._demo_parent()
        if parent is not None:
            username, parent_file = parent
            self.stdout.write(
                f"Parent: sign in at {site}/accounts/sign-in/ as {username!r}; the temporary "
                f"password is in {parent_file} (you choose a new one at first sign-in)"
            )
        if not options["no_serve"]:
            self.start_worker()
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)

    def _grand_bend(self) -> None:
        """The Ed-Fi Grand Bend sample through ``tutela import edfi``; the sample gives a
        school for only some students, so the rest are placed at its elementary school."""
        from tutela.imports.edfi.importer import EdfiImporter
        from tutela.imports.runner import run_import

        with run_import(
            EdfiImporter(),
            GRAND_BEND,
            actor=command_line_user(),
            options={"school": GRAND_BEND_FALLBACK_SCHOOL},
        ) as result:
            counters = result.counters
        self.stdout.write(
            f"Imported the Ed-Fi Grand Bend sample district: {counters['schools_added']} "
            f"schools, {counters['students_added']} students, {counters['contacts_added']} "
            f"contacts, {counters['links_added']} student links. The sample gives a school for "
            "only some students (from their attendance); the others are placed at Grand Bend "
            f"Elementary School ({GRAND_BEND_FALLBACK_SCHOOL})."
        )

    @staticmethod
    def start_worker() -> Any:
        """Run the background queue in this process, in a thread, so the demo's background
        jobs (AutoCreate's staff screen) run with nothing else to start; a deployment runs
        ``tutela run_huey`` instead. Returns the consumer (``None`` when jobs run at once)."""
        import signal

        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            return None
        consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=False)
        # Huey's consumer takes the process's signals over; the web server keeps its own, so
        # Ctrl-C and a TERM still stop the demo.
        names = ("SIGINT", "SIGTERM", "SIGHUP")
        saved = {sig: signal.getsignal(sig) for n in names if (sig := getattr(signal, n, None))}
        consumer.start()
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        return consumer

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
                    admin = Account(
                        username=DEMO_ADMIN,
                        is_staff=True,
                        is_superuser=True,
                        is_district_admin=True,
                    )
                admin.set_password(password)
                admin.save()
                write_private(password_file, password + "\n")
        return str(password_file)

    @staticmethod
    def _demo_parent() -> tuple[str, str] | None:
        """A guardian granted at least one child gets a portal account with a temporary password.

        Like the admin's, the password goes to a private file; the parent must change it at the
        first sign-in, which shows that flow too.
        """
        from tutela.accounts.models import Account
        from tutela.accounts.services import create_account

        password_file = settings.TUTELA_HOME / "demo-parent-password"
        existing = Account.objects.filter(contact__isnull=False, is_imported=False).first()
        if existing is not None and password_file.exists():
            return existing.username, str(password_file)
        if existing is not None:
            return None
        contact = (
            Contact.objects.filter(
                emails__is_primary=True, student_links__details__allow_data_access=True
            )
            .order_by("pk")
            .first()
        )
        if contact is None:
            return None
        password = secrets.token_urlsafe(12)
        account = create_account(
            actor=command_line_user(), contact=contact, temporary_password=password
        )
        write_private(password_file, password + "\n")
        return account.username, str(password_file)
