"""Connectors: saved configurations of a tracker system."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models import search_index
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.user import User
from webapp.names import name_key


class Connector(db.Model):
    __tablename__ = "connectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: name_key(name), set with the name: its unique index makes names unique in any case
    #: and spelling, even for requests racing each other. Case folding can lengthen text.
    name_key: Mapped[str] = mapped_column(String(400), unique=True)
    system_id: Mapped[str] = mapped_column(String(50), index=True)
    #: Non-secret params only; secrets live encrypted in ``secrets_ciphertext``.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: A Fernet token of a JSON object {param name: value}; never plaintext.
    secrets_ciphertext: Mapped[str | None] = mapped_column(Text)
    #: Names of the stored secrets, so pages can say "stored" without decrypting.
    secret_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    inaccessible: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The latest connection test or delivery: the health badge on the list.
    health_status: Mapped[str | None] = mapped_column(String(20))
    health_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    health_stage: Mapped[str | None] = mapped_column(String(40))
    health_message: Mapped[str | None] = mapped_column(String(500))
    #: Failed deliveries in a row; from DELIVERY_FAILURES_FOR_UNHEALTHY on, the badge fails.
    delivery_failures: Mapped[int] = mapped_column(Integer, default=0)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    categories: Mapped[list[ConnectorCategory]] = relationship(
        order_by="ConnectorCategory.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        # Never includes params or secrets.
        return f"<Connector {self.id} {self.name!r} ({self.system_id})>"

    @validates("name")
    def _set_name_key(self, _attribute: str, name: str) -> str:
        self.name_key = name_key(name)
        return name

    def has_secret(self, name: str) -> bool:
        return name in (self.secret_names or [])


search_index.install(Connector.__table__)


class ConnectorCategory(db.Model):
    """A ticket category of a connector and the tracker label it maps to."""

    __tablename__ = "connector_categories"
    __table_args__ = (
        UniqueConstraint("connector_id", "name", name="uq_connector_categories_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(7), default="#6c757d")
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: When the label was last seen on (or created on) the tracker; None: before first use.
    label_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConnectorVersion(db.Model):
    """One saved state of a connector: every change adds the next number, none is rewritten.

    Holds what a person can see of the connector (non-secret params, categories, enabled
    and reachable states), which secrets were stored and which changed, never a secret.
    """

    __tablename__ = "connector_versions"
    __table_args__ = (
        UniqueConstraint("connector_id", "number", name="uq_connector_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3 … per connector.
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Rows of {"name", "label", "colour"} in their order.
    categories: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    inaccessible: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Names of the secrets stored in this version (never their values).
    secret_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Names of the secrets set, changed or removed by this change.
    secrets_changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What differs from the version before: "name", "params.<name>", "categories", …
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Kept as text so the version still says who made it after the user is gone.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    #: Where the change was made: webapp.services.change_context (page, api, cli, …).
    via: Mapped[str] = mapped_column(String(20))
    #: The version this one restored, if it is a restore.
    restored_from: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))
