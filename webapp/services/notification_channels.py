"""Notification channels: create, change, delete and test them (pages, API and CLI).

A channel's Apprise URL holds its credentials (a Discord webhook token, a Slack token,
an SMTP password), so it is a secret: encrypted at rest, never shown (pages and the API
show ``discord://****``), never in audit entries, logs or error messages; a blank URL on
an edit keeps the stored one.
"""

from __future__ import annotations

import secrets as token_source
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.ids import MAX_ID
from webapp.models import Connector, Notification, NotificationChannel, User
from webapp.models.base import utcnow
from webapp.models.notification import FAILED, PENDING, UNCERTAIN
from webapp.names import name_key, normalise_name
from webapp.outbound.apprise_send import ChannelURLError, check_url
from webapp.services import audit
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.notifications import EVENTS, TEST, store_for_channel
from webapp.services.permissions import require_admin
from webapp.services.secrets import (
    SecretsUnreadable,
    decrypt_secrets,
    encrypt_secrets,
    rotate_ciphertexts,
)

NAME_MAX_LENGTH = 100
NAME_TAKEN = "A notification channel with this name already exists."
URL_REQUIRED = "Enter the channel's Apprise URL, e.g. discord://webhook_id/webhook_token."
UNREADABLE_URL = (
    "This channel's stored URL cannot be decrypted with the configured keys: enter it again."
)
#: At most this many chosen connectors per channel (more: use "all connectors").
MAX_CHOSEN_CONNECTORS = 200


@dataclass
class ChannelChanges:
    """What a form or API body asks for; None leaves a value as it is (a blank ``url``
    too: the stored URL is kept)."""

    name: str | None = None
    url: str | None = None
    events: list[str] | None = None
    all_connectors: bool | None = None
    connector_ids: list[int] | None = None
    enabled: bool | None = None


def channels_query():
    return select(NotificationChannel).order_by(NotificationChannel.name_key)


def get_channel(channel_id: int) -> NotificationChannel:
    channel = db.session.get(NotificationChannel, channel_id) if channel_id <= MAX_ID else None
    if channel is None:
        raise NotFound("There is no notification channel with this id.")
    return channel


def channel_url(channel: NotificationChannel) -> str:
    """The decrypted Apprise URL (SecretsUnreadable when no configured key reads it)."""
    return decrypt_secrets(channel.url_ciphertext).get("url", "")


def url_readable(channel: NotificationChannel) -> bool:
    try:
        channel_url(channel)
    except SecretsUnreadable:
        return False
    return True


def _check(changes: ChannelChanges, channel: NotificationChannel | None) -> dict[str, object]:
    """Validated values by column; ValidationFailed names each wrong field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    if changes.name is not None or channel is None:
        name = normalise_name(changes.name or "")
        if not name:
            errors["name"] = ["This field is required."]
        elif len(name) > NAME_MAX_LENGTH:
            errors["name"] = [f"Use at most {NAME_MAX_LENGTH} characters ({len(name)} given)."]
        elif _name_taken(name, channel.id if channel else None):
            errors["name"] = [NAME_TAKEN]
        values["name"] = name
    url = (changes.url or "").strip()
    if url:
        try:
            values["scheme"] = check_url(url)
        except ChannelURLError as error:
            errors["url"] = [str(error)]
        values["url"] = url
    elif channel is None or not url_readable(channel):
        errors["url"] = [URL_REQUIRED if channel is None else UNREADABLE_URL]
    if changes.events is not None:
        unknown = sorted(set(changes.events) - EVENTS.keys())
        if unknown:
            errors["events"] = [
                f"Unknown event(s): {', '.join(unknown)}. Use: " + ", ".join(EVENTS) + "."
            ]
        elif not changes.events:
            errors["events"] = ["Choose at least one event."]
        values["events"] = [event for event in EVENTS if event in changes.events]
    elif channel is None:
        errors["events"] = ["Choose at least one event."]
    if changes.all_connectors is not None:
        values["all_connectors"] = changes.all_connectors
    all_connectors = values.get("all_connectors", channel.all_connectors if channel else True)
    if changes.connector_ids is not None:
        values["connectors"] = _connectors(changes.connector_ids, errors)
    chosen = values.get("connectors", channel.connectors if channel else [])
    if not all_connectors and not chosen and "connector_ids" not in errors:
        errors["connector_ids"] = ["Choose at least one connector, or all connectors."]
    if changes.enabled is not None:
        values["enabled"] = changes.enabled
    if errors:
        raise ValidationFailed(errors)
    return values


def _connectors(ids: Iterable[int], errors: dict[str, list[str]]) -> list[Connector]:
    wanted = sorted({i for i in ids if isinstance(i, int) and 0 < i <= MAX_ID})
    if len(wanted) > MAX_CHOSEN_CONNECTORS:
        errors["connector_ids"] = [
            f"Choose at most {MAX_CHOSEN_CONNECTORS} connectors, or all connectors."
        ]
        return []
    found = list(db.session.scalars(select(Connector).where(Connector.id.in_(wanted))))
    missing = sorted(set(wanted) - {c.id for c in found})
    if missing or len(wanted) != len(set(ids)):
        shown = ", ".join(str(i) for i in missing) or "an invalid id"
        errors["connector_ids"] = [f"No connector with id {shown}."]
    return found


def _name_taken(name: str, exclude_id: int | None) -> bool:
    query = select(NotificationChannel.id).where(NotificationChannel.name_key == name_key(name))
    if exclude_id is not None:
        query = query.where(NotificationChannel.id != exclude_id)
    return db.session.scalar(query) is not None


def _apply(channel: NotificationChannel, values: dict[str, object]) -> list[str]:
    """Set the values; return the names of what changed (``url``, never its value)."""
    changed = []
    url = values.pop("url", None)
    if url is not None:
        if not channel.url_ciphertext or _stored_url_differs(channel, str(url)):
            changed.append("url")
        channel.url_ciphertext = encrypt_secrets({"url": str(url)}) or ""
    for key, value in values.items():
        if key == "connectors":
            if {c.id for c in channel.connectors} != {c.id for c in value}:  # type: ignore[attr-defined]
                changed.append("connectors")
        elif getattr(channel, key) != value:
            changed.append(key)
        setattr(channel, key, value)
    return changed


def _stored_url_differs(channel: NotificationChannel, url: str) -> bool:
    try:
        return channel_url(channel) != url
    except SecretsUnreadable:
        return True


def create_channel(actor: User | None, changes: ChannelChanges) -> NotificationChannel:
    require_admin(actor)
    values = _check(changes, None)
    channel = NotificationChannel(
        created_by_id=actor.id if actor else None, updated_by_id=actor.id if actor else None
    )
    _apply(channel, values)
    db.session.add(channel)
    _commit_name(channel)
    audit.record(
        "notification_channel.create",
        actor,
        channel,
        scheme=channel.scheme,
        events=channel.events,
        all_connectors=channel.all_connectors,
        connectors=[c.id for c in channel.connectors],
    )
    db.session.commit()
    return channel


def update_channel(
    actor: User | None, channel: NotificationChannel, changes: ChannelChanges
) -> NotificationChannel:
    require_admin(actor)
    values = _check(changes, channel)
    changed = _apply(channel, values)
    if changed:
        channel.updated_at, channel.updated_by_id = utcnow(), actor.id if actor else None
        _commit_name(channel)
        audit.record(
            "notification_channel.update", actor, channel, changed=changed, scheme=channel.scheme
        )
        db.session.commit()
    return channel


def _commit_name(channel: NotificationChannel) -> None:
    """Flush; a request that took the same name meanwhile makes this one's name taken."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed({"name": [NAME_TAKEN]}) from None


