"""A ticket's timeline as the ticket page shows it: what the tracker did, and its comments,
oldest first (the lines come from ``ticket_mirror``; this only orders and words them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.models import Ticket, TicketActivity
from webapp.models.ticket import INBOUND
from webapp.services.ticket_mirror import CLOSED_EVENT, REOPENED_EVENT

#: How each activity kind reads on the page.
ACTIVITY_WORDS = {
    "closed": "closed the issue",
    "reopened": "reopened the issue",
    "labels": "changed the labels",
    "assignees": "changed the assignees",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor: str | None
    text: str
    via: str
    internal: bool = False


def _activity_text(activity: TicketActivity) -> str:
    words = ACTIVITY_WORDS.get(activity.kind, activity.kind)
    added = (activity.details or {}).get("added") or []
    removed = (activity.details or {}).get("removed") or []
    changes = [f"+{name}" for name in added] + [f"−{name}" for name in removed]
    return f"{words}: {' '.join(changes)}" if changes else words


def timeline(ticket: Ticket) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(a.at, a.kind, a.actor, _activity_text(a), a.via) for a in ticket.activities
    ]
    entries += [
        TimelineEntry(c.created_at, "comment", c.author, c.body, c.via, c.internal)
        for c in ticket.comments
        if c.direction == INBOUND
    ]
    return sorted(entries, key=lambda entry: entry.at)


def last_state_change(ticket: Ticket) -> TicketActivity | None:
    """The latest closed / reopened line: who moved the issue to its state, and when."""
    changes = [a for a in ticket.activities if a.kind in (CLOSED_EVENT, REOPENED_EVENT)]
    return max(changes, key=lambda a: (a.at, a.id)) if changes else None
