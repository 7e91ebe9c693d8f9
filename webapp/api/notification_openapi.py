"""The notification channel part of the OpenAPI document: paths and schemas."""

from __future__ import annotations

from typing import Any

from webapp.api.schemas import ref
from webapp.ids import MAX_ID
from webapp.services.notifications import EVENTS

JSON = "application/json"
ERRORS = {
    "400": "Invalid input; `errors` maps fields (`url`, `events`, …) to messages.",
    "401": "No token, or an invalid one.",
    "403": "Only administrators can see and change notification channels.",
    "404": "No notification channel with this id.",
    "415": "The body is not JSON.",
}


def _responses(status: str, schema: dict[str, Any] | None, *errors: str) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "Success."}
    if schema is not None:
        success["content"] = {JSON: {"schema": schema}}
    responses = {status: success}
    for error in ("401", "403", *errors):
        responses[error] = {
            "description": ERRORS[error],
            "content": {JSON: {"schema": ref("Error")}},
        }
    return responses


def _operation(op_id: str, summary: str, responses: dict, body: str | None = None) -> dict:
    operation: dict[str, Any] = {"operationId": op_id, "summary": summary}
    if body:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": ref(body)}}}
    operation["responses"] = responses
    return operation


def notification_paths() -> dict[str, Any]:
    channel = ref("NotificationChannel")
    channel_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }
    listing = {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array", "items": channel}},
    }
    notifications = {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array", "items": ref("Notification")}},
    }
    return {
        "/notification-channels/": {
            "get": _operation(
                "listNotificationChannels", "List notification channels", _responses("200", listing)
            ),
            "post": _operation(
                "createNotificationChannel",
                "Create a notification channel",
                _responses("201", channel, "400", "415"),
                "NotificationChannelCreate",
            ),
        },
        "/notification-channels/{id}/": {
            "parameters": [channel_id],
            "get": _operation(
                "getNotificationChannel",
                "Get a notification channel",
                _responses("200", channel, "404"),
            ),
            "patch": _operation(
                "updateNotificationChannel",
                "Update a notification channel (fields left out, and a URL left out or "
                "sent back masked, keep their values)",
                _responses("200", channel, "400", "404", "415"),
                "NotificationChannelUpdate",
            ),
            "delete": _operation(
                "deleteNotificationChannel",
                "Delete a notification channel and its unsent notifications",
                _responses("204", None, "404"),
            ),
        },
        "/notification-channels/{id}/test/": {
            "parameters": [channel_id],
            "post": _operation(
                "testNotificationChannel",
                "Queue a test notification; the worker sends it (see the notifications)",
                _responses(
                    "202",
                    {"type": "object", "properties": {"notification": ref("Notification")}},
                    "404",
                ),
            ),
        },
        "/notification-channels/{id}/notifications/": {
            "parameters": [channel_id],
            "get": _operation(
                "listChannelNotifications",
                "The channel's latest notifications, newest first",
                _responses("200", notifications, "404"),
            ),
        },
    }


def notification_schemas() -> dict[str, Any]:
    events = {"type": "array", "items": {"enum": list(EVENTS)}, "uniqueItems": True}
    fields = {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "url": {
            "type": "string",
            "maxLength": 2000,
            "description": "An Apprise URL, e.g. `discord://webhook_id/webhook_token`, "
            "`slack://…`, `workflows://…` (Microsoft Teams), `matrix://…`, `mailto://…`, "
            "`json://host/path`. Write-only.",
        },
        "events": {**events, "description": "; ".join(f"`{k}`: {v}" for k, v in EVENTS.items())},
        "all_connectors": {"type": "boolean", "default": True},
        "connector_ids": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "The connectors whose events it hears about when "
            "`all_connectors` is false.",
        },
        "enabled": {"type": "boolean", "default": True},
    }
    return {
        "NotificationChannel": {
            "type": "object",
            "required": ["id", "name", "url", "scheme", "events", "all_connectors", "enabled"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "url": {"type": "string", "description": "Only the scheme: `discord://****`."},
                "scheme": {"type": "string"},
                "events": events,
                "all_connectors": {"type": "boolean"},
                "connectors": {"type": "array", "items": {"type": "object"}},
                "enabled": {"type": "boolean"},
                "created_at": {"type": "string"},
                "updated_at": {"type": "string"},
            },
        },
        "NotificationChannelCreate": {
            "type": "object",
            "required": ["name", "url", "events"],
            "properties": fields,
        },
        "NotificationChannelUpdate": {"type": "object", "properties": fields},
        "Notification": {
            "type": "object",
            "required": ["id", "event", "status"],
            "properties": {
                "id": {"type": "integer"},
                "event": {"type": "string"},
                "status": {"enum": ["pending", "sending", "sent", "failed", "uncertain"]},
                "title": {"type": "string"},
                "attempts": {"type": "integer"},
                "http_status": {"type": ["integer", "null"]},
                "last_error": {"type": ["string", "null"]},
                "next_attempt_at": {"type": ["string", "null"]},
                "sent_at": {"type": ["string", "null"]},
            },
        },
    }