def delete_channel(actor: User | None, channel: NotificationChannel) -> None:
    """Delete the channel and its outbox (notifications not sent yet are dropped)."""
    require_admin(actor)
    audit.record("notification_channel.delete", actor, channel, scheme=channel.scheme)
    # Explicitly: SQLite does not enforce ON DELETE CASCADE, and a later channel that
    # got the same id must not inherit (and send) these.
    db.session.execute(delete(Notification).where(Notification.channel_id == channel.id))
    db.session.delete(channel)
    db.session.commit()


def queue_test(actor: User | None, channel: NotificationChannel) -> Notification:
    """Store a test notification for this channel only; a worker sends it like any other
    (the page shows how it went), so the request never waits on the chat service."""
    require_admin(actor)
    key = f"test:{token_source.token_hex(8)}"
    who = actor.email if actor else "the command line"
    store_for_channel(
        channel.id,
        TEST,
        connector_id=None,
        ticket_id=None,
        title="Connector Desk test notification",
        body=f"Channel “{channel.name}” works: {who} sent this test from Connector Desk.",
        dedupe_key=key,
    )
    audit.record("notification_channel.test", actor, channel, scheme=channel.scheme)
    db.session.commit()
    return db.session.scalars(
        select(Notification).where(
            Notification.channel_id == channel.id, Notification.dedupe_key == key
        )
    ).one()


RESEND_REFUSED = (
    "Only notifications that failed for good, or whose outcome is uncertain, can be sent again."
)


def can_resend(notification: Notification) -> bool:
    """Failed for good (no automatic retry is coming) or uncertain (the worker stopped
    while sending): only a person can decide to send it again."""
    failed_for_good = notification.status == FAILED and notification.next_attempt_at is None
    return failed_for_good or notification.status == UNCERTAIN


def resend(actor: User | None, channel: NotificationChannel, notification_id: int) -> None:
    """Queue a notification of this channel again (an administrator's decision, since an
    uncertain one may have arrived already)."""
    require_admin(actor)
    notification = (
        db.session.get(Notification, notification_id) if notification_id <= MAX_ID else None
    )
    if notification is None or notification.channel_id != channel.id:
        raise NotFound("This channel has no notification with this id.")
    if not can_resend(notification):
        raise ServiceError(RESEND_REFUSED)
    changed = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification.id,
            Notification.status == notification.status,
            Notification.claim_number == notification.claim_number,
        )
        .values(status=PENDING, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise ServiceError(RESEND_REFUSED)
    audit.record(
        "notification_channel.resend",
        actor,
        channel,
        notification=notification.id,
        event=notification.event,
    )
    db.session.commit()


def recent_notifications(channel: NotificationChannel, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.channel_id == channel.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def rotate_urls() -> tuple[int, list[NotificationChannel]]:
    """Re-encrypt every channel URL under the primary key (``flask secrets rotate``);
    return how many, and the channels no key can read (their URL must be entered again)."""
    rows = db.session.scalars(channels_query())
    return rotate_ciphertexts(rows, NotificationChannel.url_ciphertext)
