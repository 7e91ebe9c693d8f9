"""A connector's inbound webhook: its unguessable URL, its secret, and the events received."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, delete, event
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.connector import Connector

PROCESSED, IGNORED, FAILED = "processed", "ignored", "failed"
OUTCOMES = (PROCESSED, IGNORED, FAILED)


class ConnectorWebhook(db.Model):
    """One per connector, made when its secret is first generated.

    Its own row, not columns of ``connectors``: counting events must not bump the
    connector's version (an admin editing it would be told someone else changed it).
    """

    __tablename__ = "connector_webhooks"

    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), primary_key=True
    )
    #: The URL's secret part: url-safe random, never the connector's numeric id.
    hook_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: A Fernet token of {"webhook_secret": …} (services.secrets); never plaintext.
    secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    secret_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    events_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Requests turned away for a missing or wrong signature.
    rejected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    connector: Mapped[Connector] = relationship(
        backref=backref("webhook", uselist=False, cascade="all, delete-orphan")
    )

    @property
    def configured(self) -> bool:
        return bool(self.secret_ciphertext)


class WebhookEvent(db.Model):
    """One verified delivery, stored before it is processed, with what came of it."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("connector_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), index=True
    )
    #: The tracker's delivery id (a retry repeats it), or sha256:<hex> of the body.
    delivery_id: Mapped[str] = mapped_column(String(200))
    #: The tracker's name for it: "Issue Hook: close", "issues.closed", "comment_created".
    name: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: received (stored, not processed yet), processed, ignored or failed.
    outcome: Mapped[str] = mapped_column(String(20), default="received")
    reason: Mapped[str | None] = mapped_column(String(500))
    issue_key: Mapped[str | None] = mapped_column(String(100))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    #: The payload with credential-shaped values masked, cut to a size (see services).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payload_truncated: Mapped[bool] = mapped_column(default=False)
    size: Mapped[int] = mapped_column(Integer, default=0)


@event.listens_for(Connector, "before_delete")
def _delete_events(mapper, connection, connector: Connector) -> None:
    """A deleted connector's events go with it, in one statement (also where the
    database does not enforce ON DELETE CASCADE, as SQLite without its pragma)."""
    table = WebhookEvent.__table__
    connection.execute(delete(table).where(table.c.connector_id == connector.id))
