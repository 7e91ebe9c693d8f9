"""API tokens: created once in plaintext, stored only as a hash, revocable.

A key looks like ``cdk_<43 url-safe characters>``: the prefix makes a leaked key easy
to recognise in logs and to find with secret scanners.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import ApiToken, User
from webapp.models.base import utcnow
from webapp.services import audit
from webapp.services.errors import NotFound, ServiceError

KEY_PREFIX = "cdk_"
NAME_MAX_LENGTH = 100
DISPLAY_PREFIX_LENGTH = 12
MAX_EXPIRY_DAYS = 3650
#: last_used_at is only rewritten when older than this: scripts polling the API
#: would otherwise turn every read into a database write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# "Token <key>" or the SD Elements documentation's quoted "Token "<key>"".
_HEADER = re.compile(r'^Token\s+"?([A-Za-z0-9_-]+)"?\s*$', re.IGNORECASE)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(
    actor: User | None, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and its key, which is never available again."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("This field is required.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Use at most {NAME_MAX_LENGTH} characters.", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ServiceError(
            f"Enter a number of days between 1 and {MAX_EXPIRY_DAYS}.", field="expires_in_days"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=key[:DISPLAY_PREFIX_LENGTH],
        key_hash=_digest(key),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record("token.create", actor, token, owner=user.email, expires_at=_iso(token.expires_at))
    db.session.commit()
    return token, key


def key_from_header(header: str | None) -> str | None:
    """The key in an ``Authorization: Token …`` header, or None for any other header."""
    match = _HEADER.match(header or "")
    return match.group(1) if match else None


def authenticate(header: str | None) -> User | None:
    """The active user whose usable token is in ``header``, or None."""
    key = key_from_header(header)
    if key is None:
        return None
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.key_hash == _digest(key))
    )
    now = utcnow()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user


def revoke_token(actor: User | None, token: ApiToken) -> None:
    """Stop ``token`` working for good (revoking twice changes nothing)."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record("token.revoke", actor, token, owner=token.user.email)
    db.session.commit()


def revoke_all_tokens(actor: User | None, user: User, reason: str) -> int:
    """Revoke every token of ``user`` still in force, in the caller's transaction (it
    commits); ``reason`` goes into the audit entries. Returns how many were revoked."""
    now = utcnow()
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    count = 0
    for token in db.session.scalars(query):
        token.revoked_at = now
        audit.record("token.revoke", actor, token, owner=user.email, reason=reason)
        count += 1
    return count


def get_token(token_id: int, owner: User | None = None) -> ApiToken:
    """The token with this id; with ``owner``, only if it belongs to that user."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        raise NotFound("There is no API token with this id.")
    return token


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they show as revoked)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
