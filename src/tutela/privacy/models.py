"""The seals of the audit trail: each audit entry's hash, chained to the entry before it.

django-auditlog writes the audit entries; a seal written beside each one, in the same
transaction, holds the SHA-256 of the entry's content and of the previous seal. An entry edited
afterwards no longer matches its seal, and a removed entry leaves a seal without its entry (or,
if its seal went too, a seal whose previous hash nobody holds): ``tutela privacy verify-audit``
finds both. On PostgreSQL a trigger refuses to change or remove an entry or a seal at all.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models


class AuditSeal(models.Model):
    """The hash of one audit entry and of the seal before it.

    The entry and the previous seal are named by plain values, not foreign keys: removing an
    entry must leave its seal behind as the evidence. Two transactions writing at the same
    moment may chain to the same previous seal (a fork), which verification accepts: what it
    refuses is a hash no entry matches and a previous hash no seal holds.
    """

    entry_id = models.BigIntegerField(unique=True)
    # The entry's actor as it was written: the entry keeps it only while the account exists.
    actor_id = models.BigIntegerField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hash__regex=r"^[0-9a-f]{64}$"), name="seal_hash_is_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"seal of audit entry #{self.entry_id}"


class MajorityExceptionKind(models.TextChoices):
    """Why a parent keeps seeing a student of 18 (34 CFR 99.31(a)(8), 99.30)."""

    DEPENDENT = "dependent", "Dependent for tax purposes"
    CONSENT = "consent", "Student's written consent"


class MajorityException(models.Model):
    """The district's record that a student's parents keep their access past the 18th
    birthday: the student is a dependent (until an end date) or consented.

    Kept when it ends: ``until`` is the last day it holds (blank for a consent given without
    one). The age-of-majority run (``tutela.privacy.majority``) skips a student while one holds.
    """

    student = models.ForeignKey(
        "people.Student", on_delete=models.CASCADE, related_name="majority_exceptions"
    )
    kind = models.CharField(max_length=16, choices=MajorityExceptionKind.choices)
    until = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["student", "-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="dependent") | models.Q(until__isnull=False),
                name="majority_dependent_has_end_date",
            ),
        ]

    def __str__(self) -> str:
        until = f" until {self.until}" if self.until else ""
        return f"{self.student}: {self.get_kind_display().lower()}{until}"

    def holds_on(self, day: datetime.date) -> bool:
        return self.until is None or day <= self.until


class MajorityHandover(models.Model):
    """The day a student's FERPA rights passed to them: their parents' access ended.

    One per student: the hand-over happens once. Access a school grants a parent afterwards
    is a deliberate decision the daily run does not undo.
    """

    student = models.OneToOneField(
        "people.Student", on_delete=models.CASCADE, related_name="majority_handover"
    )
    birthday = models.DateField()
    handed_over_on = models.DateField()
    # The contacts whose access ended, as "id name" lines: the staff home and the report say who.
    contacts = models.JSONField(default=list)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-handed_over_on", "-id"]

    def __str__(self) -> str:
        return f"{self.student} handed over on {self.handed_over_on}"
