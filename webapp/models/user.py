"""Administrators and viewers who log in to the dashboard."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.base import UTCDateTime, utcnow

ROLES = ("admin", "viewer")


def new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index makes e-mail unique case-insensitively.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="admin")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login session id: changing it logs out every session of the user.
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_session_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The ticket form's last choices (connector, category, per-system fields).
    ticket_defaults: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    #: When a remembered login ends (Unix time), or None. Not a column: it travels in the
    #: login's signed cookies (see get_id) and is set again by the user loader.
    remember_until = None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @staticmethod
    def normalize_email(email: str) -> str:
        return email.strip().lower()

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == cls.normalize_email(email)))

    @classmethod
    def count(cls) -> int:
        return db.session.scalar(select(func.count()).select_from(cls)) or 0

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        """What the session and remember-me cookies hold: ``id:nonce``, plus ``:expiry``
        for a remembered login (checked by the user loader on every request)."""
        session_id = f"{self.id}:{self.session_nonce}"
        return f"{session_id}:{self.remember_until}" if self.remember_until else session_id

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie issued so far stop working."""
        self.session_nonce = new_session_nonce()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
