"""A ticket's timeline: everything that happened to it and its issue, in time order.

Created, each delivery attempt, the tracker's comments (inbound), ours (outbound, with
their delivery status) and state changes (``TicketActivity``).  Pages show the newest
``TIMELINE_CAP`` lines and a "show all" link; the order is the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from webapp.models import Ticket, TicketActivity
from webapp.services.ticket_mirror import CLOSED_EVENT, REOPENED_EVENT

#: Lines a ticket page shows before "show all".
TIMELINE_CAP = 30
CREATED, ATTEMPT, COMMENT, ACTIVITY = "created", "attempt", "comment", "activity"


@dataclass(frozen=True)
class TimelineEntry:
    """One line: ``kind`` (created, attempt, comment, activity), when, and its row."""

    kind: str
    at: datetime
    item: Any


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    total: int

    @property
    def capped(self) -> bool:
        return len(self.entries) < self.total


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ticket_timeline(ticket: Ticket, limit: int | None = TIMELINE_CAP) -> Timeline:
    """The ticket's lines oldest first; with ``limit``, only the newest ``limit`` of them."""
    entries = [TimelineEntry(CREATED, _utc(ticket.created_at), ticket)]
    entries += [TimelineEntry(ATTEMPT, _utc(a.started_at), a) for a in ticket.delivery_attempts]
    entries += [TimelineEntry(COMMENT, _utc(c.created_at), c) for c in ticket.comments]
    entries += [TimelineEntry(ACTIVITY, _utc(a.at), a) for a in ticket.activities]
    order = {CREATED: 0, ATTEMPT: 1, ACTIVITY: 2, COMMENT: 3}
    entries.sort(key=lambda e: (e.at, order[e.kind], getattr(e.item, "id", 0) or 0))
    total = len(entries)
    if limit is not None and total > limit:
        entries = entries[-limit:]
    return Timeline(entries, total)


def last_state_change(ticket: Ticket) -> TicketActivity | None:
    """The latest closed / reopened line: who moved the issue to its state, and when."""
    changes = [a for a in ticket.activities if a.kind in (CLOSED_EVENT, REOPENED_EVENT)]
    return max(changes, key=lambda a: (_utc(a.at), a.id)) if changes else None
