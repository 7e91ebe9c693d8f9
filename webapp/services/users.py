"""Creating users, checking passwords and changing them."""

from __future__ import annotations

import functools
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models import User
from webapp.models.base import utcnow
from webapp.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 12


@functools.cache
def _dummy_hash() -> str:
    """A hash of a password no one has: checked for unknown e-mails so that a login takes
    the same time whether the account exists or not."""
    return generate_password_hash(secrets.token_hex(16))


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")


def create_user(email: str, password: str, role: str = "admin") -> User:
    """Create an active user; the e-mail must not be taken (case-insensitively)."""
    email = User.normalize_email(email)
    if User.by_email(email) is not None:
        raise ServiceError("A user with this e-mail already exists.", field="email")
    check_new_password(password)
    user = User(email=email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (never says which was wrong)."""
    user = User.by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a user's own password; every other session of that user ends."""
    if not user.check_password(current):
        raise ServiceError("Your current password is not correct.", field="current_password")
    check_new_password(new)
    user.set_password(new)
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id:
        raise ServiceError("You cannot deactivate your own account.")
    user.active = active
    db.session.commit()


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))
