"""Sessions end on the server: a saved session or remember-me cookie stops working after
logout, a password change, deactivation or "Log out everywhere", and a remembered login
lasts REMEMBER_ME_DAYS."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from types import SimpleNamespace

import pytest

from tests.api.conftest import ApiClient, new_key
from tests.factories import ADMIN_EMAIL, PASSWORD, make_user
from webapp.config import settings_from_environment
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services import logins

NEW_PASSWORD = "a brand new passphrase 42"
CHANGE_PASSWORD = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}


def saved_cookies(client) -> dict[str, str]:
    """The login cookies as an attacker (or a backup of the browser profile) keeps them."""
    cookies = {}
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            cookies[name] = cookie.value
    return cookies


def replay(app, cookies: dict[str, str]):
    """A fresh browser that presents only ``cookies``; returns its answer for /account."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/account")


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def remembered(app, client, auth, admin) -> dict[str, dict[str, str]]:
    """The admin logged in with "Remember me": each cookie saved on its own."""
    assert auth.login(remember="y").status_code == 302
    cookies = saved_cookies(client)
    assert set(cookies) == {"session", "remember_token"}
    return {name: {name: value} for name, value in cookies.items()}


def test_saved_cookies_work_until_logout_and_never_after(app, auth, remembered):
    for cookie in remembered.values():
        assert replay(app, cookie).status_code == 200
    auth.logout()
    for cookie in remembered.values():
        response = replay(app, cookie)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert audit_actions()[-1] == "auth.logout"


def test_logging_in_again_after_logout_works(client, auth, admin):
    auth.login()
    auth.logout()
    assert auth.login().status_code == 302
    assert client.get("/account").status_code == 200


def test_password_change_ends_saved_cookies_but_keeps_this_browser(app, client, remembered, admin):
    response = client.submit("/account", CHANGE_PASSWORD)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    for cookie in remembered.values():
        assert replay(app, cookie).status_code == 302


def test_password_change_keeps_api_tokens_unless_asked_and_says_so(app, admin_client, admin):
    key = new_key(admin)
    page = admin_client.get("/account").get_data(as_text=True)
    assert "Also revoke my API tokens" in page
    assert "API tokens outlive passwords" in page
    admin_client.submit("/account", CHANGE_PASSWORD)
    assert ApiClient(app.test_client(), key).get("/systems/").status_code == 200


def test_password_change_can_revoke_every_api_token(app, admin_client, admin):
    keys = [new_key(admin, "CI"), new_key(admin, "backup")]
    someone_elses = new_key(make_user("other@example.com"))
    response = admin_client.submit(
        "/account",
        {**CHANGE_PASSWORD, "revoke_tokens": "y"},
    )
    assert response.status_code == 302
    page = admin_client.get("/account").get_data(as_text=True)
    assert "API tokens revoked: 2." in page
    for key in keys:
        assert ApiClient(app.test_client(), key).get("/systems/").status_code == 401
    assert ApiClient(app.test_client(), someone_elses).get("/systems/").status_code == 200
    assert audit_actions()[-3:] == ["token.revoke", "token.revoke", "user.password_change"]
    change = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "user.password_change")
    ).one()
    assert change.details == {"sessions_ended": True, "tokens_revoked": 2}


def test_log_out_everywhere_ends_every_session_of_the_user(app, client, remembered, admin):
    other_browser = app.test_client()
    other_browser.submit("/login", {"email": ADMIN_EMAIL, "password": PASSWORD})
    assert other_browser.get("/account").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert 'data-testid="logout-everywhere"' in page
    response = client.submit("/account/logout-everywhere")
    assert response.headers["Location"] == "/login"
    assert "You are logged out in every browser" in client.get("/login").get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert other_browser.get("/account").status_code == 302
    for cookie in remembered.values():
        assert replay(app, cookie).status_code == 302
    assert audit_actions()[-1] == "auth.logout_everywhere"


def test_log_out_everywhere_needs_the_csrf_token(app, admin_client):
    admin_client.post("/account/logout-everywhere")
    assert admin_client.get("/account").status_code == 200


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, admin_client, auth):
    victim = make_user("victim@example.com")
    their_browser = app.test_client()
    their_browser.submit("/login", {"email": victim.email, "password": PASSWORD, "remember": "y"})
    cookies = saved_cookies(their_browser)
    admin_client.submit(f"/users/{victim.id}/active")  # deactivate
    admin_client.submit(f"/users/{victim.id}/active")  # and reactivate
    assert db.session.get(type(victim), victim.id).active
    assert replay(app, {"session": cookies["session"]}).status_code == 302
    assert replay(app, {"remember_token": cookies["remember_token"]}).status_code == 302


def remember_cookie_expiry(response) -> datetime:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("remember_token="):
            return parsedate_to_datetime(SimpleCookie(header)["remember_token"]["expires"])
    raise AssertionError("no remember_token cookie was set")


def test_remember_me_lasts_14_days_by_default(client, auth, admin):
    assert "logged in for 14 days" in client.get("/login").get_data(as_text=True)
    expires = remember_cookie_expiry(auth.login(remember="y"))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=5)


def test_remember_me_days_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REMEMBER_ME_DAYS", "3")
    assert settings_from_environment(str(tmp_path))["REMEMBER_ME_DAYS"] == 3


class TestRememberMeForThreeDays:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "REMEMBER_ME_DAYS": 3}

    def test_the_cookie_expires_after_the_setting(self, auth, admin):
        expires = remember_cookie_expiry(auth.login(remember="y"))
        assert abs(expires - (datetime.now(UTC) + timedelta(days=3))) < timedelta(minutes=5)

    def test_a_saved_cookie_is_refused_on_the_server_once_the_time_is_up(
        self, app, remembered, monkeypatch
    ):
        assert replay(app, remembered["remember_token"]).status_code == 200
        later = time.time() + timedelta(days=3, minutes=1).total_seconds()
        monkeypatch.setattr(logins, "time", SimpleNamespace(time=lambda: later))
        for cookie in remembered.values():
            assert replay(app, cookie).status_code == 302
