"""No connector secret leaves the app: not on a page, in the API, the CLI, the audit log,
the logs, nor in plaintext in the database.

Every registered system (built-ins and installed plugins) gets a connector with a
distinctive secret, pointed at its fake tracker (from its test material,
tests/support/material.py) that rejects it and echoes the credentials it received in its
error body, so a failed connection test carries them back to the app.
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import url_for
from sqlalchemy import inspect, text

from tests.factories import make_connector
from tests.fakes import FakeServer
from tests.support.material import material_for, registered_materials
from tests.support.routes import build_url, get_rules, rules
from webapp.extensions import db
from webapp.services.systems import get_system
from webapp.services.tokens import create_token

HTMX = {"HX-Request": "true"}
#: The secret each system's connector stores: not the one its fake accepts.
STORED = {m.id: (m.secret[0], f"{m.secret[1]}-REJECTED-{m.id}") for m in registered_materials()}
#: Basic-auth user names, for the base64 ``user:secret`` spelling.
USERS = {
    m.id: m.form_params["issue_tracker_user"]
    for m in registered_materials()
    if "issue_tracker_user" in m.form_params
}


def spellings() -> dict[str, str]:
    """Every spelling of every secret that must not appear, and which secret it is."""
    found = {}
    for system_id, (_, secret) in STORED.items():
        forms = {secret, quote(secret, safe=""), secret[4:-4], base64.b64encode(secret.encode())}
        if system_id in USERS:
            forms.add(base64.b64encode(f"{USERS[system_id]}:{secret}".encode()))
        for form in forms:
            found[form.decode() if isinstance(form, bytes) else form] = system_id
    assert {secret for _, secret in STORED.values()} <= found.keys()
    return found


def assert_no_secret(where: str, output: str) -> None:
    leaked = {system for form, system in spellings().items() if form in output}
    assert not leaked, f"{where} shows the secret of {sorted(leaked)}"


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeServer]]:
    """Each registered system's fake, echoing the credentials it rejects: system -> fake."""
    with contextlib.ExitStack() as stack:
        yield {
            m.id: stack.enter_context(m.fake_server(echo_credentials_in_errors=True))
            for m in registered_materials()
        }


@pytest.fixture
def connectors(app, admin, caplog, fakes):
    caplog.set_level(logging.DEBUG)
    return [
        make_connector(
            system_id,
            name=f"Leaky {system_id}",
            actor=admin,
            **material_for(system_id).params_for(fake),
            **{STORED[system_id][0]: STORED[system_id][1]},
        )
        for system_id, fake in fakes.items()
    ]


def test_the_check_catches_every_spelling():
    for form in spellings():
        with pytest.raises(AssertionError):
            assert_no_secret("a control", f"<p>{form}</p>")


def test_pages_never_show_a_secret(app, admin_client, admin, connectors, fakes, caplog):
    for connector in connectors:
        base = f"/connectors/{connector.id}"
        for response in (
            admin_client.submit(f"{base}/test"),
            admin_client.submit(f"{base}/test", headers=HTMX),
            admin_client.submit(f"{base}/edit/test", {"name": connector.name, **blank(connector)}),
            admin_client.submit(f"{base}/edit", {"name": "", **blank(connector)}),  # invalid
        ):
            assert_no_secret(f"POST {base}", response.get_data(as_text=True))
        fake = fakes[connector.system_id]
        sent = repr([request.headers for request in fake.requests])
        assert any(form in sent for form in spellings()), "the fake got no credentials to echo"
        for page in ("", "/edit", "/clone", "/delete"):
            assert_no_secret(page, admin_client.get(base + page).get_data(as_text=True))
    for rule in get_rules(app):
        response = admin_client.get(build_url(app, rule, admin))
        assert_no_secret(rule.endpoint, response.get_data(as_text=True))
    assert_no_secret("the log", caplog.text)


def blank(connector) -> dict[str, str]:
    """The edit form as the browser sends it: secret fields blank (the stored value is kept)."""
    secret_name, _ = STORED[connector.system_id]
    form = material_for(connector.system_id).form_params
    return {**form, **connector_server(connector), secret_name: ""}


def connector_server(connector) -> dict[str, str]:
    return {
        "issue_tracker_server": connector.params["issue_tracker_server"],
        "issue_tracker_method": "http",
    }


def test_the_api_never_returns_a_secret(app, client, admin, connectors, caplog):
    _, key = create_token(None, admin, "leak test")
    token = {"Authorization": f"Token {key}"}
    for connector in connectors:
        url = f"/api/v2/connectors/issue-tracker/{connector.id}/test/"
        assert_no_secret(url, client.post(url, headers=token).get_data(as_text=True))
    for rule in rules(app):
        if rule.endpoint.startswith("api.") and "GET" in rule.methods:
            for url in urls_for_each(app, rule, admin, connectors):
                response = client.get(url, headers=token)
                assert response.status_code == expected_status(rule, url, connectors), url
                assert_no_secret(url, response.get_data(as_text=True))
    assert_no_secret("the log", caplog.text)


def expected_status(rule, url, connectors) -> int:
    """200, except Argus settings of a system Argus has no plugin for (the Gitea plugin's)."""
    if rule.endpoint == "api.export_argus":
        connector = next(c for c in connectors if f"/issue-tracker/{c.id}/" in url)
        return 200 if get_system(connector.system_id).argus else 404
    return 200


def urls_for_each(app, rule, admin, connectors) -> list[str]:
    """The rule's URL for each leaky connector, or its sample URL if it takes none."""
    if "connector_id" not in rule.arguments:
        return [build_url(app, rule, admin)]
    with app.test_request_context():
        return [url_for(rule.endpoint, connector_id=c.id) for c in connectors]


def test_the_cli_never_prints_a_secret(runner, connectors, caplog):
    result = runner.invoke(args=["connectors", "test", "--all", "--json"])
    assert result.exit_code == 1  # every fake rejected its credentials
    assert '"failed_stage": "authenticate"' in result.output
    assert_no_secret("connectors test --json", result.output)
    plain = runner.invoke(args=["connectors", "test", "--all"])
    assert_no_secret("connectors test", plain.output)
    assert_no_secret("the log", caplog.text)


def test_the_audit_log_never_holds_a_secret(admin_client, connectors, caplog):
    for connector in connectors:
        admin_client.submit(f"/connectors/{connector.id}/test")
        admin_client.submit(
            f"/connectors/{connector.id}/edit",
            {"name": connector.name + " v2", **blank(connector), "version": connector.version},
        )
    page = admin_client.get("/audit").get_data(as_text=True)
    assert "connector.test" in page and "connector.update" in page
    assert_no_secret("/audit", page)
    assert_no_secret("/audit.csv", admin_client.get("/audit.csv").get_data(as_text=True))
    assert_no_secret("the log", caplog.text)


def test_the_database_holds_secrets_only_as_ciphertext(app, admin_client, connectors):
    for connector in connectors:
        admin_client.submit(f"/connectors/{connector.id}/test")
    tables = inspect(db.engine).get_table_names()
    assert {"connectors", "audit_entries", "users"} <= set(tables)
    stored = []
    for table in tables:
        rows = db.session.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608 (our names)
        stored.extend(f"{table}: {row!r}" for row in rows)
    assert_no_secret("the database", "\n".join(stored))
    ciphertexts = db.session.execute(text("SELECT secrets_ciphertext FROM connectors")).scalars()
    assert all(value for value in ciphertexts)  # the secrets are there, encrypted
