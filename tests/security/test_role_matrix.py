"""Each role × each endpoint and method → allowed, 403, the login page or 401.

The endpoints come from the app's URL map and their classes from one explicit table
(tests/support/route_access.py); an endpoint missing from the table fails here.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user
from tests.support.route_access import (
    ACCESS,
    ADMIN,
    API_ACCESS,
    OWN,
    PUBLIC,
    SIGNED,
    TOKEN_ADMIN,
)
from tests.support.routes import build_url, rules, walked_methods

ROLES = ("anonymous", "viewer", "admin")
ALLOWED, LOGIN_PAGE, FORBIDDEN, UNAUTHORIZED, ERROR = (
    "allowed",
    "login page",
    "403",
    "401",
    "server error",
)


def expected(access: str | None, role: str, owns_rows: bool = True) -> str:
    if access is None:
        return "unclassified: add it to tests/support/route_access.py"
    if access == PUBLIC:
        return ALLOWED
    if access == SIGNED:
        return UNAUTHORIZED  # no role helps: only the tracker's signature is accepted
    if access in API_ACCESS:
        return UNAUTHORIZED  # the session cookie never authenticates the API
    if role == "anonymous":
        return LOGIN_PAGE
    if access == ADMIN and role == "viewer":
        return FORBIDDEN
    if access == OWN and role == "viewer" and not owns_rows:
        return FORBIDDEN
    return ALLOWED


def outcome(response) -> str:
    if response.status_code == 401:
        return UNAUTHORIZED
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code >= 500:
        return ERROR
    # The login guard sends people back where they were going: ?next=…
    if response.status_code == 302 and response.location.startswith("/login?next="):
        return LOGIN_PAGE
    return ALLOWED


@pytest.fixture
def as_role(app, client, auth):
    """Log the client in with ``role``; return the user who owns sample rows."""

    def log_in(role: str):
        owner = make_user(role="viewer" if role == "viewer" else "admin")
        if role != "anonymous":
            assert auth.login(owner.email, PASSWORD).status_code == 302
        return owner

    return log_in


def test_every_endpoint_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - ACCESS.keys()) == [], "classify in tests/support/route_access.py"
    assert sorted(ACCESS.keys() - endpoints) == [], "stale entries in route_access.py"


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_what_the_table_says(app, client, auth, as_role, role):
    owner = as_role(role)
    csrf = client.csrf_token()
    # Logging out last, or the rest of the walk would run logged out.
    logs_out = {"auth.logout", "users.logout_everywhere"}
    walk = sorted(rules(app), key=lambda rule: (rule.endpoint in logs_out, rule.endpoint))
    got, want = {}, {}
    for rule in walk:
        for method in walked_methods(rule):
            if rule.endpoint in logs_out and role != "anonymous" and method == "POST":
                auth.login(owner.email, PASSWORD)  # again, after the previous logout
            # Fresh rows per request: an allowed delete or deactivate must not
            # turn the next request into a 404.
            url = build_url(app, rule, owner)
            data = None if method == "GET" else {"csrf_token": csrf}
            response = client.open(url, method=method, data=data)
            key = f"{rule.endpoint}: {method} {rule.rule}"
            got[key] = outcome(response)
            want[key] = expected(ACCESS.get(rule.endpoint), role)
            response.close()  # static files are streamed from an open file
    assert got == want


def expected_with_token(access: str, role: str) -> str:
    """What an API endpoint answers a request carrying ``role``'s API token."""
    return FORBIDDEN if access == TOKEN_ADMIN and role == "viewer" else ALLOWED


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_api_token_role_gets_what_the_table_says(app, client, role):
    """The API walked with each role's token: viewers get 403 on admin actions, such as
    testing unsaved settings, whatever body they send (an empty one here)."""
    from webapp.services.tokens import create_token

    owner = make_user(role=role)
    key = create_token(None, owner, "role matrix")[1]
    got, want = {}, {}
    for rule in rules(app):
        access = ACCESS.get(rule.endpoint)
        if access not in API_ACCESS:
            continue
        for method in walked_methods(rule):
            url = build_url(app, rule, owner)
            body = None if method in ("GET", "DELETE") else {}
            response = client.open(
                url, method=method, json=body, headers={"Authorization": f"Token {key}"}
            )
            key_name = f"{rule.endpoint}: {method} {rule.rule}"
            got[key_name] = outcome(response)
            want[key_name] = expected_with_token(access, role)
    assert got == want


@pytest.mark.parametrize("role", ("viewer", "admin"))
def test_rows_of_other_users_are_for_admins_only(app, client, as_role, role):
    """The walk above uses the user's own rows; here another user created them."""
    as_role(role)
    someone_else = make_user(role="viewer")
    csrf = client.csrf_token()
    got, want = {}, {}
    for rule in rules(app):
        if ACCESS.get(rule.endpoint) != OWN:
            continue
        for method in walked_methods(rule):
            url = build_url(app, rule, someone_else)
            data = None if method == "GET" else {"csrf_token": csrf}
            key = f"{rule.endpoint}: {method} {rule.rule}"
            got[key] = outcome(client.open(url, method=method, data=data))
            want[key] = expected(OWN, role, owns_rows=False)
    assert got and got == want
