"""Every route needs a logged-in user, except the few that must be public.

The test walks the URL map, so a route added later is checked without anyone
remembering to add it here.
"""

import pytest
from werkzeug.routing import IntegerConverter, Rule

from webapp.ids import IdConverter

PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.setup",
    "health.healthz",
    "api.openapi_document",
    "hooks.receive",  # no login: the tracker's signature instead (tests/web/test_webhooks.py)
    "metrics.metrics",  # no login, but allowed networks or a token (tests/test_metrics.py)
    "integrations.discord_interactions",  # no login, but Discord's signature (test_discord_*)
}
SAMPLE_VALUES = {"int": 1, "string": "x", "path": "x", "default": "x"}


def build_url(app, rule: Rule) -> str:
    values = {}
    for name in rule.arguments:
        numeric = isinstance(rule._converters[name], IntegerConverter | IdConverter)
        values[name] = 1 if numeric else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def protected_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC_ENDPOINTS]


def test_the_walk_covers_the_known_pages(app):
    endpoints = {rule.endpoint for rule in protected_rules(app)}
    assert {"dashboard.index", "users.index", "users.account", "auth.logout"} <= endpoints


def test_every_non_public_route_requires_login(app, client):
    failures = []
    for rule in protected_rules(app):
        url = build_url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            api = rule.endpoint.startswith("api.")
            ok = (
                response.status_code == 401
                if api
                else (
                    response.status_code == 302
                    and response.headers["Location"].startswith("/login")
                )
            )
            if not ok:
                failures.append((method, url, response.status_code))
    assert failures == []


@pytest.mark.parametrize("url", ["/login", "/healthz"])
def test_public_routes_answer_without_login(client, url):
    assert client.get(url).status_code == 200
