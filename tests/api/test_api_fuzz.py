"""Schema-driven fuzzing: schemathesis sends generated requests for every operation of
openapi.json to the app in-process (WSGI) and checks every response against the document.

Bounded and derandomized so that CI runs are quick and repeatable.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.api.conftest import new_key
from tests.factories import make_connector

#: No 500s, and status codes, content types, headers and bodies as documented. Not
#: "schema-valid data is accepted": the services also check what JSON Schema cannot
#: (unique names, host names, title templates), answering 400 as documented.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
OPERATION_SETTINGS = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def deliveries_skipped(monkeypatch):
    """Created tickets stay pending: the fuzzed connectors point at hosts no test reaches
    (tests/api/test_tickets_api.py delivers against a fake tracker)."""
    from webapp.api import tickets

    monkeypatch.setattr(
        tickets.delivery, "deliver", lambda ticket_id, actor=None: _ticket(ticket_id)
    )


def _ticket(ticket_id):
    from webapp.services.tickets import get_ticket

    return get_ticket(ticket_id)


@pytest.fixture
def api_schema(app, admin, checks_pass, deliveries_skipped):
    # A few connectors so that generated ids sometimes hit real rows; connection tests
    # pass without contacting a tracker (checks_pass).
    for system_id in ("github", "gitlab", "jira", "rt"):
        make_connector(system_id)
    return schemathesis.openapi.from_wsgi("/api/v2/openapi.json", app)


def test_the_api_conforms_to_its_document(app, api_schema, admin):
    # One hypothesis run per operation (schemathesis' own pytest loader does not
    # support pytest 9 yet); every failure is collected before asserting.
    headers = {"Authorization": f"Token {new_key(admin, 'fuzz')}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 13
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @OPERATION_SETTINGS
        def check(case):
            with app.app_context():  # its own database session, as in production
                case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as error:  # noqa: BLE001 (collected and reported below)
            failures.append(f"{operation.label}: {error}")
    assert failures == []
