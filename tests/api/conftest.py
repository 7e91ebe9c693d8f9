"""Fixtures for the REST API: token-authenticated clients and a stand-in connection tester."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import make_user
from webapp.outbound.results import STAGES, CheckResult, StageResult, StageStatus
from webapp.services import connection_tests, tokens

API = "/api/v2"


class ApiClient:
    """A test client that sends ``Authorization: Token <key>`` and prefixes /api/v2."""

    def __init__(self, client, key: str | None, quoted: bool = False) -> None:
        self.client, self.key, self.quoted = client, key, quoted

    def open(self, method: str, path: str, *, headers: dict | None = None, **kwargs):
        sent = dict(headers or {})
        if self.key is not None:
            sent.setdefault(
                "Authorization", f'Token "{self.key}"' if self.quoted else f"Token {self.key}"
            )
        return self.client.open(API + path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.open("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.open("DELETE", path, **kwargs)


def new_key(user, name: str = "tests", **kwargs) -> str:
    return tokens.create_token(user, user, name, **kwargs)[1]


@pytest.fixture
def admin_key(admin) -> str:
    return new_key(admin)


@pytest.fixture
def api(app, admin_key) -> ApiClient:
    """An administrator's API client."""
    return ApiClient(app.test_client(), admin_key)


@pytest.fixture
def viewer_api(app) -> ApiClient:
    viewer = make_user("viewer@example.com", role="viewer")
    return ApiClient(app.test_client(), new_key(viewer))


def passing_result(system_id: str) -> CheckResult:
    stages = [StageResult(stage, StageStatus.OK, "Passed.") for stage in STAGES]
    return CheckResult(system_id, stages, datetime.now(UTC), duration_ms=1)


@pytest.fixture
def checks_pass(monkeypatch) -> list[tuple]:
    """Connection tests that pass without contacting anything; returns the calls made.

    For requests whose tracker cannot be reached from a test (the seed's api.github.com);
    tests/api/test_connection_tests_api.py tests against fake trackers instead.
    """
    calls: list[tuple] = []

    def test_unsaved(actor, system_id, name, raw_params, based_on=None, **kwargs):
        calls.append((actor, system_id, name, dict(raw_params), kwargs))
        return passing_result(system_id)

    def test_saved(actor, connector):
        calls.append((actor, connector.id))
        return passing_result(connector.system_id)

    monkeypatch.setattr(connection_tests, "test_unsaved", test_unsaved)
    monkeypatch.setattr(connection_tests, "test_saved", test_saved)
    return calls
