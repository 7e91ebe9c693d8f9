"""Browser tests: the fixtures (Chromium, a live server, pages, screenshots) come from
tests/support/browser_fixtures.py, loaded for every test folder by the root conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FakeJira

JIRA_USER = "ops@example.com"
JIRA_E2E_TOKEN = "SECRET-jira-token-e2e"


@pytest.fixture
def jira():
    """A fake Jira Cloud with one user and one project."""
    with FakeJira(
        users={JIRA_USER: JIRA_E2E_TOKEN}, projects={"OPS": {"name": "Operations"}}
    ) as fake:
        yield fake


def pytest_collection_modifyitems(items):
    """Every test here drives Chromium: marked ``browser``, so a run can leave them out
    (CI runs them on SQLite only; the PostgreSQL pass is about the database)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
