"""Security headers on every page, HSTS only over https, and ProxyFix by setting."""

from __future__ import annotations

import pytest

from tests.factories import ADMIN_EMAIL
from tests.support.routes import build_url, get_rules
from webapp import create_app
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services.tokens import create_token
from webapp.web.security_headers import CONTENT_SECURITY_POLICY

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def security_headers(response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in EXPECTED}


def test_the_policy_allows_no_inline_code():
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_every_page_an_admin_can_open_sends_the_headers(app, admin_client, admin):
    _, key = create_token(None, admin, "walk")
    token = {"Authorization": f"Token {key}"}  # for the API; pages use the session
    seen = {}
    for rule in get_rules(app):
        response = admin_client.get(build_url(app, rule, admin), headers=token)
        # Once a user exists the set-up link is gone for good (404).
        status = response.status_code
        assert status == 404 if rule.endpoint == "auth.setup" else status < 400, rule.endpoint
        seen[rule.endpoint] = security_headers(response)
    assert {"dashboard.index", "connectors.detail", "audit.index"} <= seen.keys()
    assert seen == dict.fromkeys(seen, EXPECTED)


@pytest.mark.parametrize("url", ["/login", "/nowhere", "/api/v2/systems/"])
def test_pages_without_login_and_errors_send_them_too(client, url):
    assert security_headers(client.get(url)) == EXPECTED


def test_static_files_may_be_cached_but_are_not_sniffed(client):
    response = client.get("/static/app.css")
    response.close()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Cache-Control") != "no-store"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_forwarded_headers_are_ignored_without_proxy_fix(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def proxied_app(app_config, admin):
    """A second app on the same database, behind one trusted proxy."""
    proxied = create_app(
        {**app_config, "PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1, "WTF_CSRF_ENABLED": False}
    )
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def test_proxy_fix_trusts_the_configured_proxy(proxied_app):
    client = proxied_app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = client.get("/login", headers=forwarded)
    assert "Strict-Transport-Security" in response.headers
    client.post("/login", data={"email": ADMIN_EMAIL, "password": "x" * 12}, headers=forwarded)
    failed = db.select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
    assert db.session.scalar(failed).details["address"] == "203.0.113.9"
