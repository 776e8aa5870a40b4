"""Errors as JSON: a refused change (a service's ``ServiceError``, a file the readers cannot
read, a run that cannot start) answers 400 with the service's own words, never a traceback."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tutela.core.tabular import FileProblem
from tutela.imports.runs import RunRefused
from tutela.people.services import OutsideScope, ServiceError


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OutsideScope):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ServiceError | FileProblem | RunRefused):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
