"""Fuzzing the API from its own OpenAPI schema (schemathesis), as an authenticated administrator.

Whatever the generated parameters and bodies, the API answers without a 5xx and as its schema says.
The number of examples per operation is bounded so the run stays short; the database is rolled back
after each operation's examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sinergi.accounts.choices import Role
from sinergi.accounts.services import token_create
from sinergi.config.wsgi import application  # noqa: E402
from tests.factories import UserFactory, organisation_for

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the in-process WSGI calls must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db: Any) -> str:
    admin = UserFactory(username="fuzz-admin", role=Role.ADMIN, organisation=organisation_for(Role.ADMIN))
    return token_create(actor=None, user=admin)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_never_answers_5xx_and_conforms_to_its_schema(case: Any, admin_token: str) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {admin_token}"}
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
