"""Sync targets: adding and changing them, and delivering their packages.

A delivery writes the target's package in Tutela's private folder, takes its SHA-256, and hands
it to the destination (``destinations``); every attempt is recorded, success or the error. A
failed attempt that may pass (a server down, a share not mounted) is tried again,
``TUTELA_SYNC_ATTEMPTS`` times in all, ``TUTELA_SYNC_RETRY_SECONDS`` apart: an SFTP server
restarting at night should not cost a day's changes. A changed host key or a refused key is
not tried again: only a person can settle it. A delta target
sends what changed since the data of its last successful delivery was read, and everything
when it has none.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tutela.accounts.scopes import Actor, Scope
from tutela.core.audit import audited
from tutela.core.private import private_directory
from tutela.people.models import School
from tutela.people.services import OutsideScope, ServiceError
from tutela.rostering.destinations import (
    DeliveryError,
    deliver_to_folder,
    deliver_to_sftp,
    parse_destination,
)
from tutela.rostering.models import SyncDelivery, SyncFormat, SyncMode, SyncTarget

logger = logging.getLogger(__name__)


class SyncTargetError(ServiceError):
    """A target's settings that cannot be saved: the message names the field and the problem."""


@dataclass(frozen=True)
class TargetSettings:
    """What a district admin sets on a target."""

    format: str
    destination: str
    schools: tuple[School, ...] = ()
    include_parents: bool = True
    parents_in_rosters: bool = True
    mode: str = SyncMode.BULK
    enabled: bool = True


def _require_district_admin(actor: Actor) -> None:
    if not Scope.of(actor).district_wide:
        raise OutsideScope("only a district admin may change or run sync targets")


def _checked(chosen: TargetSettings) -> str:
    """The destination, normalised; a ``SyncTargetError`` for a setting that cannot be."""
    if chosen.format not in SyncFormat.values:
        raise SyncTargetError(
            f"format {chosen.format!r}: must be one of {', '.join(SyncFormat.values)}"
        )
    if chosen.mode not in SyncMode.values:
        raise SyncTargetError(f"mode {chosen.mode!r}: must be bulk or delta")
    if chosen.mode == SyncMode.DELTA and chosen.format == SyncFormat.SCHOOLOGY:
        raise SyncTargetError("mode delta: Schoology's files have no delta, use bulk")
    try:
        return str(parse_destination(chosen.destination))
    except ValueError as error:
        raise SyncTargetError(f"destination {error}") from None


def add_target(*, actor: Actor, name: str, chosen: TargetSettings) -> SyncTarget:
    """A new sync target named ``name`` (letters, digits, ``-`` and ``_``)."""
    _require_district_admin(actor)
    destination = _checked(chosen)
    name = name.strip()
    if not name or not all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        raise SyncTargetError(f"name {name!r}: use letters, digits, - and _ only")
    with transaction.atomic(), audited(actor):
        if SyncTarget.objects.filter(name=name).exists():
            raise SyncTargetError(f"name {name!r}: a sync target of this name already exists")
        target = SyncTarget.objects.create(
            name=name,
            format=chosen.format,
            destination=destination,
            include_parents=chosen.include_parents,
            parents_in_rosters=chosen.parents_in_rosters,
            mode=chosen.mode,
            enabled=chosen.enabled,
        )
        target.schools.set(chosen.schools)
    return target


def update_target(
    *, actor: Actor, target: SyncTarget, chosen: TargetSettings, forget_host_key: bool = False
) -> SyncTarget:
    """Change a target's settings. A new destination, or ``forget_host_key`` (the server's key
    really changed), clears the pinned host key: the next delivery pins the one it sees."""
    _require_district_admin(actor)
    destination = _checked(chosen)
    with transaction.atomic(), audited(actor):
        if destination != target.destination or forget_host_key:
            target.host_key = ""
        target.format = chosen.format
        target.destination = destination
        target.include_parents = chosen.include_parents
        target.parents_in_rosters = chosen.parents_in_rosters
        target.mode = chosen.mode
        target.enabled = chosen.enabled
        target.save()
        target.schools.set(chosen.schools)
    return target


def last_success(target: SyncTarget) -> SyncDelivery | None:
    return target.deliveries.filter(succeeded=True).order_by("-data_as_of").first()


