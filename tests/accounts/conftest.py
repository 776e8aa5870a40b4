"""What the account tests share: the link a service just emailed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks


@pytest.fixture
def emailed(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Callable[..., str]:
    """Run a service and return the path of the link in the email it sent."""

    def run(action: Callable[..., object], *args: Any, **kwargs: Any) -> str:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        assert len(mail.outbox) == before + 1
        match = re.search(r"https?://[^/\s]+(/\S+)", str(mail.outbox[-1].body))
        assert match
        return match.group(1)

    return run


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]
