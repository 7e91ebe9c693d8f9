"""Token authentication: ``Authorization: Token <key>``; the session cookie never counts."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import current_app, g, request

from webapp.api import bp
from webapp.api.errors import api_error
from webapp.http.access import is_public
from webapp.models import User
from webapp.services import rate_limits, tokens

F = TypeVar("F", bound=Callable)
MISSING_MESSAGE = "Authentication required: send the header 'Authorization: Token <key>'."
INVALID_MESSAGE = "Invalid token: it is unknown, revoked or expired, or its user is deactivated."
READ_ONLY_MESSAGE = "Viewers can read connectors and test saved ones, but not change them."


@bp.before_request
def authenticate_token():
    if is_public(current_app, request.endpoint):
        return None
    header = request.headers.get("Authorization")
    sent_key = tokens.key_from_header(header) is not None
    # Guessing keys is paused per address; see webapp/services/rate_limits.py.
    blocked = rate_limits.token_failure_block(request.remote_addr) if sent_key else None
    if blocked is not None:
        return api_error(429, blocked.message, headers={"Retry-After": str(blocked.retry_after)})
    user = tokens.authenticate(header)
    if user is None:
        if sent_key:
            rate_limits.record_token_failure(request.remote_addr)
        message = INVALID_MESSAGE if sent_key else MISSING_MESSAGE
        return api_error(401, message, headers={"WWW-Authenticate": "Token"})
    g.api_user = user
    return None


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def admin_only(message: str = READ_ONLY_MESSAGE) -> Callable[[F], F]:
    """Only administrators may call the view; viewers get 403 with ``message``.

    Checked before the body is read, so a viewer gets 403 whatever they send; the
    services check the same rule again for every other caller.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not api_user().is_admin:
                return api_error(403, message)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


#: Only administrators may change things; viewers get 403.
admin_required = admin_only()
