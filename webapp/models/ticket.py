"""Tickets raised by hand through a connector, and every attempt to deliver them.

A ticket is stored before anything is sent, so a tracker outage or a crash never loses
what the admin typed; ``marker`` goes into the issue body so a retry after an ambiguous
attempt can find the issue instead of creating a second one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.connector import Connector
from webapp.models.user import User
from webapp.outbound.links import web_link

#: The longest ticket title, as typed (the tracker may get it longer, with its format).
TITLE_MAX_LENGTH = 255
PENDING, SENDING, SENT, FAILED, DISCARDED = "pending", "sending", "sent", "failed", "discarded"
STATUSES = (PENDING, SENDING, SENT, FAILED, DISCARDED)
UNDELIVERED = (PENDING, SENDING, FAILED)


class Ticket(db.Model):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("connectors.id", ondelete="SET NULL"), index=True
    )
    #: Kept so a delivered ticket's history still names its connector after deletion.
    connector_name: Mapped[str] = mapped_column(String(100))
    system_id: Mapped[str] = mapped_column(String(50))
    #: One per form rendering: a double-submitted form finds the ticket it made.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    marker: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    final_title: Mapped[str] = mapped_column(String(512))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str | None] = mapped_column(String(100))
    label_colour: Mapped[str | None] = mapped_column(String(7))
    target: Mapped[str | None] = mapped_column(String(255))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    external_key: Mapped[str | None] = mapped_column(String(100))
    external_url: Mapped[str | None] = mapped_column(String(1000))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    #: The tracker's complaints about single fields (e.g. Jira's "errors"), by field name.
    tracker_errors: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Set when an attempt may have created the issue: look for the marker first.
    needs_lookup: Mapped[bool] = mapped_column(Boolean, default=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The fencing token: +1 on every claim, so a worker whose lease ran out (and whose
    #: ticket someone else claimed since) can tell, and records nothing.
    claim_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who reported it when that is not a dashboard user: where ("discord"), their id
    #: there and the name they had when they reported it.
    reporter_source: Mapped[str | None] = mapped_column(String(20))
    reporter_id: Mapped[str | None] = mapped_column(String(64))
    reporter_name: Mapped[str | None] = mapped_column(String(200))

    # ---- the issue as the tracker last told it (events and sync) ------------------
    #: "open" or "closed"; None until the tracker has said anything after creation.
    tracker_state: Mapped[str | None] = mapped_column(String(20))
    #: When the tracker last changed the issue (its own clock), and when we last learnt it.
    tracker_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tracker_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    tracker_labels: Mapped[list[str] | None] = mapped_column(JSON)
    tracker_assignees: Mapped[list[str] | None] = mapped_column(JSON)
    #: The tracker's validator (ETag / Last-Modified) for a conditional sync request.
    tracker_etag: Mapped[str | None] = mapped_column(String(200))
    #: Polling (``services.ticket_sync``): not before this time (a claim, or a backoff
    #: after failures), the failures in a row, and the last one's words.
    tracker_sync_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    tracker_sync_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tracker_sync_error: Mapped[str | None] = mapped_column(String(500))

    connector: Mapped[Connector | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    delivery_attempts: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="ticket", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )
    comments: Mapped[list[TicketComment]] = relationship(
        back_populates="ticket", order_by="TicketComment.id", cascade="all, delete-orphan"
    )
    activities: Mapped[list[TicketActivity]] = relationship(
        back_populates="ticket", order_by="TicketActivity.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status} via {self.connector_name!r}>"

    @property
    def reporter(self) -> str | None:
        """The outside reporter as people read it: "Discord user ana (1234)"."""
        if not self.reporter_source:
            return None
        source = {"discord": "Discord user"}.get(self.reporter_source, self.reporter_source)
        return f"{source} {self.reporter_name or '?'} ({self.reporter_id})"

    @property
    def undelivered(self) -> bool:
        return self.status in UNDELIVERED

    @property
    def link(self) -> str | None:
        """The issue's link on the tracker, only if it is http(s) (older rows included)."""
        return web_link(self.external_url)


class DeliveryAttempt(db.Model):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    #: sent, found (the marker showed an earlier attempt had worked), failed, ambiguous,
    #: abandoned (the worker that claimed it stopped before it reported back)
    outcome: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(String(1000))
    http_status: Mapped[int | None] = mapped_column(Integer)

    ticket: Mapped[Ticket] = relationship(back_populates="delivery_attempts")


INBOUND, OUTBOUND = "inbound", "outbound"


class TicketComment(db.Model):
    """A comment on a ticket's issue: from the tracker (inbound), or typed here (outbound).

    An outbound comment is stored first and delivered like a ticket (``status``,
    ``attempts``, lease and ``marker``); an inbound one is stored once per ``external_id``.
    """

    __tablename__ = "ticket_comments"
    __table_args__ = (UniqueConstraint("ticket_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    #: The tracker's id of the comment, once known.
    external_id: Mapped[str | None] = mapped_column(String(100))
    author: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: How it came: page, api, discord, webhook, sync (see services.change_context).
    via: Mapped[str] = mapped_column(String(20), default="page")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # ---- outbound delivery (None for inbound comments) ----------------------------
    status: Mapped[str | None] = mapped_column(String(20), index=True)
    marker: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    needs_lookup: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(1000))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket: Mapped[Ticket] = relationship(back_populates="comments")
    created_by: Mapped[User | None] = relationship()


class TicketActivity(db.Model):
    """One line of a ticket's timeline that is not a comment or a delivery attempt:
    closed, reopened, labels or assignees changed, triaged — with who, when and how."""

    __tablename__ = "ticket_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: Who did it, as the tracker or the dashboard names them.
    actor: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    via: Mapped[str] = mapped_column(String(20), default="page")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="activities")


class DeliveryWorker(db.Model):
    """A process that delivers due tickets, and when it last did: its heartbeat.

    Pages use it to tell *why* a ticket is overdue (no worker running since …).
    """

    __tablename__ = "delivery_workers"

    #: host:pid and how it runs ("embedded" in `flask serve`, or the "command" worker).
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: Seconds between its passes: how soon it is late.
    interval_seconds: Mapped[float] = mapped_column(Float, default=10.0)
