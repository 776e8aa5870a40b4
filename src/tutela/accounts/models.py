"""Sign-in accounts: parents' portal accounts and staff accounts share one user model.

A portal account belongs to exactly one contact and a contact has at most one account.
Usernames are unique ignoring case, and so are account emails, because parents type them
in any case and two accounts on one address is how "email already in use" dead ends start.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class AccountManager(UserManager["Account"]):
    def get_by_natural_key(self, username: str | None) -> Account:
        return self.get(username__iexact=username)


class Account(AbstractUser):
    """A person who signs in: a parent (``contact`` set) or district staff (``is_staff``).

    ``is_active`` is the account's enabled flag.
    """

    email = models.EmailField("account email", blank=True)
    contact = models.OneToOneField(
        "people.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="account",
    )
    state_guardian_number = models.CharField(max_length=64, blank=True)
    must_change_password = models.BooleanField(default=False)
    # Accounts brought in by an import follow the district's "imported users" rules.
    is_imported = models.BooleanField(default=False)
    # Staff scope: district admins (and superusers) see the whole district; other staff see
    # the students of their schools and those students' contacts.
    is_district_admin = models.BooleanField(default=False)
    schools = models.ManyToManyField("people.School", blank=True, related_name="staff_accounts")

    objects = AccountManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="account_username_unique_ci"),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="account_email_unique_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.username


class TokenPurpose(models.TextChoices):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"  # noqa: S105
    EMAIL_CHANGE = "email_change"
    # An activation link printed on a letter home: it opens the same activation page, but
    # printing letters again voids only earlier letters, never a link the parent was emailed.
    LETTER_ACTIVATION = "letter_activation"


class AccessToken(models.Model):
    """A single-use link sent by email (activation, password reset, or confirming a new
    account email: ``new_email``, the address the link was sent to) or printed on a letter.

    Only a SHA-256 hash of the token is stored, so a copy of the database cannot be used to
    take over accounts. The token is 256 random bits, so a fast hash is enough (no Argon2).
    Sending a new link voids the account's earlier ones of the same purpose.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    purpose = models.CharField(max_length=32, choices=TokenPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    new_email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.account}"


class SecurityEventKind(models.TextChoices):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED_OUT = "locked_out"
    SIGNED_OUT = "signed_out"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_DISABLED = "account_disabled"
    ACTIVATION_SENT = "activation_sent"
    ACTIVATED = "activated"
    TEMPORARY_PASSWORD_SET = "temporary_password_set"  # noqa: S105
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    TWO_STEP_ON = "two_step_on"
    TWO_STEP_OFF = "two_step_off"
    TWO_STEP_RESET = "two_step_reset"
    RECOVERY_CODES_REPLACED = "recovery_codes_replaced"
    RECOVERY_CODE_USED = "recovery_code_used"


class SecurityEvent(models.Model):
    """One sign-in, failure, lockout, reset or password change, kept for the audit trail.

    Model changes are audited by django-auditlog; these are the events that change no row
    (a failed sign-in) or whose row change would hide what happened (a password hash).
    ``identifier`` is what was typed to sign in when it names an account; anything else (a
    password typed into the username box, say) is kept only as a keyed digest;
    ``actor_name`` names the actor as import jobs do, including the user of a ``tutela`` command.
    """

    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    actor = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who acted when it was no account: the command-line user ("alice (command line)").
    actor_name = models.CharField(max_length=150, blank=True)
    identifier = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.identifier}"
