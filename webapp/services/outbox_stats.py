"""Figures about tickets and the delivery outbox, read from the database when scraped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Connector, Ticket
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, PENDING, STATUSES, UNDELIVERED


@dataclass(frozen=True)
class OutboxState:
    """How many stored tickets wait for a delivery that is due, and the oldest's wait."""

    due: int
    oldest_due_age_seconds: float


def ticket_counts() -> dict[str, int]:
    """Tickets per status, every status present (zero where there are none)."""
    rows = db.session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def outbox_state(now: datetime | None = None) -> OutboxState:
    """Tickets whose next delivery attempt is due now, and how long the oldest has waited."""
    now = now or utcnow()
    due, oldest = db.session.execute(
        select(func.count(), func.min(Ticket.next_attempt_at)).where(
            Ticket.status.in_((PENDING, FAILED)), Ticket.next_attempt_at <= now
        )
    ).one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxState(due=due, oldest_due_age_seconds=max(age, 0.0))


def undelivered_count(connector: Connector) -> int:
    """Tickets through ``connector`` that have not reached the tracker yet (nor been
    discarded): deleting the connector would lose them."""
    query = (
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.connector_id == connector.id, Ticket.status.in_(UNDELIVERED))
    )
    return db.session.scalar(query) or 0
