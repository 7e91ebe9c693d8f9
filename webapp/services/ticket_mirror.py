"""Keeping a ticket in step with its issue: what a webhook event or a sync learnt.

Both inbound paths (signed webhooks, and polling where there is no push) end here with
an ``IssueSnapshot``: the tracker's state, labels, assignees and comments.  This module
is the one place that turns it into the ticket's mirror columns, timeline lines
(``TicketActivity``) and inbound comments (``TicketComment``, once per tracker id), and
reports what changed so callers can notify.  It never commits: the caller's transaction
holds the change and whatever else it records (the event's outcome, a notification).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Ticket, TicketActivity, TicketComment
from webapp.models.base import utcnow
from webapp.models.ticket import INBOUND, OUTBOUND, SENT
from webapp.outbound.scrub import shorten
from webapp.services import notifications
from webapp.trackers.tickets import CLOSED, OPEN, IssueSnapshot

CLOSED_EVENT, REOPENED_EVENT, COMMENTED_EVENT = "closed", "reopened", "commented"
LABELS_EVENT, ASSIGNEES_EVENT = "labels", "assignees"


@dataclass(frozen=True)
class MirrorChange:
    """One thing the tracker changed on a ticket's issue: closed, reopened, commented,
    labels or assignees; ``details`` says how (old/new lists, the comment's id)."""

    kind: str
    ticket: Ticket
    actor: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def ticket_for_issue(connector_id: int, key: str) -> Ticket | None:
    """The delivered ticket whose issue is ``key`` (#12, OPS-12, 12) on this connector."""
    return db.session.scalars(
        select(Ticket)
        .where(Ticket.connector_id == connector_id, Ticket.external_key == key)
        .where(Ticket.status == SENT)
        .order_by(Ticket.id)
        .limit(1)
    ).first()


def apply_snapshot(ticket: Ticket, snapshot: IssueSnapshot, *, via: str) -> list[MirrorChange]:
    """Bring ``ticket``'s mirror up to ``snapshot``; return what changed (nothing twice).

    A snapshot older than what the ticket already knows (``updated_at`` before
    ``tracker_updated_at``) changes state, labels and assignees no more: events may
    arrive out of order.  Comments are still added, once each.
    """
    changes: list[MirrorChange] = []
    stale = (
        snapshot.updated_at is not None
        and ticket.tracker_updated_at is not None
        and snapshot.updated_at < ticket.tracker_updated_at
    )
    if not stale:
        changes += _state(ticket, snapshot, via)
        changes += _lists(ticket, snapshot, via)
        if snapshot.updated_at is not None:
            ticket.tracker_updated_at = snapshot.updated_at
    changes += _comments(ticket, snapshot, via)
    ticket.tracker_synced_at = utcnow()
    _announce(changes, snapshot)
    return changes


def _announce(changes: list[MirrorChange], snapshot: IssueSnapshot) -> None:
    """Store a notification for each change channels hear about (closed, reopened,
    commented), keyed so the same news from a replay or a later sync is told once."""
    when = (snapshot.changed_at or snapshot.updated_at or utcnow()).isoformat()
    bodies = {comment.external_id: comment.body for comment in snapshot.comments}
    for change in changes:
        comment_id = change.details.get("comment_id")
        notifications.notify_issue_change(
            change.kind,
            change.ticket,
            actor=change.actor,
            comment_id=comment_id or f"{change.kind}@{when}",
            text=shorten(bodies.get(comment_id, ""), 500) if comment_id else "",
        )


def _state(ticket: Ticket, snapshot: IssueSnapshot, via: str) -> list[MirrorChange]:
    if snapshot.state is None or snapshot.state == ticket.tracker_state:
        return []
    before, ticket.tracker_state = ticket.tracker_state, snapshot.state
    if snapshot.state == CLOSED:
        kind = CLOSED_EVENT
    elif before == CLOSED:
        kind = REOPENED_EVENT
    else:
        return []  # first news that it is open: nothing happened to tell
    _activity(ticket, kind, snapshot.changed_by, snapshot.changed_at, via, {})
    return [MirrorChange(kind, ticket, snapshot.changed_by)]


def _lists(ticket: Ticket, snapshot: IssueSnapshot, via: str) -> list[MirrorChange]:
    changes = []
    for kind, column, new in (
        (LABELS_EVENT, "tracker_labels", snapshot.labels),
        (ASSIGNEES_EVENT, "tracker_assignees", snapshot.assignees),
    ):
        if new is None:
            continue
        old = getattr(ticket, column)
        if old is not None and sorted(old) == sorted(new):
            continue
        setattr(ticket, column, list(new))
        if old is None:
            continue  # first time we learn them: not a change anyone made
        details = {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new))}
        _activity(ticket, kind, snapshot.changed_by, snapshot.updated_at, via, details)
        changes.append(MirrorChange(kind, ticket, snapshot.changed_by, details))
    return changes


def _comments(ticket: Ticket, snapshot: IssueSnapshot, via: str) -> list[MirrorChange]:
    if not snapshot.comments:
        return []
    known = set(
        db.session.scalars(
            select(TicketComment.external_id).where(
                TicketComment.ticket_id == ticket.id, TicketComment.external_id.is_not(None)
            )
        )
    )
    ours = {
        row.marker: row
        for row in db.session.scalars(
            select(TicketComment).where(
                TicketComment.ticket_id == ticket.id,
                TicketComment.direction == OUTBOUND,
                TicketComment.marker.is_not(None),
            )
        )
    }
    changes = []
    for comment in snapshot.comments:
        if comment.external_id in known:
            continue  # ours coming back, or seen before
        known.add(comment.external_id)
        sent = next((row for marker, row in ours.items() if marker in comment.body), None)
        if sent is not None:  # ours, back before its delivery recorded the tracker's id
            sent.external_id = sent.external_id or comment.external_id
            continue
        stored = TicketComment(
            ticket=ticket,
            direction=INBOUND,
            external_id=comment.external_id,
            author=comment.author[:200],
            body=comment.body,
            internal=comment.internal,
            created_at=comment.created_at or utcnow(),
            via=via,
        )
        db.session.add(stored)
        details = {"comment_id": comment.external_id}
        changes.append(MirrorChange(COMMENTED_EVENT, ticket, comment.author, details))
    return changes


def _activity(ticket, kind, actor, at, via, details) -> None:
    db.session.add(
        TicketActivity(
            ticket=ticket, kind=kind, actor=actor, at=at or utcnow(), via=via, details=details
        )
    )


__all__ = [
    "ASSIGNEES_EVENT",
    "CLOSED_EVENT",
    "COMMENTED_EVENT",
    "LABELS_EVENT",
    "OPEN",
    "REOPENED_EVENT",
    "MirrorChange",
    "apply_snapshot",
    "ticket_for_issue",
]
