"""Encryption of connector secrets at rest (Fernet, with key rotation).

CONNECTOR_SECRETS_KEY holds one or more Fernet keys, comma-separated. The first
encrypts; every key decrypts, so a new key can be put first and the stored secrets
re-encrypted with `flask secrets rotate` before the old key is removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Connector


class SecretsUnreadable(Exception):
    """Stored secrets cannot be decrypted with the configured keys."""


def _fernet() -> MultiFernet:
    cache = current_app.extensions.setdefault("connector_desk.fernet", {})
    raw = current_app.config["CONNECTOR_SECRETS_KEY"]
    if raw not in cache:
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        if not keys:
            raise RuntimeError("CONNECTOR_SECRETS_KEY is empty")
        cache[raw] = MultiFernet([Fernet(key.encode()) for key in keys])
    return cache[raw]


def encrypt_secrets(values: dict[str, str]) -> str | None:
    if not values:
        return None
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str | None) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise SecretsUnreadable(
            "The stored secrets cannot be decrypted with the configured keys."
        ) from None


def seal_text(text: str) -> str:
    """``text`` encrypted, to carry pasted secrets from a preview to its confirmation
    through a hidden form field instead of echoing them into the page."""
    return _fernet().encrypt(text.encode()).decode()


def open_sealed_text(token: str, max_age: int) -> str:
    """What seal_text sealed at most ``max_age`` seconds ago (else SecretsUnreadable)."""
    try:
        return _fernet().decrypt(token.encode(), ttl=max_age).decode()
    except (InvalidToken, ValueError):
        raise SecretsUnreadable("The sealed text is too old or damaged.") from None


def rotate_token(token: str) -> str:
    """``token`` re-encrypted under the primary key (SecretsUnreadable if no key reads it)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretsUnreadable(
            "The stored secrets cannot be decrypted with the configured keys."
        ) from None


def connector_secrets(connector: Connector) -> dict[str, str]:
    """The connector's decrypted secrets (raises SecretsUnreadable)."""
    return decrypt_secrets(connector.secrets_ciphertext)


def secrets_readable(connector: Connector) -> bool:
    try:
        connector_secrets(connector)
    except SecretsUnreadable:
        return False
    return True


def rotate_all() -> tuple[int, list[Connector]]:
    """Re-encrypt every stored secret under the primary key.

    Returns how many were rotated and the connectors whose secrets no key can read
    (they are left untouched and must be re-entered).
    """
    query = select(Connector).where(Connector.secrets_ciphertext.is_not(None))
    return rotate_ciphertexts(db.session.scalars(query), Connector.secrets_ciphertext)


def rotate_ciphertexts(rows: Iterable[Any], column: Any) -> tuple[int, list[Any]]:
    """Re-encrypt ``column`` (an encrypted column) of each of ``rows`` under the primary
    key, and commit; how many were rotated and the rows no key can read (left untouched).

    A plain column update: rotation is not an edit, so versions and history stay.
    """
    rotated, unreadable = 0, []
    for row in rows:
        try:
            token = rotate_token(getattr(row, column.key))
        except SecretsUnreadable:
            unreadable.append(row)
            continue
        table = type(row).__table__
        db.session.execute(table.update().where(table.c.id == row.id).values({column.key: token}))
        rotated += 1
    db.session.commit()
    return rotated, unreadable
