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
from webapp.http.paging import MAX_PAGE_SIZE
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
    "409": "The version's server, method or authentication differ from the connector's: "
    "send the secrets named in `errors` (`params.<name>`) in the body's `params`.",
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


def _page_of(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["results", "count", "page", "pages"],
        "properties": {
            "results": {"type": "array", "items": ref(schema)},
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
        },
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
    page = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    size = {
        "name": "page_size",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "description": "Rows per page (connectors: 100 unless given; other lists: 25).",
    }
    return {
        "/connectors/issue-tracker/": {
            "get": _operation(
                "listConnectors",
                "List connectors",
                _responses("200", _page_of("Connector"), "400"),
                parameters=[*query, page, size],
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
        "/connectors/issue-tracker/{id}/webhook/rotate/": {
            "parameters": [connector_id],
            "post": _operation(
                "rotateWebhookSecret",
                "Generate or rotate the webhook secret (administrators only); the answer "
                "is the only time it is shown",
                _responses("200", ref("WebhookSecret"), "400", "403", "404"),
            ),
        },
        "/connectors/issue-tracker/{id}/versions/": {
            "parameters": [connector_id],
            "get": _operation(
                "listConnectorVersions",
                "List a connector's versions, newest first (secrets only by name)",
                _responses("200", _page_of("ConnectorVersion"), "404"),
                parameters=[page],
            ),
        },
        "/connectors/issue-tracker/{id}/versions/{number}/restore/": {
            "parameters": [
                connector_id,
                {"name": "number", "in": "path", "required": True, "schema": ID_SCHEMA},
            ],
            "post": _operation(
                "restoreConnectorVersion",
                "Restore a version as the connector's next version (administrators only)",
                _responses("200", ref("ConnectorRestore"), *body_errors, "404", "409", "412"),
                parameters=[if_match],
                description="The stored secrets are kept only if the version's server, "
                "method and authentication are the connector's now; otherwise send them in "
                "`params` (409 names them).",
                requestBody={
                    "required": False,
                    "content": {JSON: {"schema": ref("ConnectorRestoreBody")}},
                },
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
        **_transfer_paths(connector_id, body_errors),
        "/tickets/": {
            "get": _operation(
                "listTickets",
                "List tickets, newest first",
                _responses("200", _page_of("Ticket"), "400"),
                parameters=[
                    {"name": "connector", "in": "query", "schema": ID_SCHEMA},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    page,
                    size,
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
                    "202": _json(
                        ref("Ticket"),
                        "Stored; the tracker did not answer within the intake budget, or "
                        "earlier tickets through the connector wait for it: the delivery "
                        "carries on in the background (follow `status`).",
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
        "/tickets/{id}/comments/": {
            "parameters": [connector_id],
            "get": _operation(
                "listTicketComments",
                "The issue's comments, oldest first: the tracker's and those sent from here",
                _responses("200", _list_of("Comment"), "404"),
            ),
            "post": _operation(
                "addTicketComment",
                "Add a comment to the issue (admins: any ticket; viewers: their own). Stored "
                "first, tried once; 201 with its delivery status (pending or failed: the "
                "worker retries it)",
                _responses("201", ref("Comment"), "400", "403", "404", "415"),
                "CommentCreate",
            ),
        },
        "/tickets/{id}/close/": {
            "parameters": [connector_id],
            "post": _operation(
                "closeTicket",
                "Close the issue on the tracker (admins: any ticket; viewers: their own); "
                "400 with the tracker's words when it refuses",
                _responses("200", ref("Ticket"), "400", "403", "404"),
            ),
        },
        "/tickets/{id}/reopen/": {
            "parameters": [connector_id],
            "post": _operation(
                "reopenTicket",
                "Reopen the issue on the tracker (admins: any ticket; viewers: their own)",
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


def _inline_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _transfer_paths(connector_id: dict[str, Any], body_errors: tuple[str, ...]) -> dict[str, Any]:
    """Argus settings and JSON bundles (webapp/api/transfers.py)."""
    text = {"type": "string"}
    flag = {"type": "boolean", "default": False}
    result = {"type": "object"}
    export = _json(result, "`settings`, `python`, `json`, `secrets_included`, `left_out`.")
    return {
        "/connectors/import/argus/": {
            "post": _operation(
                "importArgusSettings",
                "Create a connector from Argus ticket settings (administrators only)",
                {
                    **_responses("201", result, *body_errors),
                    "200": _json(result, "Dry run: the connector, unmapped keys, errors."),
                },
                requestBody=_inline_body(
                    {
                        "name": text,
                        "settings": {
                            "description": "TICKET_PLUGIN, TICKET_ENDPOINT, "
                            "TICKET_AUTHENTICATION_SECRET and TICKET_INFORMATION as a JSON "
                            "object, or as Python or JSON text (read as literals, never run).",
                            "oneOf": [text, {"type": "object"}],
                        },
                        "dry_run": flag,
                        "test": flag,
                    },
                    ["name", "settings"],
                ),
            ),
        },
        "/connectors/issue-tracker/{id}/export/argus/": {
            "parameters": [connector_id],
            "get": _operation(
                "exportArgusSettings",
                "The connector as Argus settings; secrets as placeholders",
                {**_responses("200", None, "400", "404"), "200": export},
            ),
            "post": _operation(
                "exportArgusSettingsWithSecrets",
                "The connector as Argus settings with its secrets (password; audited)",
                {**_responses("200", None, *body_errors, "404"), "200": export},
                requestBody=_inline_body({"password": text}, ["password"]),
            ),
        },
        "/connectors/export/": {
            "get": _operation(
                "exportBundle",
                "Every connector with its categories as a JSON bundle, without secrets",
                _responses("200", result, "403"),
            ),
            "post": _operation(
                "exportBundleWithSecrets",
                "The bundle with secrets encrypted by a passphrase (scrypt + Fernet; audited)",
                _responses("200", result, *body_errors),
                requestBody=_inline_body({"passphrase": text, "password": text}, ["passphrase"]),
            ),
        },
        "/connectors/import/": {
            "post": _operation(
                "importBundle",
                "Create or update connectors from a bundle, matched by name (idempotent)",
                _responses("200", result, *body_errors),
                requestBody=_inline_body(
                    {
                        "bundle": {"oneOf": [{"type": "object"}, text]},
                        "passphrase": text,
                        "dry_run": flag,
                    },
                    ["bundle"],
                ),
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
