"""The Discord integration: one row of settings, and which connector each server or
channel files into.

The bot token is a secret: only its Fernet ciphertext is stored (services/secrets.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.connector import Connector

GUILD, CHANNEL = "guild", "channel"
ROUTE_KINDS = (GUILD, CHANNEL)


class DiscordIntegration(db.Model):
    """Discord's application and who may use its commands (there is at most one row)."""

    __tablename__ = "discord_integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(String(30), default="")
    #: The application's Ed25519 public key, 64 hex digits: it checks every interaction.
    public_key: Mapped[str] = mapped_column(String(64), default="")
    #: A Fernet token of {"bot_token": …}; never plaintext.
    secrets_ciphertext: Mapped[str | None] = mapped_column(Text)
    #: Discord role ids whose members may use the commands; none means nobody may.
    allowed_role_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("connectors.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    default_connector: Mapped[Connector | None] = relationship()
    routes: Mapped[list[DiscordRoute]] = relationship(
        back_populates="integration",
        order_by="(DiscordRoute.kind, DiscordRoute.discord_id)",
        cascade="all, delete-orphan",
    )

    @property
    def has_bot_token(self) -> bool:
        return bool(self.secrets_ciphertext)

    def __repr__(self) -> str:
        return f"<DiscordIntegration application {self.application_id!r}>"


class DiscordRoute(db.Model):
    """Interactions from this Discord server (guild) or channel file into this connector."""

    __tablename__ = "discord_routes"
    __table_args__ = (UniqueConstraint("integration_id", "kind", "discord_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("discord_integrations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    discord_id: Mapped[str] = mapped_column(String(30))
    connector_id: Mapped[int] = mapped_column(
        ForeignKey("connectors.id", ondelete="CASCADE"), index=True
    )

    integration: Mapped[DiscordIntegration] = relationship(back_populates="routes")
    connector: Mapped[Connector] = relationship()
