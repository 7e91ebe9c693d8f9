"""Fixtures: a fresh app on a fresh database for each test, clients and logged-in users."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from tests.contracts.checker import COVERAGE, coverage_table
from tests.factories import ADMIN_EMAIL, PASSWORD, make_user
from tests.support.client import FormClient
from tests.support.database import choose_database_url, create_schema, empty_tables
from tests.support.fake_trackers import fake_gitlab
from webapp import create_app
from webapp.extensions import db
from webapp.services.intake import wait_for_background


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = choose_database_url(str(tmp_path_factory.mktemp("db")))
    create_schema(url)
    return url


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Settings for the app under test; tests may change them before `app` is built."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "tests-" + Fernet.generate_key().decode(),
        "CONNECTOR_SECRETS_KEY": Fernet.generate_key().decode(),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        # Per-app memory counters, whatever the developer's environment says.
        "RATELIMIT_STORAGE_URI": "memory://",
        # Requests wait for their delivery attempt (a busy CI machine can be slow); the
        # intake tests set a short budget themselves.
        "TICKET_INTAKE_BUDGET_SECONDS": 30.0,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = FormClient
    with app.app_context():
        yield app
        # A delivery a request left running past its budget ends before the tables empty.
        assert wait_for_background(30), "a ticket delivery was still running after the test"
        db.session.remove()
        empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> FormClient:
    """Unlike pytest-flask's client, this one does not preserve request contexts, so each
    request gets its own context (see FormClient)."""
    return app.test_client()


@pytest.fixture
def gitlab():
    """A fake GitLab on a loopback port (see tests/support/fake_trackers.py)."""
    with fake_gitlab() as fake:
        yield fake


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def admin(app):
    return make_user(ADMIN_EMAIL, PASSWORD, role="admin")


class AuthActions:
    def __init__(self, client: FormClient) -> None:
        self.client = client

    def login(self, email: str = ADMIN_EMAIL, password: str = PASSWORD, **extra):
        return self.client.submit("/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.client.submit("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def admin_client(client, auth, admin) -> FormClient:
    """A client logged in as an administrator."""
    response = auth.login()
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a run that used the fake trackers: which operations kept their contract."""
    if COVERAGE:
        terminalreporter.write_sep("=", "tracker contract coverage (tests/contracts)")
        terminalreporter.write_line(coverage_table())
