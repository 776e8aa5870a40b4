"""Parent access codes, the registrations made with them, the guard against guessing, and the
queue of links to students whose records are restricted.

A code is a key to a child's records, so: it is stored (staff must be able to print and export
it) but never written to logs or to the audit trail; what a person typed is never stored, only a
keyed digest used to count distinct wrong guesses; the email verification token is stored as a
hash.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from tutela.accesscodes.codes import format_code
from tutela.jobs.models import Job


class AccessCode(models.Model):
    """One code issued for one student; a student has at most one current (unrevoked) code.

    Reset revokes the current code and issues a new one, so old codes stop working at once and
    the history stays. With single-use codes a redeemed code is marked used and revoked.
    """

    student = models.ForeignKey(
        "people.Student", on_delete=models.CASCADE, related_name="access_codes"
    )
    code = models.CharField(max_length=12, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["student", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                "student", condition=Q(revoked_at__isnull=True), name="one_current_code_per_student"
            )
        ]

    def __str__(self) -> str:
        # Never the code itself: this text lands in the audit trail.
        return f"access code #{self.pk} of student {self.student_id}"

    @property
    def formatted(self) -> str:
        return format_code(self.code)

    def is_usable(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class RegistrationRequest(models.Model):
    """A parent's request to register with a code, waiting for them to follow the emailed link.

    Only the SHA-256 of the link's token is kept: a leaked table does not let anyone finish
    someone else's registration.
    """

    access_code = models.ForeignKey(
        AccessCode, on_delete=models.CASCADE, related_name="registration_requests"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    remote_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"registration request #{self.pk}"


class AttemptPurpose(models.TextChoices):
    REGISTER = "register", "self-registration"
    ADD_CHILD = "add_child", "add child"


class AttemptOutcome(models.TextChoices):
    ACCEPTED = "accepted"
    WRONG = "wrong", "no such code"
    UNUSABLE = "unusable", "code expired, used or reset"
    REFUSED = "refused", "refused: too many failures"
    BLOCKED = "blocked", "refused: address blocked after a burst"


FAILED_OUTCOMES = (AttemptOutcome.WRONG, AttemptOutcome.UNUSABLE)


class CodeAttempt(models.Model):
    """Every entry of a code, right or wrong: the audit record and the rate limiter's memory.

    ``entry_digest`` is a keyed hash of what was typed, so distinct guesses can be counted
    without keeping the guesses.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    remote_address = models.GenericIPAddressField(null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(max_length=16, choices=AttemptPurpose.choices)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    entry_digest = models.CharField(max_length=32, blank=True)
    student = models.ForeignKey(
        "people.Student", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["remote_address", "created_at"], name="attempt_address_time_idx"),
            models.Index(fields=["account", "created_at"], name="attempt_account_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} from {self.remote_address or 'unknown'}"


class AddressBlock(models.Model):
    """An address shut out of code entry after a burst of wrong guesses at many codes."""

    remote_address = models.GenericIPAddressField()
    created_at = models.DateTimeField(auto_now_add=True)
    blocked_until = models.DateTimeField(db_index=True)
    distinct_failures = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.remote_address} blocked until {self.blocked_until:%Y-%m-%d %H:%M}"


class PendingStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class PendingLink(models.Model):
    """A right code for a restricted student: the link waits here for a school admin's decision.

    A student is restricted when one of its contact links carries a court order or custody note
    (``StudentContact.restricted``); a code alone must not open such a record.
    """

    student = models.ForeignKey(
        "people.Student", on_delete=models.CASCADE, related_name="pending_links"
    )
    contact = models.ForeignKey(
        "people.Contact", on_delete=models.CASCADE, related_name="pending_links"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_links"
    )
    access_code = models.ForeignKey(
        AccessCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=PendingStatus.choices, default=PendingStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                "student",
                "contact",
                condition=Q(status="pending"),
                name="one_pending_link_per_student_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} → {self.student} ({self.status})"


class AccessCodeJob(Job):
    """One bulk issue of codes (a school's or the district's reset, or a generation): who ran
    it, over which students, and how many codes it issued.

    It is recorded as started before the codes are written and finished in their transaction
    (``tutela.jobs.lifecycle``), so a run killed half-way is marked failed and left no codes.
    """

    class Action(models.TextChoices):
        GENERATE = "generate"
        RESET = "reset"

    job_label = "access code job"

    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    scope = models.CharField(max_length=200)
    issued = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"access code {self.action} #{self.pk} of {self.scope} ({self.status})"

    @property
    def label(self) -> str:
        return f"access code {self.action} {self.pk}"
