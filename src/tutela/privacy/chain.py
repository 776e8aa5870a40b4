"""The audit trail's hash chain: sealing each entry as it is written, and checking the chain.

Every audit entry (django-auditlog's ``LogEntry``) gets an ``AuditSeal`` in its own
transaction: SHA-256 over the previous seal's hash and the entry's content, written out as
canonical JSON. ``verify_chain`` recomputes every seal and reports, by entry number, an entry
that changed, an entry that is gone, a seal whose predecessor is gone, and an entry written
behind Tutela's back (no seal). Entries written before the chain began (before Tutela had it)
are counted, not judged. Removing the newest entries together with their seals cannot be told
from their never having been written; every other gap or edit can.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry

from tutela.privacy.models import AuditSeal

CHUNK = 2000

# What a seal covers: every column of the entry but its actor, which the database sets to null
# when the account is deleted; the seal keeps the actor's id itself.
SEALED_FIELDS = (
    "id",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
    "actor_email",
)


# Text columns: what the entry holds before it is read back may be another type (a number).
TEXT_FIELDS = frozenset(
    {"object_pk", "object_repr", "changes_text", "cid", "remote_addr", "actor_email"}
)


def _plain(name: str, value: Any) -> Any:
    if value is not None and name in TEXT_FIELDS:
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, str) and value[:1] in "{[" and name not in TEXT_FIELDS:
        # auditlog may hand a JSON column over as its text before it is read back.
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def entry_hash(previous_hash: str, entry: LogEntry, actor_id: int | None) -> str:
    """The seal of ``entry`` after the seal ``previous_hash``."""
    content = {name: _plain(name, getattr(entry, name)) for name in SEALED_FIELDS}
    content["actor_id"] = actor_id
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}\n{text}".encode()).hexdigest()


def seal_entry(sender: Any, instance: LogEntry, created: bool, raw: bool, **kwargs: Any) -> None:
    """``post_save`` of every audit entry: seal it, chained to the newest seal.

    A fixture being loaded (``raw``) brings its own seals.
    """
    if not created or raw:
        return
    previous = AuditSeal.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    AuditSeal.objects.create(
        entry_id=instance.pk,
        actor_id=instance.actor_id,
        previous_hash=previous,
        hash=entry_hash(previous, instance, instance.actor_id),
    )


@dataclass
class ChainReport:
    """What ``verify_chain`` found: how many entries it checked and every problem, by entry."""

    checked: int = 0
    before_chain: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _seals() -> Iterator[list[AuditSeal]]:
    last = 0
    while True:
        batch = list(AuditSeal.objects.filter(id__gt=last).order_by("id")[:CHUNK])
        if not batch:
            return
        yield batch
        last = batch[-1].id


def verify_chain() -> ChainReport:
    """Recompute every seal and name each entry that changed, went or was never sealed."""
    report = ChainReport()
    known: set[str] = {""}
    sealed: set[int] = set()
    first = True
    for batch in _seals():
        entries = LogEntry.objects.in_bulk([seal.entry_id for seal in batch])
        for seal in batch:
            sealed.add(seal.entry_id)
            if seal.previous_hash not in known or (seal.previous_hash == "" and not first):
                report.problems.append(
                    f"the entries before audit entry #{seal.entry_id} were removed "
                    "(its previous seal is missing)"
                )
            first = False
            known.add(seal.hash)
            entry = entries.get(seal.entry_id)
            if entry is None:
                report.problems.append(f"audit entry #{seal.entry_id} was removed")
                continue
            report.checked += 1
            if entry.actor_id is not None and entry.actor_id != seal.actor_id:
                report.problems.append(f"audit entry #{seal.entry_id} was changed (its actor)")
            elif entry_hash(seal.previous_hash, entry, seal.actor_id) != seal.hash:
                report.problems.append(f"audit entry #{seal.entry_id} was changed")
    start = min(sealed) if sealed else None
    ids = LogEntry.objects.order_by("id").values_list("id", flat=True)
    for entry_id in ids.iterator(chunk_size=CHUNK):
        if start is None or entry_id < start:
            report.before_chain += 1
        elif entry_id not in sealed:
            report.problems.append(f"audit entry #{entry_id} is not in the chain (never sealed)")
    return report
