"""Notification channel endpoints (administrators only): list, create, read, update,
delete, and queue a test notification. The URL is write-only: responses show
``"url": "discord://****"``; a PATCH without ``url`` (or with that mask) keeps it."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from webapp.api import bp
from webapp.api.auth import admin_only, api_user
from webapp.api.bodies import json_object
from webapp.extensions import db
from webapp.models import Notification, NotificationChannel
from webapp.services import notification_channels as service
from webapp.services.errors import ValidationFailed

COLLECTION = "/notification-channels/"
ITEM = "/notification-channels/<id:channel_id>/"
ROUTE = {"strict_slashes": False}
ADMINS_ONLY = "Only administrators can see and change notification channels."
admins = admin_only(ADMINS_ONLY)


def channel_to_dict(channel: NotificationChannel) -> dict[str, Any]:
    """The channel; its URL only as ``<scheme>://****``."""
    return {
        "id": channel.id,
        "name": channel.name,
        "url": channel.masked_url,
        "scheme": channel.scheme,
        "events": list(channel.events or []),
        "all_connectors": bool(channel.all_connectors),
        "connectors": [{"id": c.id, "name": c.name} for c in channel.connectors],
        "enabled": bool(channel.enabled),
        "created_at": channel.created_at.isoformat(),
        "updated_at": channel.updated_at.isoformat(),
    }


def notification_to_dict(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "event": notification.event,
        "status": notification.status,
        "title": notification.title,
        "attempts": notification.attempts,
        "http_status": notification.http_status,
        "last_error": notification.last_error,
        "next_attempt_at": _iso(notification.next_attempt_at),
        "sent_at": _iso(notification.sent_at),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def channel_changes(
    body: dict[str, Any], channel: NotificationChannel | None
) -> service.ChannelChanges:
    """The body as the service's input; wrong types are 400s naming the field."""
    errors: dict[str, list[str]] = {}

    def text(key: str) -> str | None:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            errors[key] = ["Enter text."]
            return None
        return value

    def boolean(key: str) -> bool | None:
        value = body.get(key)
        if value is not None and not isinstance(value, bool):
            errors[key] = ["Enter true or false."]
            return None
        return value

    url = text("url")
    if channel is not None and url == channel.masked_url:
        url = None  # the mask sent back: keep the stored URL
    events = body.get("events")
    if events is not None and not (
        isinstance(events, list) and all(isinstance(e, str) for e in events)
    ):
        errors["events"] = ["Give the events as a list of event names."]
        events = None
    ids = body.get("connector_ids")
    if ids is not None and not (
        isinstance(ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        errors["connector_ids"] = ["Give the connectors as a list of connector ids."]
        ids = None
    changes = service.ChannelChanges(
        name=text("name"),
        url=url,
        events=events,
        all_connectors=boolean("all_connectors"),
        connector_ids=ids,
        enabled=boolean("enabled"),
    )
    if errors:
        raise ValidationFailed(errors)
    return changes


def channel_response(channel: NotificationChannel, status: int = 200):
    return channel_to_dict(channel), status


@bp.get(COLLECTION, **ROUTE)
@admins
def list_notification_channels():
    return {"results": [channel_to_dict(c) for c in db.session.scalars(service.channels_query())]}


@bp.post(COLLECTION, **ROUTE)
@admins
def create_notification_channel():
    changes = channel_changes(json_object(), None)
    return channel_response(service.create_channel(api_user(), changes), 201)


@bp.get(ITEM, **ROUTE)
@admins
def get_notification_channel(channel_id: int):
    return channel_response(service.get_channel(channel_id))


@bp.patch(ITEM, **ROUTE)
@admins
def update_notification_channel(channel_id: int):
    channel = service.get_channel(channel_id)
    changes = channel_changes(json_object(), channel)
    return channel_response(service.update_channel(api_user(), channel, changes))


@bp.delete(ITEM, **ROUTE)
@admins
def delete_notification_channel(channel_id: int):
    service.delete_channel(api_user(), service.get_channel(channel_id))
    return Response(status=204)


@bp.post(ITEM + "test/", **ROUTE)
@admins
def test_notification_channel(channel_id: int):
    """Queue a test notification (202): the worker sends it; GET …/notifications/ shows
    how it went."""
    notification = service.queue_test(api_user(), service.get_channel(channel_id))
    return {"notification": notification_to_dict(notification)}, 202


@bp.get(ITEM + "notifications/", **ROUTE)
@admins
def list_channel_notifications(channel_id: int):
    """The channel's latest notifications (up to 50), newest first."""
    channel = service.get_channel(channel_id)
    limit = min(max(request.args.get("limit", 20, type=int) or 20, 1), 50)
    return {
        "results": [notification_to_dict(n) for n in service.recent_notifications(channel, limit)]
    }
