"""Email transports of Tutela's own, for Django's ``EMAIL_BACKEND`` setting."""

from __future__ import annotations

import sys
from typing import Any

from django.core.mail.backends.console import EmailBackend


class ConsoleEmailBackend(EmailBackend):
    """Django's console backend, on standard error.

    Standard output is a command's own output (``--json``, a report a script reads): emails
    written there in development would corrupt it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
