"""Health answers for the load balancer, and the page shown when the database is busy."""

from __future__ import annotations

import logging
import sys

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """The process answers: it touches nothing else, so a busy database never restarts it."""
    return _plain("live")


@require_GET
def ready(request: HttpRequest) -> HttpResponse:
    """The database and the job queue can be reached. The answer says nothing else: what is
    wrong goes to the log, never to whoever asks."""
    from huey.contrib.djhuey import HUEY

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        HUEY.pending_count()
    except Exception:  # any failure of either means "not ready"
        log.exception("Tutela is not ready")
        return _plain("not ready", status=503)
    return _plain("ready")


def _database_busy(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's error page, except that the embedded database being busy for longer than its
    wait is said as "busy, try again" (503), not as a failure of Tutela."""
    if _database_busy(sys.exception()):
        response = render(request, "web/busy.html", status=503)
        response["Retry-After"] = "5"
        return response
    return defaults.server_error(request)
