"""Checking that an interaction comes from Discord: an Ed25519 signature over the
timestamp and the raw body, made with the application's key, and a recent timestamp."""

from __future__ import annotations

import time
from collections.abc import Mapping

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

#: How far the signed timestamp may lie from our clock, either way (a replay window).
MAX_CLOCK_SKEW_SECONDS = 300
SIGNATURE_HEADER = "X-Signature-Ed25519"
TIMESTAMP_HEADER = "X-Signature-Timestamp"


class InvalidInteraction(Exception):
    """The request is not a fresh interaction signed by Discord (answer 401)."""


def public_key_problem(value: str) -> str | None:
    """Why ``value`` is not an Ed25519 public key in hex (64 hex digits), or None."""
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return "Use the 64 hexadecimal digits Discord shows as the Public Key."
    if len(raw) != 32:
        return f"Use 64 hexadecimal digits ({len(value)} given)."
    try:
        VerifyKey(raw)
    except ValueError:
        return "This is not an Ed25519 public key."
    return None


def verify(
    public_key: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> None:
    """Raise InvalidInteraction unless ``body`` was signed by ``public_key`` recently."""
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not public_key:
        raise InvalidInteraction("Discord interactions are not set up.")
    if not signature or not timestamp:
        raise InvalidInteraction("The Discord signature headers are missing.")
    try:
        signed_at = int(timestamp)
        VerifyKey(bytes.fromhex(public_key)).verify(
            timestamp.encode() + body, bytes.fromhex(signature)
        )
    except (ValueError, BadSignatureError):
        raise InvalidInteraction("The Discord signature is invalid.") from None
    if abs((time.time() if now is None else now) - signed_at) > MAX_CLOCK_SKEW_SECONDS:
        raise InvalidInteraction("The Discord signature is too old (or from the future).")
