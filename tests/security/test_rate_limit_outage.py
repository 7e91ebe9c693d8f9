"""When the rate-limit storage (Redis) is down, logins still work and the outage is logged."""

import logging

import pytest

from tests.support.live_server import free_port


@pytest.fixture
def app_config(app_config):
    # Nothing listens on this port: every call to the storage fails at once.
    return {**app_config, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}


def test_login_works_while_the_limit_storage_is_down(auth, admin, caplog):
    caplog.set_level(logging.ERROR, logger="webapp.services.rate_limits")
    failed = auth.login(password="not the password at all")
    assert failed.status_code == 200
    assert "Invalid e-mail or password." in failed.get_data(as_text=True)
    assert auth.login().status_code == 302
    assert "Rate-limit storage unreachable" in caplog.text
