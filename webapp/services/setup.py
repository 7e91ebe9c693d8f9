"""The one-time setup link that creates the first administrator from the browser.

While no user exists, each server start writes a fresh random token's hash to the
instance folder and prints the link. The first successful use deletes the file, so the
link works once, and /setup answers 404 for good as soon as any user exists.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import current_app

from webapp.models import User

TOKEN_FILE = "setup-token"  # noqa: S105 (a file name, not a secret)


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


def consume_setup_token(token: str) -> bool:
    """Spend the token: only one caller can ever succeed, even two at once."""
    if not setup_token_valid(token):
        return False
    try:
        _token_path().unlink()
    except FileNotFoundError:
        return False
    return True