def _write_package(
    target: SyncTarget, path: Path, since: datetime.datetime | None
) -> dict[str, int]:
    from tutela.rostering.exports import canvas, oneroster, schoology

    schools: list[School] | None = list(target.schools.order_by("pk")) or None
    parents, rosters = target.include_parents, target.parents_in_rosters
    if target.format == SyncFormat.ONEROSTER:
        if since is None:
            result = oneroster.export_bulk(path, schools=schools, parents=parents, rosters=rosters)
        else:
            result = oneroster.export_delta(
                path, since=since, schools=schools, parents=parents, rosters=rosters
            )
        return result.counts
    if target.format == SyncFormat.CANVAS:
        return canvas.export_canvas(
            path, schools=schools, since=since, parents=parents, rosters=rosters
        )
    return schoology.export_schoology(path, schools=schools, parents=parents, rosters=rosters)


def _digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest(), path.stat().st_size


def _send(target: SyncTarget, package: Path, name: str) -> str:
    """Deliver ``package``; the SFTP server's host key, "" for a folder."""
    where = parse_destination(target.destination)
    if isinstance(where, Path):
        deliver_to_folder(package, where, name)
        return ""
    return deliver_to_sftp(package, where, name, pinned=target.host_key)


def _attempt(*, actor: Actor, target: SyncTarget, attempt: int) -> tuple[SyncDelivery, bool]:
    """One attempt at delivering ``target``'s package, recorded whatever its outcome, and
    whether trying again may help."""
    started = timezone.now()
    previous = last_success(target) if target.mode == SyncMode.DELTA else None
    since = previous.data_as_of if previous is not None else None
    kind = "delta" if since is not None else "bulk"
    stamp = started.astimezone(datetime.UTC)
    millis = f"{stamp.microsecond // 1000:03d}"
    name = f"{target.name}-{target.format}-{kind}-{stamp:%Y%m%dT%H%M%S}{millis}Z.zip"
    counts: dict[str, int] = {}
    sha256, size, host_key, error, retry = "", 0, "", "", False
    folder = private_directory(Path(settings.TUTELA_HOME) / "sync")
    with tempfile.TemporaryDirectory(dir=folder) as work:
        package = Path(work) / name
        try:
            counts = _write_package(target, package, since)
            sha256, size = _digest(package)
            host_key = _send(target, package, name)
        except DeliveryError as problem:
            error, retry = str(problem), problem.retry
        except OSError as problem:
            error, retry = f"could not write the package: {problem.strerror or problem}", True
        except Exception as problem:  # one target's bug must not stop the night's others
            logger.exception("sync target %s: delivery failed", target.name)
            error = f"internal error ({problem.__class__.__name__}); see the server's log"
    with transaction.atomic(), audited(actor):
        if host_key and not target.host_key:
            target.host_key = host_key  # trust on first use: pinned from now on
            target.save(update_fields=["host_key"])
        delivery = SyncDelivery.objects.create(
            target=target,
            started_at=started,
            finished_at=timezone.now(),
            data_as_of=started,
            kind=kind,
            since=since,
            file_name=name,
            counts=counts,
            sha256=sha256 if not error else "",
            size=size if not error else 0,
            succeeded=not error,
            error=error,
            attempt=attempt,
        )
    return delivery, retry


def run_target(*, actor: Actor, target: SyncTarget, attempts: int | None = None) -> SyncDelivery:
    """Deliver ``target``, trying again after a failure that may pass, up to ``attempts``
    times in all (``TUTELA_SYNC_ATTEMPTS``); the last attempt's record."""
    _require_district_admin(actor)
    limit = attempts or int(settings.TUTELA_SYNC_ATTEMPTS)
    attempt = 1
    while True:
        delivery, retry = _attempt(actor=actor, target=target, attempt=attempt)
        if delivery.succeeded or not retry or attempt >= limit:
            return delivery
        attempt += 1
        time.sleep(int(settings.TUTELA_SYNC_RETRY_SECONDS))


def run_enabled_targets(*, actor: Actor) -> list[SyncDelivery]:
    """The nightly run: every enabled target, one after the other."""
    targets: Iterable[SyncTarget] = SyncTarget.objects.filter(enabled=True).order_by("name")
    return [run_target(actor=actor, target=target) for target in targets]
