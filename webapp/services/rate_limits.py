"""Brute-force protection: failed logins per account and per address, bad API tokens.

Only failures count, so people who type their password right are never slowed down,
while guessing stops after a few tries. The counters live in Flask-Limiter's storage
(``RATELIMIT_STORAGE_URI``: memory by default, Redis to share them between processes).
Each app gets its own limiter, so in-memory counters belong to one app and vanish with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

EXTENSION_KEY = "connector_desk_limiter"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Blocked:
    """A limit is used up; trying again makes sense after ``retry_after`` seconds."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    @property
    def message(self) -> str:
        unit = "minute" if self.minutes == 1 else "minutes"
        return f"Too many attempts. Try again in {self.minutes} {unit}."


def init_app(app: Flask) -> None:
    """Give ``app`` its own limiter, configured from its RATELIMIT_* settings."""
    app.extensions[EXTENSION_KEY] = Limiter(get_remote_address, app=app)


def _counter(setting: str, scope: str, value: str) -> tuple[RateLimitItem, tuple[str, ...]]:
    config = current_app.config
    return parse(config[setting]), (config.get("RATELIMIT_KEY_PREFIX", ""), scope, value)


def _blocked(*counters: tuple[RateLimitItem, tuple[str, ...]]) -> Blocked | None:
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    if not limiter.enabled:
        return None
    waits = []
    try:
        for item, keys in counters:
            if not limiter.limiter.test(item, *keys):
                reset_at = limiter.limiter.get_window_stats(item, *keys).reset_time
                waits.append(max(1, math.ceil(reset_at - time.time())))
    except Exception:  # the storage (Redis) is down: logged loudly, see _storage_down
        _storage_down()
        return None
    return Blocked(max(waits)) if waits else None


def _hit(*counters: tuple[RateLimitItem, tuple[str, ...]]) -> None:
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    if not limiter.enabled:
        return
    try:
        for item, keys in counters:
            limiter.limiter.hit(item, *keys)
    except Exception:  # the storage (Redis) is down: logged loudly, see _storage_down
        _storage_down()


def _storage_down() -> None:
    """Fail open: while the counter storage is unreachable, people can still log in (a
    locked-out admin team is worse than a few minutes without brute-force limits), and
    every such request logs an error with the cause so the outage is seen."""
    logger.error("Rate-limit storage unreachable; login limits are not enforced", exc_info=True)


def _login_counters(email: str, address: str | None):
    return (
        _counter("LOGIN_RATE_LIMIT_ACCOUNT", "login-account", email),
        _counter("LOGIN_RATE_LIMIT_ADDRESS", "login-address", address or "unknown"),
    )


def login_blocked(email: str, address: str | None) -> Blocked | None:
    """Whether logins to ``email`` (normalised) or from ``address`` are paused."""
    return _blocked(*_login_counters(email, address))


def record_login_failure(email: str, address: str | None) -> None:
    """Count a failed login against the account and the client address."""
    _hit(*_login_counters(email, address))


def _token_counter(address: str | None):
    return _counter("API_TOKEN_RATE_LIMIT_ADDRESS", "api-token", address or "unknown")


def token_failure_limited(address: str | None) -> bool:
    """Whether ``address`` sent too many bad API tokens lately."""
    return token_failure_block(address) is not None


def token_failure_block(address: str | None) -> Blocked | None:
    """Like ``token_failure_limited``, with how long the pause lasts."""
    return _blocked(_token_counter(address))


def record_token_failure(address: str | None) -> None:
    """Count a wrong API token from ``address`` (call it for unknown or revoked keys)."""
    _hit(_token_counter(address))
