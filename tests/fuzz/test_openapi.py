"""Every API operation, fuzzed from its OpenAPI description (schemathesis): never a 5xx, and
every answer as the description says.

The app is the portal's test world (tests/web/conftest.py: providers, a user of each role, an
open traceback at AAAA) on SQLite and on PostgreSQL; each operation gets generated requests
sent with the API token of a coordinator and again with that of a provider (AAAA).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import response_schema_conformance

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import user_by_email
from robotrace.store.db import transaction
from tests.web.conftest import cheap_password_hashing, world  # noqa: F401 (fixtures)

OPENAPI = "/api/v1/openapi.json"
#: Per operation and generation mode (valid, then invalid requests); no shrinking.
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
CHECKS = [not_a_server_error, response_schema_conformance]
#: Who sends each generated request: a coordinator, and provider AAAA's staff.
SENDERS = ("coord@example.org", "noc@aaaa.example")


@pytest.fixture
def bearers(world, engine) -> dict[str, dict[str, str]]:  # noqa: F811
    """Per sender, the Authorization header of a read-write API token."""
    headers = {}
    with transaction(engine) as session:
        for email in SENDERS:
            user = user_by_email(session, email)
            assert user is not None
            token, _ = create_token(session, user, "schemathesis", True, world.clock)
            headers[email] = {"Authorization": f"Bearer {token}"}
    return headers


def check_operation(operation: APIOperation, bearers: dict[str, dict[str, str]]) -> None:
    """Generated requests (valid ones, then invalid ones) under each sender's token. An
    operation without parameters or body has no invalid requests: that mode is left out."""
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @EXAMPLES
        @given(operation.as_strategy(mode))
        def sent(case: Case) -> None:
            for sender in SENDERS:
                # A copy: schemathesis adds its own headers to the dict it is given.
                case.call_and_validate(headers=dict(bearers[sender]), checks=CHECKS)

        try:
            sent()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise


def test_no_operation_answers_5xx_or_off_its_schema(world, bearers):  # noqa: F811
    schema = schemathesis.openapi.from_asgi(OPENAPI, world.app)
    failures = []
    for loaded in schema.get_all_operations():
        operation = loaded.ok()
        try:
            check_operation(operation, bearers)
        except (Exception, FailureGroup) as failure:  # every operation is tried; all are listed
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
