"""Provisioning records: which account is a student's own, and each AutoCreate run.

A student account is an ``accounts.Account`` with no contact; ``StudentAccount`` says which
student it belongs to (the eSchoolPLUS ``USER_TYPE=STUDENT`` logon), kept here so the accounts
app's own migrations stay its own.
"""

from __future__ import annotations

import gzip
import io
from typing import TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tutela.jobs.models import Job
from tutela.notifications.vocabulary import PLACEHOLDERS, placeholders_in


class StudentAccount(models.Model):
    """A student's own portal account: one account per student, one student per account."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_account"
    )
    student = models.OneToOneField(
        "people.Student", on_delete=models.CASCADE, related_name="student_account"
    )

    def __str__(self) -> str:
        return f"{self.account} → {self.student}"


class AutoCreateJob(Job):
    """One AutoCreate run (simulated or real): who asked, for which students, how far it got,
    and its full report.

    The report is the audit record of the run's bulk writes, as an import job is for imports;
    ``done``/``total`` is the progress a staff screen polls and the command line draws.
    """

    job_label = "AutoCreate run"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    selection = models.JSONField(default=dict)
    simulate = models.BooleanField(default=True)
    created_template = models.ForeignKey(
        "EmailTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attached_template = models.ForeignKey(
        "EmailTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "" the templates as chosen; en or es for everyone; "contact" each parent's own language.
    email_language = models.CharField(max_length=8, blank=True)
    emails_sent = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=64, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    totals = models.JSONField(default=dict)
    duplicates = models.JSONField(default=list)
    # The full plan as gzipped CSV: a district's run has hundreds of thousands of lines, and
    # this is what the staff screen offers for download.
    plan_csv_gz = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        mode = "simulation" if self.simulate else "run"
        return f"AutoCreate {mode} #{self.pk} ({self.status})"

    def open_plan_csv(self) -> TextIO:
        """The plan CSV as a text stream, decompressed as it is read: a district's plan is
        hundreds of megabytes of text, never made whole in memory."""
        if not self.plan_csv_gz:
            return io.StringIO("")
        raw = gzip.GzipFile(fileobj=io.BytesIO(bytes(self.plan_csv_gz)))
        return io.TextIOWrapper(raw, encoding="utf-8", newline="")


class EmailTemplate(models.Model):
    """A district-editable email that AutoCreate sends: subject, text and HTML body.

    Bodies use ``{{ placeholder }}`` from a fixed list (``notifications.vocabulary.PLACEHOLDERS``)
    rather than the Django template language, so a district admin's edit cannot reach into
    anything but the values meant for the message. No placeholder holds a password: accounts
    are activated through a link, and passwords never travel by email.
    """

    class Kind(models.TextChoices):
        ACCOUNT_CREATED = "account_created", "Account created (activation link)"
        STUDENT_ADDED = "student_added", "New student added to an account"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Español"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "language", "name"]

    def __str__(self) -> str:
        return self.name

    def problems(self) -> list[str]:
        """Unknown placeholders, and an activation template with no activation link."""
        problems = []
        for part, text in (
            ("subject", self.subject),
            ("text body", self.body_text),
            ("HTML body", self.body_html),
        ):
            for name in placeholders_in(text):
                if name not in PLACEHOLDERS:
                    problems.append(f"the {part} uses an unknown placeholder {{{{ {name} }}}}")
                elif name == "activation_link" and self.kind != self.Kind.ACCOUNT_CREATED:
                    problems.append(
                        f"the {part} uses {{{{ activation_link }}}}, which only "
                        "account created emails have"
                    )
        if self.kind == self.Kind.ACCOUNT_CREATED and "activation_link" not in placeholders_in(
            self.body_text
        ):
            problems.append(
                "an account created email must give {{ activation_link }} in its text body"
            )
        return problems

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)
