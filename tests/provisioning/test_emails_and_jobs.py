"""AutoCreate's emails through a real SMTP server, the email templates, and background jobs."""

from __future__ import annotations

import gc
import time
from html import unescape
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from tests.conftest import SMTPInbox
from tests.core.test_upkeep import dropped
from tests.provisioning.helpers import guardian, student
from tutela.accounts.models import AccessToken, Account
from tutela.core import upkeep
from tutela.core.audit import command_line_user
from tutela.jobs import lifecycle
from tutela.notifications.email import render_email
from tutela.notifications.vocabulary import EmailContext
from tutela.provisioning import plan as plan_module
from tutela.provisioning import services, tasks
from tutela.provisioning.emails import EmailChoice
from tutela.provisioning.jobs import start_autocreate_job
from tutela.provisioning.models import AutoCreateJob, EmailTemplate
from tutela.provisioning.progress import job_progress
from tutela.provisioning.selection import Selection
from tutela.provisioning.services import record_autocreate_job, run_autocreate

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a long and unusual passphrase 42"


def shipped(kind: str, language: str = "en") -> EmailTemplate:
    return EmailTemplate.objects.get(kind=kind, language=language)


def test_english_and_spanish_templates_are_shipped_and_valid() -> None:
    templates = EmailTemplate.objects.all()
    assert {(t.kind, t.language) for t in templates} == {
        ("account_created", "en"),
        ("account_created", "es"),
        ("student_added", "en"),
        ("student_added", "es"),
    }
    assert all(t.problems() == [] for t in templates)


def test_a_template_with_an_unknown_placeholder_or_no_activation_link_is_refused() -> None:
    template = EmailTemplate(
        name="x", kind="account_created", subject="Hi {{ password }}", body_text="Welcome"
    )
    assert template.problems() == [
        "the subject uses an unknown placeholder {{ password }}",
        "an account created email must give {{ activation_link }} in its text body",
    ]


def test_placeholders_are_filled_and_escaped_in_html() -> None:
    template = EmailTemplate(
        name="x",
        kind="student_added",
        subject="{{ students }}",
        body_text="Hi {{ parent_name }}",
        body_html="<p>Hi {{ parent_name }}</p>",
    )
    subject, text, html = render_email(
        template, {"students": "Ann, Ben", "parent_name": "Tom <&> Jerry"}
    )
    assert (subject, text, html) == (
        "Ann, Ben",
        "Hi Tom <&> Jerry",
        "<p>Hi Tom &lt;&amp;&gt; Jerry</p>",
    )


