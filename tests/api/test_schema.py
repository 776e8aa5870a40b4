"""schemathesis over ``/api/schema/``: every operation called with generated input, as the
district admin through a token, against the WSGI app; no server error, and every answer the
schema documents matches it. Few examples per operation, so it stays well under a minute."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
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
def district_admin_token(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            cast = build_cast()
            token = token_of(cast, "dana")
            yield token
            transaction.set_rollback(True)


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
