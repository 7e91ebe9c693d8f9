"""The one-time setup link that creates the first administrator from the browser.

While no user exists, each server start writes a fresh random token's hash to the
instance folder and prints the link. Creating the administrator deletes the file, so the
link works once, and /setup answers 404 for good as soon as any user exists. A rejected
attempt (say, a too common password) leaves the link working.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import current_app

from webapp.models import User
from webapp.services.errors import NotFound
from webapp.services.users import check_new_password, create_user

TOKEN_FILE = "setup-token"  # noqa: S105 (a file name, not a secret)
LINK_USED = "This setup link is not valid or has already been used."


def _token_path() -> Path:
    return Path(current_app.instance_path) / TOKEN_FILE


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def setup_needed() -> bool:
    return User.count() == 0


def issue_setup_token() -> str | None:
    """Create a new setup token if no user exists yet; return it (or None)."""
    path = _token_path()
    if not setup_needed():
        path.unlink(missing_ok=True)
        return None
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_digest(token))
    tmp.replace(path)
    return token


def setup_token_valid(token: str | None) -> bool:
    if not token or not setup_needed():
        return False
    try:
        expected = _token_path().read_text().strip()
    except FileNotFoundError:
        return False
    return hmac.compare_digest(expected, _digest(token))


def create_first_admin(token: str, email: str, password: str) -> User:
    """Create the first administrator through the setup link, spending the link only
    when the user is created (raises NotFound for a spent or wrong link, ServiceError
    with the field for bad input, which leaves the link working).

    Two submissions at once cannot both succeed: each claims the token file by an
    atomic rename, and only one rename can find it.
    """
    if not setup_token_valid(token):
        raise NotFound(LINK_USED)
    check_new_password(password)  # the usual mistake: found before the link is claimed
    path = _token_path()
    claimed = path.with_name(f"{TOKEN_FILE}.{secrets.token_hex(8)}.claimed")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        raise NotFound(LINK_USED) from None
    try:
        if not hmac.compare_digest(claimed.read_text().strip(), _digest(token)):
            raise NotFound(LINK_USED)  # a server restart issued a new link meanwhile
        user = create_user(email, password, role="admin", via="set-up link")
    except Exception:
        claimed.replace(path)  # not created: the link keeps working
        raise
    claimed.unlink()
    return user
