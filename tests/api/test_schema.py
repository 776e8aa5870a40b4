"""schemathesis over ``/api/schema/``: every operation called with generated input, as the
district admin through a token, against the WSGI app; no server error, and every answer the
schema documents matches it. Few examples per operation, so it stays well under a minute."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.api.helpers import token_of
from tests.cast import build_cast
from tutela.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(scope="module")
def district_admin_token(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The cast, made once for every operation, and the district admin's token.

    Django closes the database connection at the end of each request it serves; here that
    would end the test's transaction, so (as Django's own test client does) it is kept open.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield token_of(build_cast(), "dana")
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_to_its_schema(case: Any, district_admin_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {district_admin_token}"},
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
