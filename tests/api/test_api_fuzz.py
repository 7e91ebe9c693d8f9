"""Schema-driven fuzzing: schemathesis sends generated requests for every operation of
openapi.json to the app in-process (WSGI) and checks every response against the document.

Bounded and derandomized so that CI runs are quick and repeatable.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.api.conftest import new_key
from tests.factories import make_connector, make_sent_ticket
from tests.support.material import registered_ids
from webapp.extensions import db
from webapp.models import Ticket, TicketComment

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
    for system_id in registered_ids():
        make_connector(system_id)
    return schemathesis.openapi.from_wsgi("/api/v2/openapi.json", app)


def test_the_api_conforms_to_its_document(app, api_schema, admin):
    # One hypothesis run per operation (schemathesis' own pytest loader does not
    # support pytest 9 yet); every failure is collected before asserting.
    headers = {"Authorization": f"Token {new_key(admin, 'fuzz')}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 17
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


# Hostile input the generator does not try: text no database can store, absurd nesting
# and numbers past the id range, in every operation of the document.
NUL_TEXT = "Legit\x00GitLab"
ODD_IDS = ("99999999999999999999999", "2147483648", "0")


def sample_bodies(connector_id: int) -> dict[str, dict]:
    """A valid body for each operation that takes one, by operationId."""
    from tests.support.connector_data import api_params

    connector = {"name": "Fuzzed", "system": {"id": "gitlab"}, "params": api_params("gitlab")}
    return {
        "createConnector": connector,
        "testConnector": connector,
        "updateConnector": {"name": "Renamed", "params": {"gitlab_project": "group/other"}},
        "createTicket": {
            "connector": {"id": connector_id},
            "title": "Fuzzed ticket",
            "description": "Text",
            "fields": {"labels": ["one"]},
        },
        "addTicketComment": {"body": "Fuzzed comment"},
    }


def string_paths(value, path=""):
    """Dotted paths of every string in a JSON value (list items by index)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [path] if isinstance(value, str) else []
    return [p for key, item in items for p in string_paths(item, f"{path}.{key}".lstrip("."))]


def with_value(body, path: str, value):
    """A copy of ``body`` with the string at ``path`` replaced."""
    copy = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target = copy
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = value
    return copy


def api_operations(app):
    document = app.test_client().get("/api/v2/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                parameters = item.get("parameters", []) + operation.get("parameters", [])
                yield path, method.upper(), operation, parameters


def assert_json_400(response, where: str) -> dict:
    assert response.status_code == 400, (where, response.status_code, response.get_data())
    assert response.mimetype == "application/json", where
    return response.get_json()


def test_hostile_input_in_every_operation_is_a_json_4xx(app, api, admin, deliveries_skipped):
    connector = make_connector("gitlab")
    ticket = make_sent_ticket(connector)  # comments and state need an issue
    bodies = sample_bodies(connector.id)
    checked = 0
    for path, method, operation, parameters in api_operations(app):
        row = ticket if path.startswith("/tickets/{id}/") else connector
        concrete = path.replace("{id}", str(row.id))
        for number in ODD_IDS if "{id}" in path else ():
            response = api.open(method, path.replace("{id}", number))
            assert response.status_code == 404 and response.get_json()["detail"], (path, number)
        for parameter in (p for p in parameters if p["in"] == "query"):
            response = api.open(method, concrete, query_string={parameter["name"]: NUL_TEXT})
            detail = assert_json_400(response, parameter["name"])["detail"]
            assert parameter["name"] in detail and "NUL character (U+0000)" in detail
            checked += 1
        body = bodies.get(operation["operationId"])
        if "requestBody" not in operation:
            continue
        assert body is not None, f"add a sample body for {operation['operationId']}"
        headers = {"If-Match": '"1"'} if method == "PATCH" else {}
        for where in string_paths(body):
            response = api.open(
                method, concrete, json=with_value(body, where, NUL_TEXT), headers=headers
            )
            errors = assert_json_400(response, where)["errors"]
            assert errors == {where: ["Remove a NUL character (U+0000): it cannot be stored."]}
            checked += 1
        raw = [
            (json.dumps(body)[:-1] + ', "extra": "\\ud800"}', "extra"),  # a lone surrogate
            (json.dumps(body)[:-1] + ', "\\u0000": 1}', "\\u0000"),  # NUL in a key
        ]
        for text, where in raw:
            response = api.open(
                method, concrete, data=text, content_type="application/json", headers=headers
            )
            assert where in assert_json_400(response, where)["errors"]
        for depth in (21, 5000):
            deep = json.dumps(body)[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
            response = api.open(
                method, concrete, data=deep, content_type="application/json", headers=headers
            )
            assert "nested too deeply" in assert_json_400(response, str(depth))["detail"]
    assert checked > 20
    # Only the delivered ticket made above: no hostile input stored a ticket or a comment.
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(TicketComment)) == 0


def test_an_if_match_that_is_not_a_version_is_400(api):
    connector = make_connector("gitlab")
    for header in ('"²"', '"99999999999999999999999"', "W/abc"):
        response = api.patch(
            f"/connectors/issue-tracker/{connector.id}/", json={}, headers={"If-Match": header}
        )
        assert "If-Match" in assert_json_400(response, header)["detail"]


def test_nul_in_a_stored_header_is_a_json_400(api):
    connector = make_connector("gitlab")
    response = api.post(
        "/tickets/",
        json={"connector": {"id": connector.id}, "title": "Keyed"},
        headers={"Idempotency-Key": NUL_TEXT},
    )
    detail = assert_json_400(response, "Idempotency-Key")["detail"]
    assert "Idempotency-Key" in detail and "NUL character (U+0000)" in detail
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0
