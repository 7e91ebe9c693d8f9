"""Every API error is JSON: routing, methods, content types, sizes and server errors."""

from __future__ import annotations

import pytest

from tests.factories import make_connector

COLLECTION = "/connectors/issue-tracker/"


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["detail"]
    return response.get_json()


def test_an_unknown_connector_is_404(api):
    body = assert_json_error(api.get(f"{COLLECTION}999999/"), 404)
    assert body["detail"] == "There is no connector with this id."


def test_an_unknown_path_is_404(api):
    assert_json_error(api.get("/nothing-here/"), 404)


def test_an_unsupported_method_is_405(api):
    response = api.open("PUT", f"{COLLECTION}1/", json={})
    assert_json_error(response, 405)
    assert "PATCH" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("name=x", "application/x-www-form-urlencoded"), ("{}", "text/plain"), ("{}", None)],
)
def test_a_body_that_is_not_json_is_415(api, data, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    assert_json_error(api.post(COLLECTION, data=data, headers=headers), 415)


@pytest.mark.parametrize("data", ['{"name": ', "", "{'single': 'quotes'}"])
def test_malformed_json_is_400(api, data):
    response = api.post(COLLECTION, data=data, content_type="application/json")
    assert assert_json_error(response, 400)["detail"] == "The body is not valid JSON."


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_a_body_that_is_not_an_object_is_400(api, body):
    response = api.post(
        COLLECTION, data=__import__("json").dumps(body), content_type="application/json"
    )
    assert assert_json_error(response, 400)["detail"] == "The body must be a JSON object."


def test_patch_checks_the_content_type_too(api):
    connector = make_connector("github")
    response = api.patch(f"{COLLECTION}{connector.id}/", data="x", content_type="text/plain")
    assert_json_error(response, 415)


def test_a_body_over_one_mebibyte_is_413(api):
    body = '{"name": "' + "x" * (1024 * 1024) + '"}'
    response = api.post(COLLECTION, data=body, content_type="application/json")
    assert_json_error(response, 413)


def test_a_server_error_is_json_without_details(app, api, monkeypatch):
    from webapp.services import connectors

    def broken(*args, **kwargs):
        raise RuntimeError("database exploded: SECRET detail")

    monkeypatch.setattr(connectors, "connectors_query", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_json_error(api.get(COLLECTION), 500)
    assert "SECRET" not in body["detail"]
