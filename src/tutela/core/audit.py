"""Attributing changes to the person who made them.

Models are registered with django-auditlog, which records each change made through the ORM's
``save()``/``delete()`` with before and after values. Services wrap their work in
``audited(actor)`` so that the record names who did it, whether the call came from the web, the
CLI or a background job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditlog.context import set_actor


@contextmanager
def audited(actor: Any | None) -> Iterator[None]:
    if actor is None:
        yield
        return
    with set_actor(actor):
        yield
