"""API tokens: long random keys that authenticate scripts against the REST API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.user import User


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: The first characters of the key, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the whole key. The keys carry 256 random bits, so a fast unsalted hash
    #: is enough: nobody can guess them, and a slow password hash would cost every API
    #: request tens of milliseconds and rule out the indexed lookup by hash.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        # Never includes the hash.
        return f"<ApiToken {self.id} {self.name!r} {self.prefix}…>"

    def is_usable(self, now: datetime) -> bool:
        """Not revoked, not expired, and its user may still log in."""
        if self.revoked_at is not None or not self.user.active:
            return False
        return self.expires_at is None or self.expires_at > now
