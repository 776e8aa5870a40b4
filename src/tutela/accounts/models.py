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
