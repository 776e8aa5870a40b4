"""No password, token, access code, two-step secret or API secret in any log.

Every flow that handles one runs with every logger at DEBUG (SQL with its parameters too, as
``DEBUG=True`` logs it), propagating to one capturing handler, and with the console email
backend; the secrets may then appear only inside the body of an email sent to their owner
(an activation link in its parent's email), never in a log line, a command's output, nor any
other email.
"""

from __future__ import annotations

import base64
import email
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.cast import PASSWORD, Cast
from tests.conftest import Run
from tests.rostering.api.conftest import ROOT, ask_token
from tutela.accesscodes.models import AccessCode
from tutela.accesscodes.services import issuing
from tutela.accounts import two_step
from tutela.accounts.services import send_activation, set_temporary_password
from tutela.api.models import ApiToken
from tutela.api.tokens import create_token, revoke_token
from tutela.core.audit import command_line_user
from tutela.people.models import StudentContactDetail
from tutela.rostering.clients import add_client

pytestmark = pytest.mark.django_db

SEPARATOR = "-" * 79 + "\n"
# The links an email carries its one secret in.
LINK = re.compile(r"/(?:activate|password/reset|register|email/confirm)/([A-Za-z0-9_\-]{20,})/")


@dataclass
class Captured:
    """Everything logged and printed while the flows ran, and the emails among it."""

    log: io.StringIO
    capsys: pytest.CaptureFixture[str]
    printed: list[str] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)

    def collect(self, *runs: Run) -> None:
        out, err = self.capsys.readouterr()
        for text in (out, err, *(run.out for run in runs), *(run.err for run in runs)):
            self._split(text)

    def _split(self, text: str) -> None:
        # The console backend writes each message, then a line of 79 dashes.
        for chunk in text.split(SEPARATOR):
            start = chunk.find("Content-Type: ")
            if start == -1:
                self.printed.append(chunk)
                continue
            self.printed.append(chunk[:start])
            message = email.message_from_string(chunk[start:], policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.emails.append(message)

    def outside_email(self) -> str:
        self.collect()
        return self.log.getvalue() + "".join(self.printed)

    @staticmethod
    def body(message: EmailMessage) -> str:
        return "".join(
            str(part.get_content())
            for part in message.walk()
            if part.get_content_maintype() == "text"
        )

    def emailed_tokens(self) -> dict[str, str]:
        """Each link token emailed, and the address it was sent to."""
        self.collect()
        return {
            token: str(message["To"])
            for message in self.emails
            for token in LINK.findall(self.body(message))
        }

    def assert_hidden(self, *secrets: str, owned: dict[str, str] | None = None) -> None:
        """``secrets`` appear nowhere; ``owned`` ones only in emails to their owner."""
        owned = owned or {}
        text = self.outside_email()
        for secret in (*secrets, *owned):
            assert secret and secret not in text, f"a secret is in the log: {secret[:4]}..."
        for message in self.emails:
            body = self.body(message)
            for secret in secrets:
                assert secret not in body, f"a secret is in an email: {secret[:4]}..."
            for secret, owner in owned.items():
                if secret in body:
                    assert str(message["To"]) == owner, f"{owner}'s secret emailed to another"


@pytest.fixture
def captured(
    settings: Any, capsys: pytest.CaptureFixture[str], immediate_queue: Any
) -> Iterator[Captured]:
    settings.EMAIL_BACKEND = "tutela.notifications.backends.ConsoleEmailBackend"
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger()] + [
        found
        for found in logging.root.manager.loggerDict.values()
        if isinstance(found, logging.Logger)
    ]
    before = [(one, one.level, one.propagate, one.disabled) for one in loggers]
    for one in loggers:
        one.setLevel(logging.DEBUG)
        one.propagate = True
        one.disabled = False
    logging.getLogger().addHandler(handler)
    connection.force_debug_cursor = True  # what DEBUG=True does: every query is logged
    try:
        yield Captured(log=log, capsys=capsys)
    finally:
        connection.force_debug_cursor = False
        logging.getLogger().removeHandler(handler)
        for one, level, propagate, disabled in before:
            one.setLevel(level)
            one.propagate = propagate
            one.disabled = disabled
    assert "django.db.backends DEBUG" in log.getvalue(), "the SQL log did not run"


def run_now(client: Client, capture: Any, method: str, path: str, data: Any = None) -> Any:
    """A request whose emails go out as its transaction commits (here, at once)."""
    with capture(execute=True):
        return getattr(client, method)(path, data or {})


WRONG = "wrong horse battery staple"
CHOSEN = "otters hold hands while asleep"
ANOTHER = "a kettle sings on the stove"


def test_signing_in_and_passwords(
    captured: Captured, cast_with_passwords: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast = cast_with_passwords
    client = Client()
    client.post("/accounts/sign-in/", {"username": "hana.hill", "password": WRONG})
    client.post("/accounts/sign-in/", {"username": PASSWORD, "password": "hana.hill"})
    client.post("/accounts/sign-in/", {"username": "hana@example.org", "password": PASSWORD})
    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": CHOSEN, "new_password2": CHOSEN},
    )
    set_temporary_password(actor=cast.dana, account=cast.leo, password=ANOTHER)
    captured.assert_hidden(PASSWORD, WRONG, CHOSEN, ANOTHER)


