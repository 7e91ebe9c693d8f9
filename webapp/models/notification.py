"""Notification channels (where admins want to hear about events) and the outbox of
notifications waiting to be sent through them.

A notification is stored in the transaction of the change it announces (store-first,
like tickets); a worker sends it later through Apprise, so no web request waits on a
chat service, and one ``(channel, event, dedupe_key)`` is stored at most once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.connector import Connector
from webapp.models.user import User
from webapp.names import name_key

#: pending → sending → sent | failed (retried while next_attempt_at is set) | uncertain
#: (the worker stopped while the request was out: it may have arrived, so it is not resent).
PENDING, SENDING, SENT, FAILED, UNCERTAIN = "pending", "sending", "sent", "failed", "uncertain"
NOTIFICATION_STATUSES = (PENDING, SENDING, SENT, FAILED, UNCERTAIN)

channel_connectors = Table(
    "notification_channel_connectors",
    db.metadata,
    Column(
        "channel_id",
        ForeignKey("notification_channels.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "connector_id",
        ForeignKey("connectors.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class NotificationChannel(db.Model):
    """An Apprise URL (a secret: stored encrypted) and which events of which connectors
    it hears about."""

    __tablename__ = "notification_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(400), unique=True)
    #: A Fernet token of the Apprise URL; never plaintext.
    url_ciphertext: Mapped[str] = mapped_column(Text)
    #: The URL's scheme (``discord``, ``json`` …): all that pages and the API show of it.
    scheme: Mapped[str] = mapped_column(String(40))
    #: Event names (webapp.services.notifications.EVENTS) this channel hears about.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: True: every connector's events, now and future; False: only ``connectors``'.
    all_connectors: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    #: The backref lets deleting a connector drop its rows here on SQLite too, where
    #: foreign keys (ON DELETE CASCADE) are not enforced.
    connectors: Mapped[list[Connector]] = relationship(
        secondary=channel_connectors,
        order_by=Connector.name_key,
        backref=backref("notification_channels", lazy="select"),
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        # Never the URL.
        return f"<NotificationChannel {self.id} {self.name!r} ({self.scheme})>"

    @validates("name")
    def _set_name_key(self, _attribute: str, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @property
    def masked_url(self) -> str:
        """What pages and the API show of the URL: its scheme only."""
        return f"{self.scheme}://****"


class Notification(db.Model):
    """One notification for one channel: the outbox row a worker claims and sends."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("channel_id", "event", "dedupe_key", name="uq_notifications_dedupe"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("connectors.id", ondelete="SET NULL"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The fencing token, as on tickets: +1 on every claim.
    claim_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Set (and committed) just before the request leaves: a claim abandoned after this
    #: may have reached the receiver, so it is not sent again blindly.
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    http_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    channel: Mapped[NotificationChannel] = relationship()

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.event} {self.status}>"
