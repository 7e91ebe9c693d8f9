"""Delivering stored tickets to their trackers: once, and never twice.

A delivery first *claims* the ticket with a conditional UPDATE (pending/failed →
sending), so two workers, or a worker and a "Retry" click, cannot send the same ticket.
Workers pick due tickets with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
ignores the locking clause, and the conditional claim still holds there.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from webapp.extensions import db
from webapp.models import Connector, DeliveryAttempt, Ticket, User
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, PENDING, SENDING, SENT
from webapp.services import audit
from webapp.services.connection_tests import outbound_settings
from webapp.services.errors import ServiceError
from webapp.services.permissions import require_ticket_change
from webapp.services.secrets import SecretsUnreadable, connector_secrets
from webapp.services.systems import get_system
from webapp.services.tickets import mark_label_synced
from webapp.trackers.tickets import (
    CreatedIssue,
    DeliveryFailed,
    IssueDraft,
    create_issue,
    ensure_labels,
    find_issue,
)

LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
MAX_AUTOMATIC_ATTEMPTS = 10
FAILURES_FOR_UNHEALTHY = 2


def backoff(attempts: int) -> timedelta:
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    )


def _abandoned(now: datetime):
    """Tickets a worker claimed and never finished (it crashed or was killed)."""
    return and_(Ticket.status == SENDING, Ticket.claimed_until < now)


def _claimable(now: datetime):
    return or_(Ticket.status.in_((PENDING, FAILED)), _abandoned(now))


def claim(ticket_id: int, now: datetime | None = None) -> bool:
    """Atomically take the ticket for delivery; False if someone else has it (or it is done).

    A ticket left ``sending`` by a crashed worker is claimable once its lease runs out,
    and then needs a marker lookup before anything is created.
    """
    claimed = _claim_in_transaction(ticket_id, now or utcnow())
    db.session.commit()
    return claimed


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
    if claim(ticket_id):
        deliver_claimed(db.session.get(Ticket, ticket_id), actor)
    ticket = db.session.get(Ticket, ticket_id)
    db.session.refresh(ticket)
    return ticket


def deliver_claimed(ticket: Ticket, actor: User | None = None) -> None:
    started = time.monotonic()
    connector = ticket.connector
    try:
        issue, outcome = _send(ticket, connector)
    except DeliveryFailed as failure:
        _record_failure(ticket, connector, failure, started)
    else:
        _record_success(ticket, connector, issue, outcome, started)
    if actor is not None:
        audit.record("ticket.deliver", actor, ticket, status=ticket.status)
    db.session.commit()


def _send(ticket: Ticket, connector: Connector | None) -> tuple[CreatedIssue, str]:
    if connector is None:
        raise DeliveryFailed(
            "The connector was deleted; this ticket cannot be delivered.", retryable=False
        )
    if connector.disabled or connector.inaccessible:
        state = "disabled" if connector.disabled else "marked inaccessible"
        raise DeliveryFailed(f"The connector is {state}; enable it, then retry.", retryable=False)
    try:
        secrets = connector_secrets(connector)
    except SecretsUnreadable:
        raise DeliveryFailed(
            "The connector's stored secret cannot be decrypted — re-enter it, then retry.",
            retryable=False,
        ) from None
    system, settings = get_system(connector.system_id), outbound_settings()
    if ticket.needs_lookup:
        found = find_issue(
            system, connector.params, secrets, settings, ticket.marker, ticket.target
        )
        if found is not None:
            return found, "found"
    _ensure_category_label(ticket, connector, system, secrets, settings)
    return create_issue(system, connector.params, secrets, settings, draft_of(ticket)), "sent"


def _ensure_category_label(ticket, connector, system, secrets, settings) -> None:
    """Create the category's label on first use; a label that fails is not fatal."""
    if not ticket.label or system.category_mapping != "label":
        return
    category = next((c for c in connector.categories if c.name == ticket.category), None)
    if category is None or category.label_synced_at is not None:
        return
    (outcome,) = ensure_labels(
        system,
        connector.params,
        secrets,
        settings,
        [(ticket.label, ticket.label_colour or category.colour)],
        ticket.target,
    )
    mark_label_synced(category, outcome)


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
    ticket.external_key, ticket.external_url = issue.key, issue.url
    ticket.last_error, ticket.next_attempt_at, ticket.tracker_errors = None, None, None
    message = "Found the issue an earlier attempt created." if outcome == "found" else None
    _attempt(ticket, outcome, started, message)
    _feed_health(connector, ok=True, message=f"Ticket {issue.key} delivered.")


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
    _feed_health(connector, ok=False, message=failure.message)


def _feed_health(connector: Connector | None, ok: bool, message: str) -> None:
    """Deliveries count as health too; repeated failures mark the connector failing."""
    if connector is None:
        return
    failures = 0 if ok else (connector.delivery_failures or 0) + 1
    values: dict = {"delivery_failures": failures}
    if ok:
        values.update(
            health_status="ok",
            health_stage=None,
            health_message=message[:500],
            health_checked_at=utcnow(),
        )
    elif failures >= FAILURES_FOR_UNHEALTHY:
        values.update(
            health_status="failed",
            health_stage="delivery",
            health_message=f"{failures} deliveries failed in a row: {message}"[:500],
            health_checked_at=utcnow(),
        )
    # A plain UPDATE: deliveries are not edits, so the connector's version stays.
    db.session.execute(
        update(Connector)
        .where(Connector.id == connector.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(connector)


def claim_due(limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due tickets for this worker."""
    now = now or utcnow()
    due = or_(
        and_(Ticket.status.in_((PENDING, FAILED)), Ticket.next_attempt_at <= now),
        _abandoned(now),
    )
    ids = list(
        db.session.scalars(
            select(Ticket.id)
            .where(due)
            .order_by(Ticket.next_attempt_at, Ticket.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = [ticket_id for ticket_id in ids if _claim_in_transaction(ticket_id, now)]
    db.session.commit()
    return claimed


def _claim_in_transaction(ticket_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, _claimable(now))
        .values(
            status=SENDING,
            claimed_until=now + LEASE,
            needs_lookup=or_(Ticket.needs_lookup, _abandoned(now)),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def deliver_due(limit: int = 50) -> list[Ticket]:
    """One worker pass: claim due tickets and deliver them; returns what was handled."""
    handled = []
    for ticket_id in claim_due(limit):
        ticket = db.session.get(Ticket, ticket_id)
        deliver_claimed(ticket)
        handled.append(ticket)
    return handled


def retry(actor: User | None, ticket: Ticket) -> Ticket:
    """Deliver an undelivered ticket now, for an actor allowed to change it."""
    require_ticket_change(actor, ticket)
    if ticket.status not in (PENDING, FAILED):
        raise ServiceError("Only pending or failed tickets can be retried.")
    audit.record("ticket.retry", actor, ticket)
    db.session.commit()
    return deliver(ticket.id, actor)