def test_activation_and_password_reset_links(
    captured: Captured, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        send_activation(actor=cast.dana, account=cast.leo)
    run_now(
        client,
        django_capture_on_commit_callbacks,
        "post",
        "/accounts/password/reset/",
        {"identifier": "hana.hill"},
    )
    tokens = captured.emailed_tokens()
    assert sorted(tokens.values()) == ["hana@example.org", "leo@example.org"]
    for token in tokens:
        path = (
            f"/accounts/activate/{token}/"
            if tokens[token] == "leo@example.org"
            else f"/accounts/password/reset/{token}/"
        )
        client.get(path)
        client.post(path, {"new_password1": CHOSEN, "new_password2": CHOSEN})
        client.get(path)  # used up: 410, which Django's request log reports
    captured.assert_hidden(CHOSEN, owned=tokens)


def test_access_codes_registration_add_child_reset_and_export(
    captured: Captured,
    cast: Cast,
    tutela: Callable[..., Run],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issuing.generate_codes(actor=command_line_user())
    code = AccessCode.objects.get(student=cast.holly, revoked_at__isnull=True).formatted
    client = Client()
    form = {"first_name": "Pat", "last_name": "Hill", "email": "pat@example.org"}
    run_now(
        client, django_capture_on_commit_callbacks, "post", "/register/", {**form, "code": code}
    )
    client.post("/register/", {**form, "code": "AAAA-BBBB-CCCC"})
    tokens = captured.emailed_tokens()
    assert list(tokens.values()) == ["pat@example.org"]
    (token,) = tokens
    run_now(
        client,
        django_capture_on_commit_callbacks,
        "post",
        f"/register/{token}/",
        {"password": CHOSEN, "password_again": CHOSEN},
    )
    parent = Client()
    parent.force_login(cast.leo)
    lila = AccessCode.objects.get(student=cast.lila, revoked_at__isnull=True).formatted
    hugo = AccessCode.objects.get(student=cast.hugo, revoked_at__isnull=True).formatted
    run_now(
        parent, django_capture_on_commit_callbacks, "post", "/portal/add-child/", {"code": hugo}
    )
    runs = [
        tutela("codes", "reset", "--student", "2002"),
        tutela("codes", "export", "--output", str(tmp_path / "codes.csv")),
    ]
    staff = Client()
    staff.force_login(cast.dana)
    staff.get("/staff/access-codes/download/")
    captured.collect(*runs)
    every_code = list(AccessCode.objects.values_list("code", flat=True))
    shown = [AccessCode(code=one).formatted for one in every_code]
    assert runs[1].code == 0 and hugo not in (tmp_path / "codes.csv").read_text()
    captured.assert_hidden(CHOSEN, code, lila, hugo, *every_code, *shown, owned=tokens)


def test_autocreate_and_the_exports(
    captured: Captured,
    cast: Cast,
    tutela: Callable[..., Run],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    issuing.generate_codes(actor=command_line_user())
    # Una has custody of Lila: AutoCreate makes her account and emails its activation link.
    StudentContactDetail.objects.filter(link__contact=cast.una_contact).update(has_custody=True)
    with django_capture_on_commit_callbacks(execute=True):
        created = tutela("autocreate", "--email-template", "Account created (English)", "--json")
    runs = [
        created,
        tutela("export", "contacts", "--output", str(tmp_path / "contacts.csv")),
        tutela("export", "oneroster", "--output", str(tmp_path / "oneroster.zip")),
    ]
    assert runs[0].code == 0, runs[0].err
    captured.collect(*runs)
    tokens = captured.emailed_tokens()
    assert "una@example.org" in tokens.values(), runs[0].out
    captured.assert_hidden(*AccessCode.objects.values_list("code", flat=True), owned=tokens)


def test_two_step_sign_in_secret_and_recovery_codes(
    captured: Captured, cast_with_passwords: Cast
) -> None:
    client = Client()
    client.force_login(cast_with_passwords.dana)
    client.post("/accounts/security/", {"action": "start"})
    device = two_step.pending_app(cast_with_passwords.dana)
    assert device is not None
    secret = two_step.secret_of(device)
    code = str(totp(device.bin_key)).zfill(6)
    codes = client.post("/accounts/security/", {"action": "confirm", "code": code}).context["codes"]
    more = client.post("/accounts/security/", {"action": "recovery"}).context["codes"]
    client.logout()
    client.post("/accounts/sign-in/", {"username": "dana", "password": PASSWORD})
    client.post("/accounts/sign-in/code/", {"code": more[0]})
    app: TOTPDevice = TOTPDevice.objects.get(user=cast_with_passwords.dana)
    later = str(totp(app.bin_key, drift=1)).zfill(6)
    client.logout()
    client.post("/accounts/sign-in/", {"username": "dana", "password": PASSWORD})
    client.post("/accounts/sign-in/code/", {"code": later})
    assert client.get("/staff/").status_code == 200
    captured.assert_hidden(PASSWORD, secret, secret.replace(" ", ""), app.key, *codes, *more)


def test_api_tokens_and_oneroster_client_secrets(captured: Captured, cast: Cast) -> None:
    """The two APIs' secrets: a staff member's API token and a learning system's OAuth client
    secret and access tokens, while they are made, used and refused."""
    made = add_client(actor=command_line_user(), name="Canvas", schools=())
    answer = ask_token(made)
    assert answer.status_code == 200, answer.content
    access = answer.json()["access_token"]
    assert Client().get(ROOT + "users", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200
    wrong = Client().post(
        "/oauth/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{made.client_id}:{WRONG}".encode()).decode(),
    )
    assert wrong.status_code == 401
    token = create_token(actor=command_line_user(), account=cast.dana, name="nightly sync").token
    api = Client()
    assert api.get("/api/v1/students/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    revoke_token(actor=command_line_user(), token=ApiToken.objects.get(account=cast.dana))
    assert api.get("/api/v1/students/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    captured.assert_hidden(made.client_secret, access, token, WRONG)
