"""Creating users, checking passwords and changing them."""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models import User
from webapp.models.base import utcnow
from webapp.services import audit, tokens
from webapp.services.errors import ServiceError
from webapp.services.permissions import require_admin
from webapp.services.search import contains

MIN_PASSWORD_LENGTH = 12
EMAIL_TAKEN = "A user with this e-mail already exists."
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@functools.cache
def _dummy_hash() -> str:
    """A hash of a password no one has: checked for unknown e-mails so that a login takes
    the same time whether the account exists or not."""
    return generate_password_hash(secrets.token_hex(16))


@functools.cache
def common_passwords() -> frozenset[str]:
    """Passwords attackers try first (lower-case), shipped in webapp/data/."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def check_new_password(password: str) -> None:
    """Reject passwords that are short or on the list of common ones (any case)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if password.strip().lower() in common_passwords():
        raise ServiceError("This password is too common.", field="password")


def create_user(
    email: str,
    password: str,
    role: str = "admin",
    actor: User | None = None,
    *,
    via: str | None = None,
) -> User:
    """Create an active user; the e-mail must not be taken (case-insensitively).

    ``actor`` is the administrator adding the user (None: the command line or set-up).
    """
    require_admin(actor)
    email = User.normalize_email(email)
    if User.by_email(email) is not None:
        raise ServiceError(EMAIL_TAKEN, field="email")
    check_new_password(password)
    user = User(email=email, role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # Added by a request racing this one since the check above: the unique index won.
        db.session.rollback()
        if User.by_email(email) is not None:
            raise ServiceError(EMAIL_TAKEN, field="email") from None
        raise
    # Without an actor, say how the user came: the set-up link or the command line.
    audit.record("user.create", actor, user, role=role, **({"via": via} if via else {}))
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


def change_password(user: User, current: str, new: str, revoke_tokens: bool = False) -> int:
    """Change a user's own password; every session of that user ends (the web view starts
    a new one for the browser that made the change).

    API tokens outlive passwords unless ``revoke_tokens``; returns how many were revoked.
    """
    if not user.check_password(current):
        raise ServiceError("Your current password is not correct.", field="current_password")
    check_new_password(new)
    user.set_password(new)
    revoked = tokens.revoke_all_tokens(user, user, "password change") if revoke_tokens else 0
    audit.record("user.password_change", user, user, sessions_ended=True, tokens_revoked=revoked)
    db.session.commit()
    return revoked


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate ``user``; admins only."""
    require_admin(actor)
    if actor.id == user.id:
        raise ServiceError("You cannot deactivate your own account.")
    user.active = active
    if not active:
        user.end_sessions()  # so reactivating does not bring old cookies back to life
    audit.record("user.reactivate" if active else "user.deactivate", actor, user)
    db.session.commit()


def users_query(search: str = ""):
    """Users by e-mail, those whose e-mail contains ``search`` (any case) if given."""
    query = select(User).order_by(User.email)
    return query.where(contains(User.email, search)) if search else query