def test_created_and_attached_parents_get_emails_with_a_working_activation_link_and_no_password(
    smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.TUTELA_BASE_URL = "http://testserver"
    ann, ben = (
        student("1001", first_name="Ann", last_name="Lopez"),
        student("1002", first_name="Ben", last_name="Lopez"),
    )
    guardian("Maria", "Lopez", "maria@example.org", students=(ann, ben))
    leo = guardian("Leo", "Lake", "leo@example.org", students=(ben,), relationship="Father")
    Account.objects.create(username="leo.lake", email="leo@example.org", contact=leo)

    with django_capture_on_commit_callbacks(execute=True):
        report = run_autocreate(
            selection=Selection(),
            actor=command_line_user(),
            emails=EmailChoice(
                created=shipped("account_created"), attached=shipped("student_added", "es")
            ),
        )

    assert report.emails_sent == 2
    messages = {m["To"]: m for m in smtp_server.wait_for(2)}
    created = messages["maria@example.org"]
    text = smtp_server.text_of(created)
    assert created["Subject"] == "Your Grand Bend ISD parent portal account"
    assert "Hello Maria Lopez," in text
    assert "Your username: maria@example.org" in text
    assert "Ann Lopez, Ben Lopez" in text
    link = smtp_server.link_in(created)
    assert link.startswith("http://testserver/accounts/activate/")
    assert f'href="{link}"' in smtp_server.html_of(created)
    attached = messages["leo@example.org"]
    assert "Ben Lopez" in attached["Subject"]
    assert "ha agregado a Ben Lopez" in smtp_server.text_of(attached)
    assert "/accounts/activate/" not in smtp_server.text_of(attached)

    # No password travels: the new account has none until the parent picks one.
    account = Account.objects.get(username="maria@example.org")
    assert not account.has_usable_password()
    for message in messages.values():
        body = smtp_server.text_of(message) + smtp_server.html_of(message)
        assert account.password not in body
        assert "password:" not in body.lower()
        assert "contraseña:" not in body.lower()
    # Only a hash of the token is stored.
    token = urlparse(link).path.rstrip("/").rsplit("/", 1)[1]
    assert not AccessToken.objects.filter(token_hash=token).exists()

    client = Client()
    assert client.get(urlparse(link).path).status_code == 200
    response = client.post(
        urlparse(link).path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)


def test_a_simulation_sends_no_email(
    smtp_server: SMTPInbox, django_capture_on_commit_callbacks: Any
) -> None:
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    with django_capture_on_commit_callbacks(execute=True):
        report = run_autocreate(
            selection=Selection(),
            actor=command_line_user(),
            simulate=True,
            emails=EmailChoice(created=shipped("account_created")),
        )
    assert report.emails_sent == 0
    assert smtp_server.messages == []
    assert not AccessToken.objects.exists()


def test_a_big_run_keeps_every_index_so_sign_ins_are_never_locked_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(upkeep, "BULK_ROWS", 1)
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    with CaptureQueriesContext(connection) as queries:
        report = run_autocreate(
            selection=Selection(),
            actor=command_line_user(),
            emails=EmailChoice(created=shipped("account_created")),
        )
    assert report.totals()["accounts_created"] == 1
    assert dropped(queries) == []
    assert AccessToken.objects.get().account == Account.objects.get(username="maria@example.org")


def test_a_background_job_reports_progress_while_it_runs_and_its_report_when_done(
    immediate_queue: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_module, "PROGRESS_EVERY", 1)
    for number in ("1001", "1002", "1003", "1004"):
        guardian(f"P{number}", "Parent", f"p{number}@example.org", students=(student(number),))
    seen: list[dict[str, Any]] = []
    real_progress = lifecycle.Running.progress

    def watch(running: lifecycle.Running, done: int, total: int, phase: str = "") -> None:
        real_progress(running, done, total, phase)
        # What the staff screen's poll would answer at this moment.
        seen.append(job_progress(AutoCreateJob.objects.get(pk=running.job.pk)))

    monkeypatch.setattr(lifecycle.Running, "progress", watch)

    with django_capture_on_commit_callbacks(execute=True):
        job = start_autocreate_job(selection=Selection(), actor=command_line_user(), simulate=False)

    job.refresh_from_db()
    assert job.status == "done"
    assert (job.done, job.total) == (8, 8)
    assert job.totals["accounts_created"] == 4
    assert Account.objects.count() == 4
    assert [(s["done"], s["total"], s["phase"]) for s in seen[:5]] == [
        (0, 8, "planning"),
        (1, 8, "planning"),
        (2, 8, "planning"),
        (3, 8, "planning"),
        (4, 8, "planning"),
    ]
    assert seen[-1]["done"] == 8 and seen[-1]["phase"] == "writing"
    assert all(s["status"] == "running" for s in seen)
    assert [s["percent"] for s in seen] == sorted(s["percent"] for s in seen)
    assert "create" in job.open_plan_csv().read()
    assert job_progress(job)["percent"] == 100


# Serialized rollback puts the shipped code sets back afterwards (a plain flush would leave
# later transactional tests without them, and re-made content types in their way).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_runs_background_jobs_itself_with_no_worker_to_start() -> None:
    from huey.contrib.djhuey import HUEY

    from tutela.sampledata.management.commands.demo import Command

    HUEY.flush()  # tasks another test queued for jobs that no longer exist
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    if connection.vendor == "sqlite":
        # The test database is shared in memory, where a read takes a table lock the worker's
        # write would fail on at once: the polling below reads without taking it.
        connection.cursor().execute("PRAGMA read_uncommitted = 1")
    consumer = Command.start_worker()
    try:
        job = start_autocreate_job(selection=Selection(), actor=command_line_user(), simulate=True)
        deadline = time.monotonic() + 30
        while job.status != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
            job.refresh_from_db()
    finally:
        consumer.stop(graceful=True)
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 0")
        # The worker thread's database connection goes with the thread (the test database
        # can then be dropped).
        gc.collect()
    assert job.status == "done"
    assert job.totals["accounts_created"] == 1


@pytest.mark.parametrize(
    "name",
    [
        "Account created (English)",
        "Account created (Spanish)",
        "Student added (English)",
        "Student added (Spanish)",
    ],
)
def test_a_shipped_templates_html_part_says_what_its_text_says(name: str) -> None:
    """The HTML part is made from the text; no word or full stop may go missing on the way."""
    template = EmailTemplate.objects.get(name=name)
    values: EmailContext = {
        "parent_name": "Maria Lopez",
        "username": "maria@example.org",
        "students": "Ann Lopez",
        "activation_link": "http://testserver/activate/abc/",
        "district_name": "Grand Bend ISD",
        "portal_url": "http://testserver/portal/",
    }
    _subject, text, html = render_email(template, values)
    assert " ".join(strip_tags(unescape(html)).split()) == " ".join(text.split())


@pytest.fixture
def queued_job(monkeypatch: pytest.MonkeyPatch) -> tuple[AutoCreateJob, list[int]]:
    """A real AutoCreate job waiting on the queue, and the list of its runs (one entry each)."""
    guardian("Maria", "Lopez", "maria@example.org", students=(student("1001"),))
    runs: list[int] = []
    real_run = services.run_autocreate

    def counted_run(**kwargs: Any) -> Any:
        runs.append(1)
        return real_run(**kwargs)

    monkeypatch.setattr(services, "run_autocreate", counted_run)
    job = record_autocreate_job(selection=Selection(), actor=command_line_user(), simulate=False)
    return job, runs


def test_a_job_delivered_twice_runs_once(queued_job: tuple[AutoCreateJob, list[int]]) -> None:
    job, runs = queued_job
    tasks.autocreate_task.call_local(job.pk)
    tasks.autocreate_task.call_local(job.pk)
    assert runs == [1]
    job.refresh_from_db()
    assert job.status == "done" and job.totals["accounts_created"] == 1


def test_a_second_delivery_while_the_first_claims_the_job_does_nothing(
    queued_job: tuple[AutoCreateJob, list[int]],
) -> None:
    """Two workers given the same task: the second reads the job before the first has saved
    its status. A read-then-save claim runs the job twice; a claim in one statement, once."""
    job, runs = queued_job
    arrived: list[int] = []

    def second_delivery(sender: Any, instance: AutoCreateJob, **kwargs: Any) -> None:
        if not arrived:
            arrived.append(1)
            tasks.autocreate_task.call_local(instance.pk)

    pre_save.connect(second_delivery, sender=AutoCreateJob)
    try:
        tasks.autocreate_task.call_local(job.pk)
    finally:
        pre_save.disconnect(second_delivery, sender=AutoCreateJob)
    assert arrived and runs == [1]
