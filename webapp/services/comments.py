"""Conversations on a ticket's issue: comments and closing / reopening it.

Pages, the API and Discord all come here.  A comment is *stored first* (``add_comment``
returns the pending row) and delivered through the outbox like a ticket: the same
claims, leases and fencing (``services.delivery``), retried with backoff by the worker,
and never posted twice: its body carries a marker line, and after an attempt that may
have reached the tracker (a timeout) the next one looks for the marker first.  A page or
API request makes one quick attempt (``deliver_comment(..., quick=True)``); whatever is
left is the worker's.  On success the tracker's id is stored, so the inbound side
(``ticket_mirror``) knows the comment when it comes back.

Closing and reopening are synchronous: the tracker answers, or the caller shows its words
and nothing is recorded as changed.
"""

from __future__ import annotations

import logging
import secrets as token_source
from dataclasses import replace

from flask import current_app
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import Ticket, TicketActivity, TicketComment, User
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, OUTBOUND, PENDING, SENT
from webapp.services import audit
from webapp.services.change_context import current_via
from webapp.services.connector_sessions import ConnectorSession, outbound_settings
from webapp.services.delivery import (
    MAX_AUTOMATIC_ATTEMPTS,
    Claim,
    LeaseKeeper,
    backoff,
    batch_size,
    claim_due_rows,
    claim_row,
    fence,
    lost,
    renew,
)
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.permissions import can_converse, require_conversation
from webapp.trackers.tickets import CLOSED, OPEN, TRACKER_STATES, DeliveryFailed, RemoteComment

logger = logging.getLogger(__name__)

COMMENT_MAX = 20_000
MARKER_PREFIX = "connector-desk-comment-"
#: The longest a page or API request waits for the tracker before leaving the comment to
#: the worker (the COMMENT_REQUEST_SECONDS setting overrides it).
QUICK_SECONDS = 5.0
CLOSED_KIND, REOPENED_KIND = "closed", "reopened"
ABANDONED_MESSAGE = (
    "The worker sending this comment stopped before it reported back; it may have reached "
    "the tracker, so the comment is looked up before it is posted again."
)
NOT_DELIVERED_MESSAGE = (
    "This ticket's issue does not exist on the tracker yet: comments and state changes "
    "are possible once it is delivered."
)


# ---- comments -------------------------------------------------------------------


