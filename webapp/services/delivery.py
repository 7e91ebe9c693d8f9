"""Delivering stored tickets to their trackers: once, and never twice.

The claim, lease and fence below serve any outbox row with the same delivery columns
(``status``, ``claimed_until``, ``claim_number``, ``attempts``, ``needs_lookup``): tickets
here, and comments typed on the dashboard (``services.comments``).

A delivery first *claims* the ticket with a conditional UPDATE (pending/failed →
sending), so two workers, or a worker and a "Retry" click, cannot send the same ticket.
Workers pick due tickets with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
ignores the locking clause, and the conditional claim still holds there.

A claim is a *lease* (``DELIVERY_LEASE_SECONDS``) that a thread of the worker renews
while it works, so a slow tracker never lets it run out under a live worker; only a
worker that died (or froze) loses its tickets to the next one. Each claim carries a
*claim number* (a fencing token): a worker records its result only while its number is
still the ticket's, so a worker whose lease ran out cannot overwrite the newer attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from webapp.extensions import db
from webapp.models import Connector, DeliveryAttempt, Ticket, User
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, PENDING, SENDING, SENT
from webapp.observability import metrics
from webapp.services import audit, notifications
from webapp.services.connector_sessions import ConnectorSession
from webapp.services.errors import ServiceError
from webapp.services.permissions import require_ticket_change
from webapp.services.tickets import mark_label_synced
from webapp.trackers.system import System
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft

logger = logging.getLogger(__name__)

BACKOFF_MAX_SECONDS = 3600
MAX_AUTOMATIC_ATTEMPTS = 10


ABANDONED_MESSAGE = (
    "The worker that claimed this ticket stopped before it reported back (its lease ran "
    "out); it may have reached the tracker, so the reference is looked up before sending."
)


#: An outbox model: Ticket, TicketComment (same delivery columns).
Outbox = type


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one outbox row: which row (a ticket by default), and the
    claim number it got."""

    row_id: int
    number: int
    model: Outbox = Ticket


def lease() -> timedelta:
    """How long a claim holds without renewal (the DELIVERY_LEASE_SECONDS setting)."""
    # A floor keeps a mistyped 0 from making the lease keeper spin.
    return timedelta(seconds=max(float(current_app.config["DELIVERY_LEASE_SECONDS"]), 0.1))


