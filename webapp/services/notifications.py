"""Announcing events to notification channels: ``notify(...)``, the one entry point.

``notify`` stores one outbox row per matching channel in the caller's transaction, so
the notification exists exactly when the change it announces is committed (and not when
it is rolled back); a worker sends it later (webapp.services.notification_delivery).
Nothing here talks to the network. One ``(channel, event, dedupe_key)`` is stored once:
calling ``notify`` again with the same key (a replayed webhook, a retried job) adds
nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from webapp.extensions import db
from webapp.models import Connector, Notification, NotificationChannel, Ticket
from webapp.models.base import utcnow
from webapp.models.notification import PENDING, channel_connectors

TICKET_CREATED = "ticket.created"
DELIVERY_FAILED = "ticket.delivery_failed"
ISSUE_CLOSED = "issue.closed"
ISSUE_REOPENED = "issue.reopened"
ISSUE_COMMENTED = "issue.commented"
ISSUE_TRIAGED = "issue.triaged"
HEALTH_FAILING = "connector.health_failing"
HEALTH_RECOVERED = "connector.health_recovered"
#: Sent only by "Send test notification", to the one channel tested.
TEST = "channel.test"

#: Every event a channel can subscribe to, with the words pages use for it.
EVENTS: dict[str, str] = {
    TICKET_CREATED: "Ticket created",
    DELIVERY_FAILED: "Ticket delivery failed for good",
    ISSUE_CLOSED: "Issue closed on the tracker",
    ISSUE_REOPENED: "Issue reopened on the tracker",
    ISSUE_COMMENTED: "Issue commented on the tracker",
    ISSUE_TRIAGED: "Issue triaged (category label added)",
    HEALTH_FAILING: "Connector health turned failing",
    HEALTH_RECOVERED: "Connector health recovered",
}

TITLE_MAX = 255
#: Chat services split longer messages into several posts, and a retry of a half-sent
#: split could repeat the first part: one short message is sent whole or not at all.
BODY_MAX = 1500
DEDUPE_KEY_MAX = 255


def notify(
    event: str,
    *,
    connector: Connector | None,
    ticket: Ticket | None = None,
    title: str,
    body: str,
    dedupe_key: str,
) -> int:
    """Store a notification of ``event`` for every enabled channel that wants it for
    ``connector`` (None: only channels for all connectors); return how many were stored.

    The caller commits (the rows belong to its change). ``dedupe_key`` names this
    occurrence of the event, e.g. ``f"ticket:{ticket.id}"`` or a webhook's delivery id:
    a second call with the same event and key stores nothing for a channel that has it.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}; see EVENTS.")
    stored = 0
    for channel_id in channels_for(event, connector.id if connector is not None else None):
        stored += store_for_channel(
            channel_id,
            event,
            connector_id=connector.id if connector is not None else None,
            ticket_id=ticket.id if ticket is not None else None,
            title=title,
            body=body,
            dedupe_key=dedupe_key,
        )
    return stored


#: The ticket mirror's change kinds (webapp.services.ticket_mirror) that are events here.
ISSUE_EVENTS = {"closed": ISSUE_CLOSED, "reopened": ISSUE_REOPENED, "commented": ISSUE_COMMENTED}
_ISSUE_WORDS = {"closed": "closed", "reopened": "reopened", "commented": "commented on"}


def notify_issue_change(
    kind: str,
    ticket: Ticket,
    *,
    actor: str | None = None,
    comment_id: str | None = None,
    text: str = "",
) -> int:
    """Announce a change the tracker made to a ticket's issue: ``kind`` "closed",
    "reopened" or "commented" (others, such as "labels", are no event: returns 0).

    Keyed by the ticket, the kind and the comment id or the tracker's update time, so a
    replayed webhook or a sync that sees the same change again adds nothing.
    """
    event = ISSUE_EVENTS.get(kind)
    if event is None:
        return 0
    issue = ticket.external_key or f"ticket #{ticket.id}"
    who = f" by {actor}" if actor else ""
    occurrence = comment_id or str(getattr(ticket, "tracker_updated_at", None) or "")
    return notify(
        event,
        connector=ticket.connector,
        ticket=ticket,
        title=f"{issue} {_ISSUE_WORDS[kind]}{who}: {ticket.final_title}",
        body=text or f"{ticket.connector_name}: {issue} was {_ISSUE_WORDS[kind]} on the tracker.",
        dedupe_key=f"ticket:{ticket.id}:{kind}:{occurrence}",
    )


def notify_issue_triaged(
    connector: Connector, *, issue_key: str, issue_title: str, label: str
) -> int:
    """Announce that triage gave an issue (one not raised here) its category's label."""
    return notify(
        ISSUE_TRIAGED,
        connector=connector,
        title=f"{issue_key} triaged: {label}",
        body=f"{connector.name}: “{issue_title}” got the label {label}.",
        dedupe_key=f"issue:{connector.id}:{issue_key}:label:{label}",
    )


def channels_for(event: str, connector_id: int | None) -> list[int]:
    """Ids of the enabled channels that hear about ``event`` of this connector."""
    chosen = select(channel_connectors.c.channel_id).where(
        channel_connectors.c.connector_id == connector_id
    )
    query = select(NotificationChannel.id, NotificationChannel.events).where(
        NotificationChannel.enabled.is_(True)
    )
    if connector_id is None:
        query = query.where(NotificationChannel.all_connectors.is_(True))
    else:
        query = query.where(
            NotificationChannel.all_connectors.is_(True) | NotificationChannel.id.in_(chosen)
        )
    # Events are a short JSON list per channel: filtered here, the same on every database.
    return [
        row.id
        for row in db.session.execute(query.order_by(NotificationChannel.id))
        if event in (row.events or [])
    ]


def store_for_channel(channel_id: int, event: str, **values) -> int:
    """Insert one outbox row unless the channel has this event and key already.

    INSERT … ON CONFLICT DO NOTHING: a duplicate neither raises nor spoils the caller's
    transaction, even when two requests store the same key at once.
    """
    row = {
        "channel_id": channel_id,
        "event": event,
        "status": PENDING,
        "attempts": 0,
        "claim_number": 0,
        "next_attempt_at": utcnow(),
        "created_at": utcnow(),
        **values,
    }
    row["title"] = " ".join(row["title"].split())[:TITLE_MAX] or EVENTS.get(event, event)
    row["body"] = _shorten(row["body"])
    row["dedupe_key"] = row["dedupe_key"][:DEDUPE_KEY_MAX]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Notification.__table__
    statement = (
        insert(table)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["channel_id", "event", "dedupe_key"])
        .returning(table.c.id)
    )
    # RETURNING, not rowcount: drivers disagree on the rowcount of an upsert.
    return len(db.session.execute(statement).all())


def _shorten(body: str) -> str:
    body = (body or "").strip()
    return body if len(body) <= BODY_MAX else body[: BODY_MAX - 1].rstrip() + "…"
