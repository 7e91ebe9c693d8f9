"""A bundle's secrets, encrypted under a passphrase: scrypt derives a Fernet key.

The salt and the scrypt cost travel in the bundle (``{"kdf": "scrypt", "n", "r", "p",
"salt", "cipher": "fernet", "token"}``), so another installation can open it with the
passphrase alone; the cost a bundle may ask for is bounded.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from webapp.services.errors import ValidationFailed

#: scrypt cost: 2**15 × 8 × 1 takes ~32 MiB and a fraction of a second, per RFC 7914 advice.
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
#: What a bundle may ask for: a hostile one must not make the server spend gigabytes.
SCRYPT_LIMITS = {"n": (2**14, 2**17), "r": (1, 16), "p": (1, 4)}
MIN_PASSPHRASE = 12
WRONG_PASSPHRASE = "This passphrase does not open the bundle's secrets."  # noqa: S105
PASSPHRASE_NEEDED = "The bundle holds encrypted secrets: give its passphrase."  # noqa: S105


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    derived = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())
    return base64.urlsafe_b64encode(derived)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationFailed({"passphrase": [f"Use at least {MIN_PASSPHRASE} characters."]})


def seal_secrets(secrets: dict[str, dict[str, str]], passphrase: str) -> dict[str, Any]:
    """The ``secrets`` section of a bundle: ``secrets`` by connector name, encrypted."""
    check_passphrase(passphrase)
    salt = os.urandom(16)
    token = Fernet(_key(passphrase, salt, **SCRYPT)).encrypt(json.dumps(secrets).encode())
    return {
        "kdf": "scrypt",
        **SCRYPT,
        "salt": base64.b64encode(salt).decode(),
        "cipher": "fernet",
        "token": token.decode(),
    }


def open_secrets(bundle: dict[str, Any], passphrase: str | None) -> dict[str, dict[str, str]]:
    """The bundle's secrets by connector name ({} when it has none)."""
    sealed = bundle.get("secrets")
    if not sealed:
        return {}
    if passphrase is None:
        raise ValidationFailed({"passphrase": [PASSPHRASE_NEEDED]})
    damaged = ValidationFailed({"bundle.secrets": ["The secrets section is damaged."]})
    if not isinstance(sealed, dict):
        raise damaged
    cost = {name: sealed.get(name) for name in SCRYPT_LIMITS}
    for name, (low, high) in SCRYPT_LIMITS.items():
        if type(cost[name]) is not int or not low <= cost[name] <= high:
            message = f"The scrypt cost {name} must be a whole number from {low} to {high}."
            raise ValidationFailed({f"bundle.secrets.{name}": [message]})
    try:
        salt = base64.b64decode(sealed["salt"], validate=True)
        key = _key(passphrase, salt, **cost)
        opened = json.loads(Fernet(key).decrypt(str(sealed["token"]).encode()))
    except InvalidToken:
        raise ValidationFailed({"passphrase": [WRONG_PASSPHRASE]}) from None
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise damaged from None
    if not isinstance(opened, dict):
        raise damaged
    return opened
