"""Every reply names its request id, and JSON log lines carry the same id."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import current_app

from webapp.http.access import public
from webapp.observability.logs import JsonFormatter, RequestIdFilter


def test_every_reply_carries_a_new_request_id(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_redirected_request_gets_an_id_too(client):
    response = client.get("/connectors/")
    assert response.status_code == 302
    assert response.headers["X-Request-ID"]


def test_a_plain_incoming_request_id_is_kept(client):
    response = client.get("/login", headers={"X-Request-ID": "lb-4f2a.17"})
    assert response.headers["X-Request-ID"] == "lb-4f2a.17"


@pytest.mark.parametrize("forged", ["a b", "x" * 200, "id\u2028two", "<script>"])
def test_an_odd_incoming_request_id_is_replaced(client, forged):
    response = client.get("/login", headers={"X-Request-ID": forged})
    assert response.headers["X-Request-ID"] != forged
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.fixture
def json_log(app):
    """A JSON handler on the app's logger, as LOG_FORMAT=json installs on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    app.logger.addHandler(handler)
    yield stream
    app.logger.removeHandler(handler)


def test_json_log_lines_name_the_request_and_hide_credentials(app, client, json_log):
    @app.get("/_log_something")
    @public
    def log_something():
        current_app.logger.warning("calling tracker with Authorization: Bearer glpat-SECRET1")
        return "ok"

    response = client.get("/_log_something", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 200
    line = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "req-123"
    assert line["level"] == "WARNING"
    assert "glpat-SECRET1" not in line["message"]
    assert "Authorization: Bearer ********" in line["message"]


def test_json_log_lines_outside_a_request_say_so(json_log, app):
    app.logger.error("worker started")
    line = json.loads(json_log.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "-" and line["message"] == "worker started"


def test_log_format_json_installs_one_handler_on_the_root_logger(app_config):
    from webapp import create_app
    from webapp.observability.logs import _HANDLER_MARK

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        create_app({**app_config, "LOG_FORMAT": "json"})
        create_app({**app_config, "LOG_FORMAT": "json"})
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and getattr(added[0], _HANDLER_MARK)
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
