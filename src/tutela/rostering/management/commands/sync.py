"""``tutela sync``: the learning systems Tutela delivers to every night (add, list, run)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser

from tutela.core.audit import command_line_user
from tutela.core.commands import TutelaCommand, UsageError
from tutela.rostering.management.commands.export import chosen_schools
from tutela.rostering.models import SyncDelivery, SyncFormat, SyncMode, SyncTarget
from tutela.rostering.services import (
    SyncTargetError,
    TargetSettings,
    add_target,
    last_success,
    run_target,
)

DELIVERY_FAILED = 1


def _summary(delivery: SyncDelivery) -> str:
    return ", ".join(f"{name} {count}" for name, count in delivery.counts.items())


def _target_json(target: SyncTarget) -> dict[str, object]:
    latest = target.deliveries.order_by("-started_at", "-pk").first()
    success = last_success(target)
    return {
        "name": target.name,
        "format": target.format,
        "destination": target.destination,
        "schools": [school.school_number for school in target.schools.order_by("school_number")],
        "include_parents": target.include_parents,
        "parents_in_rosters": target.parents_in_rosters,
        "mode": target.mode,
        "enabled": target.enabled,
        "host_key_pinned": bool(target.host_key),
        "last_delivery": (
            {
                "at": latest.started_at.isoformat(),
                "succeeded": latest.succeeded,
                "error": latest.error,
                "attempt": latest.attempt,
                "kind": latest.kind,
                "file": latest.file_name,
                "counts": latest.counts,
                "sha256": latest.sha256,
            }
            if latest is not None
            else None
        ),
        "last_success": success.started_at.isoformat() if success is not None else None,
    }


class Command(TutelaCommand):
    help = "The learning systems Tutela delivers packages to: add, list and run sync targets."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = action.add_parser("add", help="add a sync target")
        add.add_argument("name", metavar="NAME", help="the target's name (letters, digits, - _)")
        add.add_argument("--format", required=True, choices=SyncFormat.values)
        add.add_argument(
            "--to",
            required=True,
            metavar="PATH|sftp://USER@HOST[:PORT]/DIR",
            help="a folder on this server or an SFTP server's folder",
        )
        add.add_argument(
            "--schools",
            metavar="N",
            nargs="+",
            action="extend",
            help="only these schools' students and their parents (school numbers)",
        )
        add.add_argument(
            "--no-parents",
            action="store_true",
            help="leave parents out (PowerSchool Learning's Ignore Parents from the SIS)",
        )
        add.add_argument(
            "--no-rosters",
            action="store_true",
            help="send the parents' accounts without saying whose parents they are "
            "(Allow Parents in Rosters off)",
        )
        add.add_argument(
            "--delta",
            action="store_true",
            help="send only what changed since the last successful delivery (not Schoology)",
        )
        add.add_argument("--disabled", action="store_true", help="keep it out of the nightly run")
        listing = action.add_parser("list", help="every sync target and its last delivery")
        listing.add_argument("--json", action="store_true", help="as JSON")
        run = action.add_parser("run", help="deliver a target's package now")
        run.add_argument("name", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list(options["json"])
        else:
            self._run(options["name"])

    def _add(self, options: dict[str, Any]) -> None:
        schools = chosen_schools(options["schools"], "--schools") or []
        chosen = TargetSettings(
            format=options["format"],
            destination=options["to"],
            schools=tuple(schools),
            include_parents=not options["no_parents"],
            parents_in_rosters=not options["no_rosters"],
            mode=SyncMode.DELTA if options["delta"] else SyncMode.BULK,
            enabled=not options["disabled"],
        )
        try:
            target = add_target(actor=command_line_user(), name=options["name"], chosen=chosen)
        except SyncTargetError as error:
            raise UsageError(str(error)) from None
        self.stdout.write(f"Added sync target {target}.")

    def _list(self, as_json: bool) -> None:
        targets = SyncTarget.objects.prefetch_related("schools").order_by("name")
        if as_json:
            document = [_target_json(target) for target in targets]
            self.stdout.write(json.dumps(document, indent=2))
            return
        if not targets:
            self.stdout.write("No sync targets yet: add one with `tutela sync add`.")
        for target in targets:
            row = _target_json(target)
            schools = ", ".join(map(str, row["schools"])) or "every school"  # type: ignore[call-overload]  # a list of str
            parents = (
                "no parents"
                if not target.include_parents
                else "parents"
                if target.parents_in_rosters
                else "parents, no rosters"
            )
            latest = row["last_delivery"]
            if latest is None:
                last = "never delivered"
            else:
                assert isinstance(latest, dict)
                outcome = "delivered" if latest["succeeded"] else f"FAILED: {latest['error']}"
                last = f"last {latest['at']} {outcome}"
            state = "" if target.enabled else " (disabled)"
            self.stdout.write(
                f"{target.name}{state}: {target.format} {target.mode} to {target.destination}; "
                f"{schools}; {parents}; {last}"
            )

    def _run(self, name: str) -> None:
        target = SyncTarget.objects.filter(name=name).first()
        if target is None:
            raise UsageError(
                f"NAME {name!r}: no sync target has this name (see `tutela sync list`)"
            )
        delivery = run_target(actor=command_line_user(), target=target)
        if not delivery.succeeded:
            sys.stderr.write(
                f"tutela: sync {target.name} failed (attempt {delivery.attempt}): "
                f"{delivery.error}\n"
            )
            raise SystemExit(DELIVERY_FAILED)
        self.stdout.write(
            f"Delivered {delivery.file_name} ({delivery.kind}) to {target.destination}: "
            f"{_summary(delivery)}; SHA-256 {delivery.sha256}"
        )
