"""The OpenAPI document: valid 3.1, derived from the registry, and shown at /api/docs."""

from __future__ import annotations

import re

from openapi_spec_validator import OpenAPIV31SpecValidator

from webapp.services.systems import registry

DOCUMENT = "/api/v2/openapi.json"


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get(DOCUMENT).get_json()
    assert document["openapi"].startswith("3.1")
    assert list(OpenAPIV31SpecValidator(document).iter_errors()) == []
    broken = {**document, "paths": {"no-leading-slash": {}}}
    assert list(OpenAPIV31SpecValidator(broken).iter_errors())  # the validator does check


def test_it_needs_no_token(client):
    response = client.get(DOCUMENT)
    assert response.status_code == 200 and response.mimetype == "application/json"


def test_bodies_are_one_of_every_systems_params_schema(client):
    schemas = client.get(DOCUMENT).get_json()["components"]["schemas"]
    choices = schemas["ConnectorCreate"]["oneOf"]
    assert [
        (c["properties"]["system"]["properties"]["id"]["const"], c["properties"]["params"]["$ref"])
        for c in choices
    ] == [(s.id, f"#/components/schemas/{s.id}_params") for s in registry()]
    assert "github_repo_owner" in schemas["github_params"]["required"]
    assert "required" not in schemas["github_params_update"]


def test_the_token_header_is_the_security_scheme(client):
    document = client.get(DOCUMENT).get_json()
    assert document["components"]["securitySchemes"]["Token"] == {
        **document["components"]["securitySchemes"]["Token"],
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
    }
    assert document["security"] == [{"Token": []}]


def test_the_docs_page_needs_a_login(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_docs_page_renders_the_document_with_vendored_swagger_ui(admin_client):
    """The browser test (tests/e2e/test_api_docs_browser.py) checks what Swagger UI shows."""
    page = admin_client.get("/api/docs").get_data(as_text=True)
    assert f'data-spec-url="{DOCUMENT}"' in page
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui/swagger-ui.css" in assets
    for asset in assets:
        response = admin_client.get(asset)
        response.close()  # static files are streamed from an open file
        assert response.status_code == 200, asset


def test_the_docs_page_uses_only_local_assets_and_no_inline_code(admin_client):
    page = admin_client.get("/api/docs").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"<style|\sstyle=", page)
    assert not re.search(r'(src|href)="(https?:)?//', page)
