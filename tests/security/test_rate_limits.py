"""Brute-force limits on logins and API tokens, on memory storage and on Redis.

Redis tests skip with the reason where no Redis answers on 127.0.0.1:6379, unless
REQUIRE_REDIS=1 (as in CI). Each test uses its own key prefix and deletes its keys.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from tests.factories import ADMIN_EMAIL, PASSWORD
from webapp import create_app
from webapp.extensions import db
from webapp.services import rate_limits
from webapp.services.tokens import create_token

REDIS_URL = "redis://127.0.0.1:6379/1"
OTHER_ADDRESS = {"REMOTE_ADDR": "192.0.2.99"}


def redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        connection.close()
        reason = f"no Redis at {REDIS_URL} ({error})"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return connection


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    """Which storage the limiter uses, and a Redis connection to look into it."""
    if request.param == "memory":
        yield None
        return
    connection = redis_or_skip()
    yield connection
    connection.close()


@pytest.fixture
def app_config(app_config, storage):
    prefix = f"test-{uuid.uuid4().hex}"
    config = {
        **app_config,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT_ACCOUNT": "5 per minute",
        "LOGIN_RATE_LIMIT_ADDRESS": "20 per minute",
        "API_TOKEN_RATE_LIMIT_ADDRESS": "3 per minute",
    }
    if storage is not None:
        config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    yield config
    if storage is not None:
        for key in storage.scan_iter(match=f"*{prefix}*"):
            storage.delete(key)


def fail_logins(auth, count: int, email: str = ADMIN_EMAIL, **kwargs):
    responses = [auth.login(email, "wrong password!", **kwargs) for _ in range(count)]
    assert {r.status_code for r in responses} == {200}
    return responses


def test_sixth_failed_login_to_an_account_is_refused_with_a_clear_message(auth, admin):
    fail_logins(auth, 5)
    response = auth.login()  # even the right password: the account is paused
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many attempts. Try again in 1 minute." in page
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert 'name="email"' in page  # the form is still there


@pytest.mark.parametrize(
    ("seconds", "message"),
    [(59, "Try again in 1 minute."), (61, "Try again in 2 minutes."), (600, "in 10 minutes.")],
)
def test_the_message_rounds_the_wait_up_to_minutes(seconds, message):
    assert rate_limits.Blocked(seconds).message.endswith(message)


def test_successful_logins_do_not_count(auth, admin):
    for _ in range(7):
        assert auth.login().status_code == 302
        auth.logout()


def test_the_account_limit_applies_to_the_normalised_email(auth, admin):
    fail_logins(auth, 5, email="  Admin@Example.COM ")
    assert auth.login().status_code == 429


def test_the_account_limit_holds_from_another_address(client, auth, admin):
    fail_logins(auth, 5)
    response = client.submit(
        "/login", {"email": ADMIN_EMAIL, "password": PASSWORD}, environ_base=OTHER_ADDRESS
    )
    assert response.status_code == 429


def test_the_address_limit_spans_accounts(app, auth, admin):
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per minute"
    for number in range(3):
        fail_logins(auth, 1, email=f"guess{number}@example.com")
    assert auth.login().status_code == 429


def test_other_addresses_are_not_limited_by_one_address(app, client, auth, admin):
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per minute"
    for number in range(3):
        fail_logins(auth, 1, email=f"guess{number}@example.com")
    response = client.submit(
        "/login", {"email": ADMIN_EMAIL, "password": PASSWORD}, environ_base=OTHER_ADDRESS
    )
    assert response.status_code == 302


def test_api_token_failures_are_limited_per_address(app):
    with app.test_request_context():
        for _ in range(3):
            assert not rate_limits.token_failure_limited("198.51.100.7")
            rate_limits.record_token_failure("198.51.100.7")
        assert rate_limits.token_failure_limited("198.51.100.7")
        assert not rate_limits.token_failure_limited("198.51.100.8")


def test_counters_use_the_configured_storage(app, auth, storage):
    fail_logins(auth, 1)
    if storage is None:
        assert app.extensions[rate_limits.EXTENSION_KEY].storage.__class__.__name__ == (
            "MemoryStorage"
        )
    else:
        prefix = app.config["RATELIMIT_KEY_PREFIX"]
        assert list(storage.scan_iter(match=f"*{prefix}*login-account*"))


@pytest.mark.parametrize("storage", ["memory"], indirect=True)
def test_memory_counters_belong_to_one_app(app, app_config):
    with app.test_request_context():
        for _ in range(5):
            rate_limits.record_login_failure("a@example.com", "192.0.2.1")
        assert rate_limits.login_blocked("a@example.com", "192.0.2.1") is not None
    other = create_app(app_config)
    with other.test_request_context():
        assert rate_limits.login_blocked("a@example.com", "192.0.2.1") is None
        db.engine.dispose()


def api_get(client, key: str | None = None):
    headers = {"Authorization": f"Token {key}"} if key else {}
    return client.get("/api/v2/systems/", headers=headers)


def test_the_api_answers_429_after_too_many_wrong_tokens(client, admin):
    _, key = create_token(None, admin, "CI")
    assert [api_get(client, "cdk_wrong").status_code for _ in range(3)] == [401, 401, 401]
    response = api_get(client, key)  # even a good key: guessing from here is paused
    assert response.status_code == 429
    assert response.get_json()["detail"].startswith("Too many attempts.")
    assert int(response.headers["Retry-After"]) > 0


def test_requests_without_a_token_do_not_count(client, admin):
    assert [api_get(client).status_code for _ in range(5)] == [401] * 5
    _, key = create_token(None, admin, "CI")
    assert api_get(client, key).status_code == 200