def batch_size() -> int:
    """Tickets a worker claims at once (the DELIVERY_BATCH_SIZE setting)."""
    return max(int(current_app.config["DELIVERY_BATCH_SIZE"]), 1)


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: the DELIVERY_BACKOFF_SECONDS setting,
    doubled after each further failure, at most an hour."""
    base = float(current_app.config["DELIVERY_BACKOFF_SECONDS"])
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _abandoned(model: Outbox, now: datetime):
    """Rows a worker claimed and never finished (it crashed or was killed)."""
    return and_(model.status == SENDING, model.claimed_until < now)


def claim(ticket_id: int, now: datetime | None = None) -> Claim | None:
    """Atomically take the ticket for delivery; None if someone else has it (or it is done).

    A ticket left ``sending`` by a crashed worker is claimable once its lease runs out,
    and then needs a marker lookup before anything is created.
    """
    return claim_row(Ticket, ticket_id, _ticket_abandoned, now)


def claim_row(
    model: Outbox,
    row_id: int,
    on_abandoned: Callable[[int], None],
    now: datetime | None = None,
) -> Claim | None:
    """``claim`` for any outbox row; ``on_abandoned(row_id)`` records a lost attempt."""
    claimed = _claim_in_transaction(model, row_id, now or utcnow(), on_abandoned)
    db.session.commit()
    return claimed


def renew(claims: list[Claim], now: datetime | None = None) -> set[Claim]:
    """Extend the leases of the claims that are still current; return those claims.

    One transaction per ticket: renewing never holds one ticket's lock while it waits for
    another's (no deadlock with a worker recording its result).
    """
    until = (now or utcnow()) + lease()
    held = set()
    for claimed in claims:
        result = db.session.execute(
            update(claimed.model)
            .where(*current(claimed))
            .values(claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            held.add(claimed)
    return held


def current(claim: Claim) -> tuple:
    """The row is still being sent under this claim (nobody claimed it since)."""
    model = claim.model
    return (
        model.id == claim.row_id,
        model.claim_number == claim.number,
        model.status == SENDING,
    )


def _claim_key(claim: Claim) -> tuple[Outbox, int]:
    return (claim.model, claim.row_id)


class LeaseKeeper:
    """Renews a worker's claims from a background thread while the worker works on them.

    Use as a context manager around the work; ``release`` a claim once it is recorded.
    Claims of every outbox (tickets, comments, notifications) renew the same way.
    """

    def __init__(self, claims: list[Claim]) -> None:
        self._app = current_app._get_current_object()  # type: ignore[attr-defined]
        self._claims = {_claim_key(claim): claim for claim in claims}
        self._every = lease().total_seconds() / 3
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=30)

    def release(self, claim: Claim) -> None:
        with self._lock:
            self._claims.pop(_claim_key(claim), None)

    def _run(self) -> None:
        with self._app.app_context():
            try:
                while not self._done.wait(self._every):
                    with self._lock:
                        claims = list(self._claims.values())
                    try:
                        held = renew(claims)
                    except Exception:  # the next round may work; the fence still holds
                        db.session.rollback()
                        logger.exception("Could not renew the leases of claims being sent")
                        continue
                    for claim in claims:
                        if claim not in held:
                            self.release(claim)
            finally:
                db.session.remove()


def body_of(ticket: Ticket) -> str:
    footer = f"Created with Connector Desk · reference {ticket.marker}"
    return f"{ticket.description.rstrip()}\n\n---\n{footer}\n" if ticket.description else footer


def draft_of(ticket: Ticket) -> IssueDraft:
    labels = [ticket.label] if ticket.label else []
    extra = ticket.fields.get("labels") or ""
    labels += [part.strip() for part in str(extra).split(",") if part.strip()]
    return IssueDraft(
        title=ticket.final_title,
        body=body_of(ticket),
        marker=ticket.marker,
        labels=tuple(dict.fromkeys(labels)),
        target=ticket.target,
        fields=ticket.fields,
        category=ticket.category,
    )


def deliver(ticket_id: int, actor: User | None = None) -> Ticket:
    """Claim and deliver one ticket now (the form and the Retry button use this)."""
    claimed = claim(ticket_id)
    if claimed is not None:
        with LeaseKeeper([claimed]):
            deliver_claimed(claimed, actor)
    ticket = db.session.get(Ticket, ticket_id)
    db.session.refresh(ticket)
    return ticket


def deliver_claimed(claimed: Claim, actor: User | None = None) -> bool:
    """Send a claimed ticket and record the outcome, if the claim is still current.

    Returns False, recording nothing, when another worker claimed the ticket since (this
    worker's lease ran out): that worker's attempt is the one the ticket shows.
    """
    if not renew([claimed]):
        return lost(claimed, "before sending")
    ticket = db.session.get(Ticket, claimed.row_id)
    started = time.monotonic()
    connector = ticket.connector
    try:
        issue, outcome = _send(ticket, connector)
    except DeliveryFailed as failure:
        issue, outcome, problem = None, "failed", failure
    else:
        problem = None
    try:
        if not fence(claimed):
            db.session.rollback()
            where = f"with issue {issue.key}" if issue else "with a failure"
            return lost(claimed, f"after the tracker answered {where}")
        db.session.refresh(ticket)  # exact values: nobody can change the row until commit
        if problem is not None:
            _record_failure(ticket, connector, problem, started)
        else:
            _record_success(ticket, connector, issue, outcome, started)
        if actor is not None:
            audit.record("ticket.deliver", actor, ticket, status=ticket.status)
        db.session.commit()
    except BaseException:
        db.session.rollback()  # never hold the row lock the lease keeper waits for
        raise
    return True


def fence(claimed: Claim) -> bool:
    """Lock the row for recording if this claim is still current (a fencing check).

    The UPDATE holds the row (PostgreSQL) or the database (SQLite) until commit, so no
    claim can slip in between this check and the recorded result.
    """
    result = db.session.execute(
        update(claimed.model)
        .where(*current(claimed))
        .values(claimed_until=utcnow() + lease())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def lost(claimed: Claim, when: str) -> bool:
    logger.warning(
        "%s %s: claim %s is no longer current %s; recording nothing (a newer claim delivers it)",
        claimed.model.__name__,
        claimed.row_id,
        claimed.number,
        when,
    )
    return False


def _send(ticket: Ticket, connector: Connector | None) -> tuple[CreatedIssue, str]:
    """Look the ticket up (if an earlier attempt may have created it), make sure its
    category's label exists, and create it: all through ONE client of the connector."""
    if connector is None:
        raise DeliveryFailed(
            "The connector was deleted; this ticket cannot be delivered.", retryable=False
        )
    session = ConnectorSession.of(connector)
    if session.problem is not None:
        raise DeliveryFailed(session.problem, retryable=False)
    with session.client() as client:
        if ticket.needs_lookup:
            found = client.find_issue(ticket.marker, ticket.target)
            if found is not None:
                return found, "found"
        _ensure_category_label(ticket, connector, session.system, client)
        return client.create_issue(draft_of(ticket)), "sent"


def _ensure_category_label(
    ticket: Ticket, connector: Connector, system: System, client: Any
) -> None:
    """Create the category's label on first use; a label that fails is not fatal."""
    if not ticket.label or not system.has_labels:
        return
    category = next((c for c in connector.categories if c.name == ticket.category), None)
    if category is None or category.label_synced_at is not None:
        return
    colour = ticket.label_colour or category.colour
    mark_label_synced(category, client.ensure_label(ticket.label, colour, ticket.target))


def _attempt(
    ticket: Ticket,
    outcome: str,
    started: float,
    message: str | None = None,
    http_status: int | None = None,
) -> None:
    ticket.attempts += 1
    ticket.updated_at = utcnow()
    ticket.claimed_until = None
    metrics.record_delivery_attempt(ticket.system_id, outcome)
    ticket.delivery_attempts.append(
        DeliveryAttempt(
            outcome=outcome,
            message=(message or "")[:1000] or None,
            http_status=http_status,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
    )


def _record_success(ticket, connector, issue: CreatedIssue, outcome: str, started: float) -> None:
    ticket.status, ticket.sent_at, ticket.needs_lookup = SENT, utcnow(), False
    ticket.external_key, ticket.external_url = issue.key, issue.url or None
    ticket.last_error, ticket.next_attempt_at, ticket.tracker_errors = None, None, None
    message = "Found the issue an earlier attempt created." if outcome == "found" else None
    _attempt(ticket, outcome, started, message)
    if connector is not None:
        ConnectorSession.of(connector).record_delivery(True, f"Ticket {issue.key} delivered.")


def _record_failure(ticket, connector, failure: DeliveryFailed, started: float) -> None:
    ticket.status, ticket.last_error = FAILED, failure.message[:1000]
    ticket.tracker_errors = failure.field_errors or None
    ticket.needs_lookup = ticket.needs_lookup or failure.ambiguous
    automatic = failure.retryable and ticket.attempts + 1 < MAX_AUTOMATIC_ATTEMPTS
    ticket.next_attempt_at = utcnow() + backoff(ticket.attempts + 1) if automatic else None
    _attempt(
        ticket,
        "ambiguous" if failure.ambiguous else "failed",
        started,
        failure.message,
        failure.http_status,
    )
    if connector is not None:
        ConnectorSession.of(connector).record_delivery(False, failure.message)
    if ticket.next_attempt_at is None:
        _announce_failed_for_good(ticket, connector, failure)


def _announce_failed_for_good(ticket, connector, failure: DeliveryFailed) -> None:
    """Nothing will retry it automatically now: tell the channels that follow it. The
    attempt number keys it, so a manual retry that fails for good again is news again."""
    notifications.notify(
        notifications.DELIVERY_FAILED,
        connector=connector,
        ticket=ticket,
        title=f"Ticket #{ticket.id} was not delivered: {ticket.final_title}",
        body=f"{ticket.connector_name} did not take it after {ticket.attempts} attempt(s), "
        f"and it will not be retried automatically: {failure.message}",
        dedupe_key=f"ticket:{ticket.id}:attempt:{ticket.attempts}",
    )


def claim_due(limit: int, now: datetime | None = None) -> list[Claim]:
    """Claim up to ``limit`` due tickets for this worker."""
    return claim_due_rows(Ticket, limit, _ticket_abandoned, now)


def claim_due_rows(
    model: Outbox,
    limit: int,
    on_abandoned: Callable[[int], None],
    now: datetime | None = None,
) -> list[Claim]:
    """Claim up to ``limit`` due rows of an outbox ``model`` for this worker."""
    now = now or utcnow()
    due = or_(
        and_(model.status.in_((PENDING, FAILED)), model.next_attempt_at <= now),
        _abandoned(model, now),
    )
    ids = list(
        db.session.scalars(
            select(model.id)
            .where(due)
            .order_by(model.next_attempt_at, model.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claims = [c for row_id in ids if (c := _claim_in_transaction(model, row_id, now, on_abandoned))]
    db.session.commit()
    return claims


def _ticket_abandoned(ticket_id: int) -> None:
    db.session.add(
        DeliveryAttempt(ticket_id=ticket_id, outcome="abandoned", message=ABANDONED_MESSAGE)
    )


def _claim_in_transaction(
    model: Outbox, row_id: int, now: datetime, on_abandoned: Callable[[int], None]
) -> Claim | None:
    """Take the row (next claim number); an abandoned claim counts as an attempt.

    A worker that let its lease run out may have reached the tracker, like a timed-out
    request: the attempt is recorded as such and the marker is looked up before sending.
    """
    values = {
        "status": SENDING,
        "claimed_until": now + lease(),
        "claim_number": model.claim_number + 1,
    }
    abandoned = _update_row(
        model,
        row_id,
        _abandoned(model, now),
        values | {"needs_lookup": True, "attempts": model.attempts + 1},
    )
    if abandoned:
        on_abandoned(row_id)
    elif not _update_row(model, row_id, model.status.in_((PENDING, FAILED)), values):
        return None
    number = db.session.scalar(select(model.claim_number).where(model.id == row_id))
    return Claim(row_id, number, model)


def _update_row(model: Outbox, row_id: int, condition, values: dict) -> bool:
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def deliver_due(limit: int | None = None) -> list[Ticket]:
    """One batch: claim up to ``limit`` (default: the batch size) due tickets and deliver
    them, renewing their leases meanwhile; returns the tickets this worker recorded."""
    claims = claim_due(limit or batch_size())
    if not claims:
        return []
    handled = []
    with LeaseKeeper(claims) as keeper:
        for claimed in claims:
            recorded = deliver_claimed(claimed)
            keeper.release(claimed)
            if recorded:
                handled.append(db.session.get(Ticket, claimed.row_id))
    return handled


def retry(actor: User | None, ticket: Ticket) -> Ticket:
    """Deliver an undelivered ticket now, for an actor allowed to change it."""
    require_ticket_change(actor, ticket)
    if ticket.status not in (PENDING, FAILED):
        raise ServiceError("Only pending or failed tickets can be retried.")
    audit.record("ticket.retry", actor, ticket)
    db.session.commit()
    return deliver(ticket.id, actor)