def add_comment(
    actor: User | None,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    author: str | None = None,
) -> TicketComment:
    """Store a comment for the ticket's issue and return it, pending: nothing is sent here.

    ``actor`` None is the command line or an integration (Discord) that checked its own
    users; ``author`` names the person when it is not a dashboard user (a Discord name).
    Follow with ``deliver_comment(comment.id, quick=True)`` for an attempt right away; the
    worker delivers it otherwise.
    """
    require_conversation(actor, ticket)
    text = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["body"] = ["Enter the comment."]
    elif len(text) > COMMENT_MAX:
        errors["body"] = [f"Keep the comment under {COMMENT_MAX:,} characters."]
    session = _session(ticket)
    if internal and not session.system.has_internal_comments:
        errors["internal"] = [f"{session.system.short_name} has no internal comments."]
    if errors:
        raise ValidationFailed(errors)
    comment = TicketComment(
        ticket=ticket,
        direction=OUTBOUND,
        author=(author or (actor.email if actor is not None else "") or "")[:200],
        body=text,
        internal=bool(internal),
        via=current_via(),
        created_by=actor,
        status=PENDING,
        marker=MARKER_PREFIX + token_source.token_hex(12),
        next_attempt_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    audit.record(
        "ticket.comment",
        actor,
        ticket,
        comment_id=comment.id,
        internal=comment.internal,
        via=comment.via,
        author=comment.author,
    )
    db.session.commit()
    return comment


def post_comment(
    actor: User | None,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    author: str | None = None,
) -> TicketComment:
    """``add_comment``, then one quick attempt (pages and the API)."""
    comment = add_comment(actor, ticket, body, internal=internal, author=author)
    return deliver_comment(comment.id, quick=True)


def get_comment(ticket: Ticket, comment_id: int) -> TicketComment:
    comment = db.session.get(TicketComment, comment_id)
    if comment is None or comment.ticket_id != ticket.id:
        raise NotFound("No such comment on this ticket.")
    return comment


def retry_comment(actor: User | None, comment: TicketComment) -> TicketComment:
    """Send a pending or failed outbound comment now (the Retry button)."""
    require_conversation(actor, comment.ticket)
    if comment.direction != OUTBOUND or comment.status not in (PENDING, FAILED):
        raise ServiceError("Only pending or failed comments can be retried.")
    audit.record("ticket.comment_retry", actor, comment.ticket, comment_id=comment.id)
    db.session.commit()
    return deliver_comment(comment.id, quick=True)


def comments_query(ticket: Ticket):
    return (
        select(TicketComment)
        .where(TicketComment.ticket_id == ticket.id)
        .order_by(TicketComment.created_at, TicketComment.id)
    )


# ---- delivery through the outbox ------------------------------------------------


def _comment_abandoned(comment_id: int) -> None:
    db.session.execute(
        update(TicketComment)
        .where(TicketComment.id == comment_id)
        .values(last_error=ABANDONED_MESSAGE)
        .execution_options(synchronize_session=False)
    )


def claim_comment(comment_id: int) -> Claim | None:
    return claim_row(TicketComment, comment_id, _comment_abandoned)


def deliver_comment(comment_id: int, *, quick: bool = False) -> TicketComment:
    """Claim and send one comment now; ``quick`` bounds the wait (a page or API request)."""
    claimed = claim_comment(comment_id)
    if claimed is not None:
        with LeaseKeeper([claimed]):
            deliver_claimed_comment(claimed, quick=quick)
    comment = db.session.get(TicketComment, comment_id)
    db.session.refresh(comment)
    return comment


def deliver_due_comments(limit: int | None = None) -> list[TicketComment]:
    """One batch of due comments for the worker; returns those this worker recorded."""
    claims = claim_due_rows(TicketComment, limit or batch_size(), _comment_abandoned)
    handled = []
    if not claims:
        return handled
    with LeaseKeeper(claims) as keeper:
        for claimed in claims:
            recorded = deliver_claimed_comment(claimed)
            keeper.release(claimed)
            if recorded:
                handled.append(db.session.get(TicketComment, claimed.row_id))
    return handled


def deliver_claimed_comment(claimed: Claim, *, quick: bool = False) -> bool:
    """Send a claimed comment and record the outcome, if the claim is still current."""
    if not renew([claimed]):
        return lost(claimed, "before sending")
    comment = db.session.get(TicketComment, claimed.row_id)
    try:
        remote, problem = _send(comment, quick), None
    except DeliveryFailed as failure:
        remote, problem = None, failure
    try:
        if not fence(claimed):
            db.session.rollback()
            return lost(claimed, "after the tracker answered")
        db.session.refresh(comment)
        if problem is not None:
            _record_failure(comment, problem)
        else:
            _record_success(comment, remote)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return True


def _send(comment: TicketComment, quick: bool) -> RemoteComment:
    """Look the comment up (after an attempt that may have posted it), else post it."""
    ticket = comment.ticket
    try:
        session = _session(ticket, quick=quick)
    except ServiceError as error:
        raise DeliveryFailed(error.message, retryable=False) from None
    if session.problem is not None:
        raise DeliveryFailed(session.problem, retryable=False)
    with session.client() as client:
        if comment.needs_lookup:
            found = client.find_comment(ticket.external_key, ticket.target, comment.marker)
            if found is not None:
                return found
        body = client.comment_body(comment.body, comment.marker)
        return client.add_comment(
            ticket.external_key, ticket.target, body, internal=comment.internal
        )


def _record_success(comment: TicketComment, remote: RemoteComment) -> None:
    comment.status, comment.sent_at, comment.needs_lookup = SENT, utcnow(), False
    comment.last_error, comment.next_attempt_at, comment.claimed_until = None, None, None
    comment.attempts += 1
    if remote.external_id:
        # The mirror may have stored it as an inbound comment before we learnt its id.
        echo = db.session.scalars(
            select(TicketComment).where(
                TicketComment.ticket_id == comment.ticket_id,
                TicketComment.external_id == remote.external_id,
                TicketComment.id != comment.id,
            )
        ).first()
        if echo is not None:
            db.session.delete(echo)
            db.session.flush()
        comment.external_id = remote.external_id[:100]


def _record_failure(comment: TicketComment, failure: DeliveryFailed) -> None:
    comment.status, comment.last_error = FAILED, failure.message[:1000]
    comment.needs_lookup = comment.needs_lookup or failure.ambiguous
    comment.attempts += 1
    comment.claimed_until = None
    automatic = failure.retryable and comment.attempts < MAX_AUTOMATIC_ATTEMPTS
    comment.next_attempt_at = utcnow() + backoff(comment.attempts) if automatic else None


# ---- state -----------------------------------------------------------------------


def change_state(
    actor: User | None, ticket: Ticket, state: str, *, author: str | None = None
) -> TicketActivity:
    """Close (``"closed"``) or reopen (``"open"``) the ticket's issue on the tracker now.

    On success the ticket's ``tracker_state`` follows and a timeline line is recorded;
    a tracker that refuses raises ``ServiceError`` with its words, recording nothing.
    """
    require_conversation(actor, ticket)
    if state not in TRACKER_STATES:
        raise ValidationFailed({"state": [f"Choose {OPEN!r} or {CLOSED!r}."]})
    session = _session(ticket)
    if session.problem is not None:
        raise ServiceError(session.problem)
    try:
        with session.client() as client:
            client.set_state(ticket.external_key, ticket.target, state)
    except DeliveryFailed as failure:
        raise ServiceError(failure.message) from None
    kind = CLOSED_KIND if state == CLOSED else REOPENED_KIND
    who = author or (actor.email if actor is not None else None)
    activity = TicketActivity(
        ticket=ticket, kind=kind, actor=who, via=current_via(), details={"from": "dashboard"}
    )
    db.session.add(activity)
    ticket.tracker_state = state
    audit.record(
        "ticket.close" if state == CLOSED else "ticket.reopen",
        actor,
        ticket,
        via=activity.via,
        author=who,
    )
    db.session.commit()
    return activity


def _session(ticket: Ticket, *, quick: bool = False) -> ConnectorSession:
    """The ticket's connector, once its issue exists; ``quick``: a short read timeout."""
    if ticket.status != SENT or not ticket.external_key:
        raise ServiceError(NOT_DELIVERED_MESSAGE)
    if ticket.connector is None:
        raise ServiceError("The ticket's connector was deleted: its issue cannot be reached.")
    if not quick:
        return ConnectorSession.of(ticket.connector)
    settings = outbound_settings()
    budget = float(current_app.config.get("COMMENT_REQUEST_SECONDS", QUICK_SECONDS))
    quick_settings = replace(
        settings,
        connect_timeout=min(settings.connect_timeout, budget),
        read_timeout=min(settings.read_timeout, budget),
    )
    return ConnectorSession.of(ticket.connector, quick_settings)


__all__ = [
    "add_comment",
    "can_converse",
    "change_state",
    "deliver_comment",
    "post_comment",
    "require_conversation",
    "retry_comment",
]
