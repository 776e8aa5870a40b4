"""The seals of the audit trail: each audit entry's hash, chained to the entry before it.

django-auditlog writes the audit entries; a seal written beside each one, in the same
transaction, holds the SHA-256 of the entry's content and of the previous seal. An entry edited
afterwards no longer matches its seal, and a removed entry leaves a seal without its entry (or,
if its seal went too, a seal whose previous hash nobody holds): ``tutela privacy verify-audit``
finds both. On PostgreSQL a trigger refuses to change or remove an entry or a seal at all.
"""

from __future__ import annotations

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
