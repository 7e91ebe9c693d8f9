"""Polling sent tickets' issues where nothing pushes: Request Tracker, or a connector
without a webhook.

Why polling at all: RT has no webhooks, and a webhook may be missing or lost. Why
politely: the tracker is someone else's server. A pass takes the tickets whose issue was
learnt about longest ago (``tracker_synced_at``), skips connectors that cannot be used,
asks each connector for at most SYNC_PER_CONNECTOR_PER_MINUTE tickets a minute (counted
in the rate-limit storage, so shared by every process with Redis), uses conditional
requests where the tracker offers them (GitHub's ETag), and stops asking a tracker for
the rest of the pass once it failed. A failure changes nothing of the ticket's mirror:
it is noted on the ticket and the ticket waits longer each time (``tracker_sync_after``).
What a poll learns goes through ``ticket_mirror.apply_snapshot``, as a webhook's does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Connector, Ticket
from webapp.models.base import utcnow
from webapp.models.ticket import SENT
from webapp.services.change_context import changes_via
from webapp.services.connector_sessions import ConnectorSession
from webapp.services.errors import NotFound, ServiceError
from webapp.services.rate_limits import take_sync_slot
from webapp.services.ticket_mirror import MirrorChange, apply_snapshot
from webapp.trackers.tickets import CLOSED, DeliveryFailed, NotModified

logger = logging.getLogger(__name__)

SYNCED, UNCHANGED, FAILED, SKIPPED = "synced", "unchanged", "failed", "skipped"
#: How long a pass holds a ticket it polls (another process's pass leaves it alone).
CLAIM = timedelta(minutes=2)
#: The longest wait after repeated failures.
BACKOFF_MAX = timedelta(hours=6)
#: Seconds between the passes of `flask tickets sync --loop`.
PASS_SECONDS = 15.0


@dataclass(frozen=True)
class SyncOutcome:
    """What polling one ticket did: synced (``changes`` says what moved), unchanged
    (the tracker said 304), failed (``message``: why), or skipped (``message``: why)."""

    ticket_id: int
    status: str
    message: str = ""
    changes: tuple[MirrorChange, ...] = field(default=())


def sync_interval() -> timedelta:
    """How long after a poll (or a webhook) a ticket is polled again; zero: never."""
    return timedelta(seconds=max(float(current_app.config["SYNC_INTERVAL_SECONDS"]), 0.0))


def sync_enabled() -> bool:
    return sync_interval() > timedelta(0)


def backoff(failures: int) -> timedelta:
    """The wait after ``failures`` failed polls in a row: twice the interval, doubling."""
    base = max(sync_interval(), timedelta(minutes=1))
    return min(base * 2 ** max(failures, 1), BACKOFF_MAX)


def due_query(now: datetime):
    """Sent tickets of enabled connectors, not polled lately, not waiting out a failure,
    and not closed for longer than SYNC_CLOSED_DAYS; the longest unheard-of first."""
    closed_cutoff = now - timedelta(days=float(current_app.config["SYNC_CLOSED_DAYS"]))
    return (
        select(Ticket.id, Ticket.connector_id)
        .join(Connector, Connector.id == Ticket.connector_id)
        .where(
            Ticket.status == SENT,
            Ticket.external_key.is_not(None),
            Connector.disabled.is_(False),
            or_(Ticket.tracker_sync_after.is_(None), Ticket.tracker_sync_after <= now),
            or_(
                Ticket.tracker_synced_at.is_(None),
                Ticket.tracker_synced_at <= now - sync_interval(),
            ),
            or_(
                Ticket.tracker_state.is_(None),
                Ticket.tracker_state != CLOSED,
                Ticket.tracker_updated_at.is_(None),
                Ticket.tracker_updated_at >= closed_cutoff,
            ),
        )
        .order_by(Ticket.tracker_synced_at.asc().nulls_first(), Ticket.id)
    )


def claim(ticket_id: int, now: datetime) -> bool:
    """Take the ticket for this pass, unless another pass (or a backoff) holds it."""
    result = db.session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket_id,
            or_(Ticket.tracker_sync_after.is_(None), Ticket.tracker_sync_after <= now),
        )
        .values(tracker_sync_after=now + CLAIM)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def sync_due(limit: int | None = None, now: datetime | None = None) -> list[SyncOutcome]:
    """One pass: poll up to ``limit`` (SYNC_BATCH_SIZE) due tickets, politely."""
    if not sync_enabled():
        return []
    now = now or utcnow()
    limit = max(limit or int(current_app.config["SYNC_BATCH_SIZE"]), 1)
    outcomes: list[SyncOutcome] = []
    resting: set[int] = set()  # connectors this pass asks no more
    seen: set[int] = set()
    clients: dict[int, Any] = {}
    with ExitStack() as stack:
        # Round after round, leaving out resting connectors: one connector's backlog
        # must not keep the others' tickets out of the pass.
        while len(outcomes) < limit:
            query = due_query(now)
            if resting:
                query = query.where(Ticket.connector_id.not_in(resting))
            if seen:
                query = query.where(Ticket.id.not_in(seen))
            rows = db.session.execute(query.limit(limit)).all()
            if not rows:
                break
            for ticket_id, connector_id in rows:
                if len(outcomes) >= limit:
                    break
                if connector_id in resting:
                    continue
                seen.add(ticket_id)
                client = clients.get(connector_id)
                if client is None:
                    session = ConnectorSession.of(db.session.get(Connector, connector_id))
                    if not session.usable:
                        resting.add(connector_id)
                        continue
                    client = clients[connector_id] = stack.enter_context(session.client())
                if not take_sync_slot(connector_id):
                    resting.add(connector_id)  # its budget for this minute is spent
                    continue
                if not claim(ticket_id, now):
                    continue
                outcome = _poll(db.session.get(Ticket, ticket_id), client)
                outcomes.append(outcome)
                if outcome.status == FAILED:
                    resting.add(connector_id)
    return outcomes


def sync_ticket(ticket_id: int) -> SyncOutcome:
    """Poll one sent ticket now, whether due or not (``flask tickets sync --ticket``)."""
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket")
    if ticket.status != SENT or not ticket.external_key or ticket.connector is None:
        raise ServiceError("Only tickets sent through an existing connector can be synced.")
    session = ConnectorSession.of(ticket.connector)
    session.require_usable()
    with session.client() as client:
        return _poll(ticket, client)


def _poll(ticket: Ticket, client: Any) -> SyncOutcome:
    """Ask the tracker about the ticket's issue and mirror the answer; commit."""
    ticket_id, now = ticket.id, utcnow()
    try:
        found = client.fetch_issue(ticket.external_key, ticket.target, etag=ticket.tracker_etag)
    except DeliveryFailed as failure:
        ticket.tracker_sync_failures = (ticket.tracker_sync_failures or 0) + 1
        ticket.tracker_sync_error = failure.message[:500]
        ticket.tracker_sync_after = now + backoff(ticket.tracker_sync_failures)
        db.session.commit()
        logger.info("Sync of ticket %s failed: %s", ticket_id, failure.message)
        return SyncOutcome(ticket_id, FAILED, failure.message)
    changes: list[MirrorChange] = []
    if isinstance(found, NotModified):
        ticket.tracker_synced_at = now
    else:
        with changes_via("sync"):
            changes = apply_snapshot(ticket, found, via="sync")
        ticket.tracker_etag = found.etag
    ticket.tracker_sync_failures, ticket.tracker_sync_error = 0, None
    ticket.tracker_sync_after = None
    try:
        db.session.commit()
    except IntegrityError:  # a webhook stored the same comment meanwhile: next pass
        db.session.rollback()
        _release(ticket_id)
        return SyncOutcome(ticket_id, SKIPPED, "The ticket changed meanwhile.")
    status = UNCHANGED if isinstance(found, NotModified) else SYNCED
    return SyncOutcome(ticket_id, status, changes=tuple(changes))


def _release(ticket_id: int) -> None:
    db.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(tracker_sync_after=None))
    db.session.commit()


def run_sync(
    *,
    loop: bool = True,
    interval: float = PASS_SECONDS,
    limit: int | None = None,
    stop: threading.Event | None = None,
    max_passes: int | None = None,
    report: Callable[[SyncOutcome], None] | None = None,
) -> None:
    """Pass after pass (``loop``), ``interval`` seconds apart: `flask tickets sync --loop`."""
    stop = stop or threading.Event()
    passes = 0
    while True:
        for outcome in sync_due(limit):
            if report is not None:
                report(outcome)
        passes += 1
        if not loop or (max_passes is not None and passes >= max_passes):
            return
        if stop.wait(interval):
            return


__all__ = [
    "FAILED",
    "SKIPPED",
    "SYNCED",
    "UNCHANGED",
    "SyncOutcome",
    "run_sync",
    "sync_due",
    "sync_ticket",
]
