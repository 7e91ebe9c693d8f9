"""Logging in and out under brute-force limits, with every outcome in the audit log."""

from __future__ import annotations

import hmac
import logging
import time

from webapp.extensions import db
from webapp.models import User
from webapp.services import audit, rate_limits
from webapp.services.errors import ServiceError
from webapp.services.users import authenticate

logger = logging.getLogger(__name__)
INVALID_LOGIN = "Invalid e-mail or password."


class TooManyAttempts(ServiceError):
    """Logins to this account or from this address are paused for a while."""

    def __init__(self, blocked: rate_limits.Blocked) -> None:
        super().__init__(blocked.message)
        self.retry_after = blocked.retry_after


def log_in(email: str, password: str, address: str | None) -> User:
    """The user with these credentials; raises TooManyAttempts or ServiceError.

    While a limit is used up the password is not even checked, so guessing stops.
    Failed attempts are audited with the e-mail as typed (normalised), never the password.
    """
    email = User.normalize_email(email)
    blocked = rate_limits.login_blocked(email, address)
    if blocked is not None:
        logger.warning("Login throttled for %s from %s", email, address)
        raise TooManyAttempts(blocked)
    user = authenticate(email, password)
    if user is None:
        rate_limits.record_login_failure(email, address)
        entry = audit.record("auth.login_failed", None, None, email=email, address=address)
        # Shown as concerning that account, so filtering the log by user finds it.
        entry.target_type, entry.target_name = "user", email
        db.session.commit()
        raise ServiceError(INVALID_LOGIN)
    audit.record("auth.login", user, user, address=address)
    db.session.commit()
    return user


def record_logout(user: User) -> None:
    """End every session of ``user`` on the server and audit it (the view clears the
    cookies of this browser; copies saved elsewhere stop working too)."""
    user.end_sessions()
    audit.record("auth.logout", user, user)
    db.session.commit()


def log_out_everywhere(user: User) -> None:
    """End every session and remembered login of ``user``, in every browser."""
    user.end_sessions()
    audit.record("auth.logout_everywhere", user, user)
    db.session.commit()


def user_for_session(session_id: str) -> User | None:
    """The user a session or remember-me cookie stands for, while it is still valid.

    The cookies hold ``id:nonce`` (``id:nonce:expiry`` for a remembered login, see
    User.get_id); ending a user's sessions changes the nonce, so every older cookie,
    however it was saved, stops working.
    """
    parts = session_id.split(":")
    if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts[::2]):
        return None
    expiry = int(parts[2]) if len(parts) == 3 else None
    if expiry is not None and expiry <= time.time():
        return None
    user = db.session.get(User, int(parts[0]))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_nonce.encode(), parts[1].encode()):
        return None
    user.remember_until = expiry
    return user
