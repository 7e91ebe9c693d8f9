"""Connectors: saved configurations of a tracker system."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.user import User
from webapp.names import name_key

if TYPE_CHECKING:
    from webapp.models.ticket import ConnectorCategory


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
