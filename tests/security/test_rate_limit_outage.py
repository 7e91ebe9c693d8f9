"""When the rate-limit storage (Redis) is down, logins still work and the outage is
reported: one warning a minute in the log, on /healthz and to administrators."""

import logging
import time
from types import SimpleNamespace

import pytest

from tests.factories import PASSWORD, make_user
from tests.security.test_rate_limits import REDIS_URL, redis_or_skip
from tests.support.live_server import free_port
from webapp.services import rate_limits

LOGGER = "webapp.services.rate_limits"


@pytest.fixture
def app_config(app_config):
    # Nothing listens on this port: every call to the storage fails at once.
    return {**app_config, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}


def outage_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER]


def test_login_works_while_the_limit_storage_is_down(auth, admin, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    failed = auth.login(password="not the password at all")
    assert failed.status_code == 200
    assert "Invalid e-mail or password." in failed.get_data(as_text=True)
    assert auth.login().status_code == 302
    assert "Rate-limit storage unreachable" in caplog.text


def test_the_outage_is_logged_once_a_minute_without_tracebacks(
    app, auth, admin, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    for _ in range(3):
        auth.login(password="not the password at all")
    (record,) = outage_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and "Traceback" not in caplog.text
    assert "limits are not enforced" in record.getMessage()
    assert "ConnectionError" in record.getMessage()  # the cause, in one line
    # A minute later, if it is still down, it says so again.
    later = time.monotonic() + rate_limits.WARNING_INTERVAL + 1
    monkeypatch.setattr(
        rate_limits, "time", SimpleNamespace(monotonic=lambda: later, time=time.time)
    )
    auth.login(password="not the password at all")
    assert len(outage_records(caplog)) == 2


def test_healthz_reports_the_degraded_state(client):
    response = client.get("/healthz")
    assert response.status_code == 200  # still serving
    assert response.get_json() == {"status": "degraded", "rate_limits": "unavailable"}


def test_administrators_see_a_banner_and_viewers_do_not(app, admin_client, auth):
    page = admin_client.get("/").get_data(as_text=True)
    assert 'data-testid="admin-warning"' in page
    assert "Rate limiting is off" in page
    auth.logout()
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com", PASSWORD)
    assert "Rate limiting is off" not in admin_client.get("/").get_data(as_text=True)


class TestWithRedisUp:
    @pytest.fixture
    def app_config(self, app_config):
        redis_or_skip().close()
        return {**app_config, "RATELIMIT_STORAGE_URI": REDIS_URL}

    def test_healthz_and_pages_show_no_outage(self, admin_client, caplog):
        caplog.set_level(logging.WARNING, logger=LOGGER)
        assert admin_client.get("/healthz").get_json() == {"status": "ok", "rate_limits": "ok"}
        assert "Rate limiting is off" not in admin_client.get("/").get_data(as_text=True)
        assert outage_records(caplog) == []
