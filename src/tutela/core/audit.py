"""Attributing changes to the person who made them.

Models are registered with django-auditlog, which records each change made through the ORM's
``save()``/``delete()`` with before and after values. Services wrap their work in
``audited(actor)`` so that the record names who did it, whether the call came from the web, the
CLI or a background job.

A command has no account behind it, so the CLI passes ``command_line_user()``: the operating
system user who ran ``tutela``, as import jobs record it. Its name goes into each log entry's
``additional_data`` (``{"actor": "alice (command line)"}``) and the audit-log admin shows it
where it would otherwise say "system".

Set-based writes (a school's access codes reset in one statement) leave no per-row entries, so
their service writes one summary entry with ``log_summary``: who, how many, and where.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from auditlog.context import _set_extra_data, auditlog_value, set_actor
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import pre_save

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

ACTOR_KEY = "actor"

_command_line_actor: ContextVar[str | None] = ContextVar("tutela_command_line_actor", default=None)


@dataclass(frozen=True)
class CommandLineUser:
    """Whoever ran a ``tutela`` command: an operating-system user, not a portal account."""

    name: str

    def __str__(self) -> str:
        return f"{self.name} (command line)"


def os_user() -> str:
    """The operating-system user running a command.

    A container may run Tutela under a user id with no name (no passwd entry and no ``USER``):
    it is then named by its id, so the run is still recorded rather than failing after commit.
    """
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown user"


def command_line_user() -> CommandLineUser:
    return CommandLineUser(os_user())


# Who makes a change, as this module sees it: a user account (``accounts.scopes.Actor`` names
# the project's own) or the command line. ``core`` knows no model of the project's.
AnyActor: TypeAlias = "AbstractBaseUser | CommandLineUser"


def actor_name(actor: AnyActor | None) -> str:
    """How an actor is named in records that keep a name: the username or the CLI user."""
    if isinstance(actor, CommandLineUser):
        return str(actor)
    return str(getattr(actor, "username", "") or "")


def account_of(actor: AnyActor | None) -> Any | None:
    """The saved account behind an actor, for foreign keys; ``None`` for the CLI or system."""
    return actor if isinstance(actor, get_user_model()) and actor.pk else None


@contextmanager
def audited(actor: AnyActor) -> Iterator[None]:
    """Name ``actor`` on every change made inside; the command line is ``command_line_user()``,
    never ``None``, so no change goes unattributed."""
    if actor is None:
        raise TypeError("audited() needs the actor: an account or command_line_user()")
    # An account acting inside a command's context (a rare nesting) is the one named.
    token = _command_line_actor.set(str(actor) if isinstance(actor, CommandLineUser) else None)
    try:
        if isinstance(actor, CommandLineUser):
            yield
        else:
            with _account_context(actor):
                yield
    finally:
        _command_line_actor.reset(token)


def _live_context() -> dict[str, Any] | None:
    """The enclosing auditlog context, if one is still open (auditlog leaves the last one's
    data behind when it ends, so its receiver being connected is what tells)."""
    try:
        current = auditlog_value.get()
    except LookupError:
        return None
    duid = current.get("signal_duid")
    connected = any(receiver[0][0] == duid for receiver in pre_save.receivers)
    return current if connected else None


@contextmanager
def _account_context(actor: AbstractBaseUser) -> Iterator[None]:
    """auditlog's ``set_actor``, safe to nest.

    Services call services, and the web request's own context (auditlog's middleware) encloses
    them all. ``set_actor`` does not restore an enclosing context when it ends, so every change
    after a nested call would lose its actor; here the enclosing context is kept when it names
    the same actor, and put back (with its signal receiver) when it names another.
    """
    outer = _live_context()
    if outer is not None and outer.get("actor") == actor:
        yield
        return
    remote = {key: outer.get(key) for key in ("remote_addr", "remote_port")} if outer else {}
    try:
        with set_actor(actor, **remote):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
            duid = outer["signal_duid"]
            pre_save.connect(
                partial(_set_extra_data, signal_duid=duid),
                sender=LogEntry,
                dispatch_uid=duid,
                weak=False,
            )


def name_command_line_actor(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_save`` of every log entry: inside ``audited(command_line_user())``, keep the name."""
    name = _command_line_actor.get()
    if name is not None and instance.actor_id is None:
        instance.additional_data = {**(instance.additional_data or {}), ACTOR_KEY: name}


def log_summary(
    *, instance: models.Model, action: str, count: int, scope: str, **details: Any
) -> Any:
    """One audit-log entry standing for a set-based change to ``count`` rows under ``instance``.

    The actor comes from the surrounding ``audited(actor)``, as for any other entry. ``details``
    must hold no secret: the entry is shown to administrators.
    """
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={action: ["", f"{count} ({scope})"]},
        additional_data={"summary": action, "count": count, "scope": scope, **details},
    )
