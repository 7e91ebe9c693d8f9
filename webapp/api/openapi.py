"""The OpenAPI 3.1 description of the API, generated from the systems registry.

Public like the login page: it describes the API but holds nothing secret, and
code generators and the docs page fetch it without a token.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from webapp.about import __version__
from webapp.api import bp
from webapp.api.notification_openapi import notification_paths, notification_schemas
from webapp.api.schemas import components, ref
from webapp.http.access import public
from webapp.ids import MAX_ID
from webapp.services.systems import registry
from webapp.trackers.system import System

JSON = "application/json"
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
ERROR_STATUSES = {
    "400": "Invalid input, or a rule forbids it; `errors` maps field paths such as "
    "`params.x` to messages.",
    "401": "No token, or an invalid one.",
    "403": "Viewers cannot change connectors, test unsaved settings, or change tickets other "
    "users created.",
    "404": "No connector (or ticket) with this id.",
    "412": "If-Match names an older version of the connector.",
    "415": "The body is not JSON.",
}


@bp.get("/openapi.json")
@public
def openapi_document():
    return openapi()


def openapi() -> dict[str, Any]:
    """The whole document (cached: the registry does not change while the app runs)."""
    cache = current_app.extensions.setdefault("connector_desk.openapi", {})
    if "document" not in cache:
        cache["document"] = _document(registry().all())
    return cache["document"]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _responses(success: str, body: dict[str, Any] | None, *errors: str) -> dict[str, Any]:
    responses = {success: _json(body, "Success.") if body else {"description": "Success."}}
    for status in ("401", *errors):
        responses[status] = _json(ref("Error"), ERROR_STATUSES[status])
    return responses


def _operation(
    operation_id: str, summary: str, responses: dict[str, Any], body: str | None = None, **extra
) -> dict[str, Any]:
    operation = {"operationId": operation_id, "summary": summary, **extra}
    if body:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": ref(body)}}}
    operation["responses"] = responses
    return operation


def _list_of(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array", "items": ref(schema)}},
    }


def _paths() -> dict[str, Any]:
    connector = ref("Connector")
    query = [
        {
            "name": "system",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Only connectors of this system id.",
        },
        {
            "name": "name",
            "in": "query",
            "schema": {"type": "string"},
            "description": "Only connectors whose name contains this text (any case).",
        },
    ]
    connector_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": ID_SCHEMA,
    }
    if_match = {
        "name": "If-Match",
        "in": "header",
        "schema": {"type": "string"},
        "description": "The `version` you read: the update fails (412) if it changed.",
    }
    body_errors = ("400", "403", "415")
    return {
        "/connectors/issue-tracker/": {
            "get": _operation(
                "listConnectors",
                "List connectors",
                _responses("200", _list_of("Connector"), "400"),
                parameters=query,
            ),
            "post": _operation(
                "createConnector",
                "Create a connector",
                _responses("201", connector, *body_errors),
                "ConnectorCreate",
            ),
        },
        "/connectors/issue-tracker/{id}/": {
            "parameters": [connector_id],
            "get": _operation(
                "getConnector", "Get a connector", _responses("200", connector, "404")
            ),
            "patch": _operation(
                "updateConnector",
                "Update a connector (params not given are kept)",
                _responses("200", connector, *body_errors, "404", "412"),
                "ConnectorUpdate",
                parameters=[if_match],
            ),
            "delete": _operation(
                "deleteConnector",
                "Delete a connector",
                _responses("204", None, "400", "403", "404"),
            ),
        },
        "/connectors/issue-tracker/{id}/test/": {
            "parameters": [connector_id],
            "post": _operation(
                "testSavedConnector",
                "Test a saved connector's connection",
                _responses("200", ref("TestResult"), "404"),
            ),
        },
        "/connectors/test-issue-tracker/": {
            "post": _operation(
                "testConnector",
                "Test connection settings without saving them (administrators only)",
                _responses("200", ref("TestResult"), *body_errors),
                "ConnectorTest",
            ),
        },
        "/tickets/": {
            "get": _operation(
                "listTickets",
                "List tickets, newest first",
                _responses("200", _list_of("Ticket"), "400"),
                parameters=[
                    {"name": "connector", "in": "query", "schema": ID_SCHEMA},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                ],
            ),
            "post": _operation(
                "createTicket",
                "Create a ticket: stored first, then delivered once (see `status`)",
                {
                    **_responses("201", ref("Ticket"), "400", "415"),
                    "200": _json(
                        ref("Ticket"), "The idempotency key was used before: that ticket."
                    ),
                },
                "TicketCreate",
            ),
        },
        "/tickets/{id}/": {
            "parameters": [connector_id],
            "get": _operation("getTicket", "Get a ticket", _responses("200", ref("Ticket"), "404")),
        },
        "/tickets/{id}/retry/": {
            "parameters": [connector_id],
            "post": _operation(
                "retryTicket",
                "Deliver a pending or failed ticket now (admins: any; viewers: their own)",
                _responses("200", ref("Ticket"), "400", "403", "404"),
            ),
        },
        "/tickets/{id}/discard/": {
            "parameters": [connector_id],
            "post": _operation(
                "discardTicket",
                "Discard a pending or failed ticket (admins: any; viewers: their own)",
                _responses("200", ref("Ticket"), "400", "403", "404"),
            ),
        },
        "/systems/": {
            "get": _operation(
                "listSystems",
                "List systems and their params' JSON Schema",
                _responses("200", _list_of("System")),
            ),
        },
        "/openapi.json": {
            "get": _operation(
                "getOpenApi",
                "This document",
                {"200": _json({"type": "object"}, "Success.")},
                security=[],
            ),
        },
    }


def _document(systems: list[System]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Connector Desk API",
            "version": __version__,
            "description": "Issue-tracker connectors, compatible with the SD Elements "
            "connector API. Secrets are write-only: responses mask them.",
        },
        "servers": [{"url": "/api/v2"}],
        "security": [{"Token": []}],
        "paths": {**_paths(), **notification_paths()},
        "components": _with_notifications(components(systems)),
    }


def _with_notifications(parts: dict[str, Any]) -> dict[str, Any]:
    return {**parts, "schemas": {**parts["schemas"], **notification_schemas()}}
