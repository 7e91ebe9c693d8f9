"""Brute-force protection: failed logins per account and per address, bad API tokens.

Only failures count, so people who type their password right are never slowed down,
while guessing stops after a few tries. The counters live in Flask-Limiter's storage
(``RATELIMIT_STORAGE_URI``: memory by default, Redis to share them between processes).
Each app gets its own limiter, so in-memory counters belong to one app and vanish with it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

EXTENSION_KEY = "connector_desk_limiter"
HEALTH_KEY = "connector_desk_limiter_health"
#: While the storage is down, one warning per this many seconds, not one per request.
WARNING_INTERVAL = 60.0
#: How stale the storage's known state may get before /healthz or a page asks it again.
PROBE_INTERVAL = 15.0
OUTAGE_NOTICE = (
    "Rate limiting is off: its storage (RATELIMIT_STORAGE_URI) cannot be reached, so failed "
    "logins and wrong API tokens are not limited. Check Redis."
)
logger = logging.getLogger(__name__)


@dataclass
class _StorageHealth:
    """What this app knows about its counter storage (times from time.monotonic)."""

    down_since: float | None = None
    warned_at: float = -math.inf
    checked_at: float = -math.inf
    lock: threading.Lock = field(default_factory=threading.Lock)


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
    app.extensions[HEALTH_KEY] = _StorageHealth()


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
    except Exception as error:  # the storage (Redis) is down: see _storage_down
        _storage_down(error)
        return None
    _storage_up()
    return Blocked(max(waits)) if waits else None


def _hit(*counters: tuple[RateLimitItem, tuple[str, ...]]) -> None:
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    if limiter.enabled:
        _count(limiter, counters)


def _count(limiter: Limiter, counters) -> bool:
    """Count one hit on each counter; False if any is over its limit. Fails open: True
    while the storage (Redis) is down, see _storage_down."""
    try:
        allowed = [limiter.limiter.hit(item, *keys) for item, keys in counters]
    except Exception as error:
        _storage_down(error)
        return True
    _storage_up()
    return all(allowed)


def _health() -> _StorageHealth:
    return current_app.extensions[HEALTH_KEY]


def _storage_down(error: Exception | str) -> None:
    """Fail open: while the counter storage is unreachable, people can still log in (a
    locked-out admin team is worse than a few minutes without brute-force limits).

    The outage is logged as one warning a minute with its cause (a traceback per request
    would drown the log), and shown on /healthz and to administrators.
    """
    health, now = _health(), time.monotonic()
    with health.lock:
        if health.down_since is None:
            health.down_since = now
        health.checked_at = now
        if now - health.warned_at < WARNING_INTERVAL:
            return
        health.warned_at = now
    cause = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    logger.warning(
        "Rate-limit storage unreachable (%s); login and API token limits are not enforced",
        cause,
    )


def _storage_up() -> None:
    health = _health()
    with health.lock:
        health.checked_at = time.monotonic()
        was_down, health.down_since, health.warned_at = health.down_since, None, -math.inf
    if was_down is not None:
        logger.warning("Rate-limit storage reachable again; limits are enforced")


def storage_available() -> bool:
    """Whether the counters' storage answers, asking it when the last word is older than
    PROBE_INTERVAL (so pages and health checks do not ping Redis on every request)."""
    limiter: Limiter = current_app.extensions[EXTENSION_KEY]
    if not limiter.enabled:
        return True
    health = _health()
    if time.monotonic() - health.checked_at >= PROBE_INTERVAL:
        if limiter.storage.check():
            _storage_up()
        else:
            _storage_down("no answer to a ping")
    return health.down_since is None


def outage_notice() -> str | None:
    """What administrators are told while rate limiting is off, or None."""
    return None if storage_available() else OUTAGE_NOTICE


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


def _webhook_counter(hook_id: str):
    return _counter("WEBHOOK_RATE_LIMIT", "webhook", hook_id[:64])


def webhook_blocked(hook_id: str) -> Blocked | None:
    """Whether requests to the webhook ``hook_id`` are paused (WEBHOOK_RATE_LIMIT); every
    request counts, signed or not, so a flood stops before it costs a signature check."""
    counter = _webhook_counter(hook_id)
    blocked = _blocked(counter)
    if blocked is None:
        _hit(counter)
    return blocked


def take_sync_slot(connector_id: int) -> bool:
    """Count one ticket polled through connector ``connector_id``; False when the
    connector used up SYNC_PER_CONNECTOR_PER_MINUTE (shared by every process in Redis).

    Like the login limits it fails open: while the storage is down, each process still
    polls at most SYNC_BATCH_SIZE tickets per pass (``ticket_sync``).
    """
    per_minute = int(current_app.config.get("SYNC_PER_CONNECTOR_PER_MINUTE") or 0)
    if per_minute <= 0:
        return True
    item = parse(f"{per_minute} per minute")
    keys = (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "sync", str(connector_id))
    return _count(current_app.extensions[EXTENSION_KEY], [(item, keys)])
