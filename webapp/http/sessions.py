"""Login sessions: cookies marked Secure over https, and remembered logins that expire."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user

from webapp.models import User


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in on this browser.

    A remembered login lasts REMEMBER_ME_DAYS: the cookie expires then, and since the
    expiry is also signed into the cookie's value, a saved copy stops working too.
    """
    duration = timedelta(days=current_app.config["REMEMBER_ME_DAYS"])
    user.remember_until = int(time.time() + duration.total_seconds()) if remember else None
    login_user(user, remember=remember, duration=duration if remember else None)
