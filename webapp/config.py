"""Settings read from the environment, with generated keys kept in the instance folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def instance_secret(instance_path: str, filename: str, generate: Any) -> str:
    """Read a key from the instance folder, creating it (mode 0600) on first use.

    There is deliberately no fallback key in code: a missing key is generated, so every
    installation gets its own.
    """
    path = Path(instance_path) / filename
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def settings_from_environment(instance_path: str) -> dict[str, Any]:
    """Build the app's configuration from environment variables (see README)."""
    default_db = "sqlite:///" + str(Path(instance_path) / "connector_desk.db")
    secret_key = os.environ.get("SECRET_KEY") or instance_secret(
        instance_path, "secret_key", lambda: secrets.token_hex(32)
    )
    fernet_keys = os.environ.get("CONNECTOR_SECRETS_KEY") or instance_secret(
        instance_path, "connector_secrets.key", lambda: Fernet.generate_key().decode()
    )
    return {
        "SECRET_KEY": secret_key,
        "CONNECTOR_SECRETS_KEY": fernet_keys,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_db,
        "DEBUG": env_flag("FLASK_DEBUG"),
        "SESSION_COOKIE_SECURE": env_flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SECURE": env_flag("SESSION_COOKIE_SECURE"),
        "TRACKER_CONNECT_TIMEOUT": env_float("TRACKER_CONNECT_TIMEOUT", 5.0),
        "TRACKER_READ_TIMEOUT": env_float("TRACKER_READ_TIMEOUT", 10.0),
        # How long a page or API request waits for a comment to post before the worker
        # takes over (the comment is stored first either way).
        "COMMENT_REQUEST_SECONDS": env_float("COMMENT_REQUEST_SECONDS", 5.0),
        # How long a picker's choices (projects, queues, …) are kept per connector.
        "PICKER_CACHE_SECONDS": env_float("PICKER_CACHE_SECONDS", 60.0),
        "CONNECTOR_TEST_WORKERS": int(os.environ.get("CONNECTOR_TEST_WORKERS") or 8),
        "OUTBOUND_DENY_NETWORKS": os.environ.get("OUTBOUND_DENY_NETWORKS"),
        "OUTBOUND_ALLOW_NETWORKS": os.environ.get("OUTBOUND_ALLOW_NETWORKS"),
        # Brute-force limits ("N per minute" etc.) and where their counters live.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "LOGIN_RATE_LIMIT_ACCOUNT": os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT") or "5 per minute",
        "LOGIN_RATE_LIMIT_ADDRESS": os.environ.get("LOGIN_RATE_LIMIT_ADDRESS") or "20 per minute",
        "API_TOKEN_RATE_LIMIT_ADDRESS": (
            os.environ.get("API_TOKEN_RATE_LIMIT_ADDRESS") or "20 per minute"
        ),
        # Ticket delivery: a claim's lease (renewed while the worker works), tickets
        # claimed at once, seconds between passes, and the worker inside `flask serve`.
        "DELIVERY_LEASE_SECONDS": env_float("DELIVERY_LEASE_SECONDS", 120.0),
        "DELIVERY_BATCH_SIZE": env_int("DELIVERY_BATCH_SIZE", 5),
        "DELIVERY_INTERVAL_SECONDS": env_float("DELIVERY_INTERVAL_SECONDS", 10.0),
        # The first automatic retry waits this long; each further failure doubles it.
        "DELIVERY_BACKOFF_SECONDS": env_float("DELIVERY_BACKOFF_SECONDS", 30.0),
        "EMBEDDED_WORKER": env_flag("EMBEDDED_WORKER", True),
        # A new ticket is tried on the tracker for at most this long while its request
        # waits (0: never; the worker delivers it); past it the answer is "accepted".
        "TICKET_INTAKE_BUDGET_SECONDS": env_float("TICKET_INTAKE_BUDGET_SECONDS", 2.0),
        # Deliveries a process runs for waiting requests at once; more are queued.
        "TICKET_INTAKE_CONCURRENCY": env_int("TICKET_INTAKE_CONCURRENCY", 4),
        # Polling sent tickets' issues (where no webhook pushes): seconds between polls of
        # one ticket (0: never), tickets per connector per minute, tickets per pass, and
        # how long a closed issue is still watched for reopening.
        "SYNC_INTERVAL_SECONDS": env_float("SYNC_INTERVAL_SECONDS", 300.0),
        "SYNC_PER_CONNECTOR_PER_MINUTE": env_int("SYNC_PER_CONNECTOR_PER_MINUTE", 30),
        "SYNC_BATCH_SIZE": env_int("SYNC_BATCH_SIZE", 50),
        "SYNC_CLOSED_DAYS": env_float("SYNC_CLOSED_DAYS", 7.0),
        # How long "Remember me" keeps a browser logged in (checked on the server too).
        "REMEMBER_ME_DAYS": env_int("REMEMBER_ME_DAYS", 14),
        # How many proxies in front of the app set X-Forwarded-For / -Proto (0: none).
        "PROXY_FIX_X_FOR": env_int("PROXY_FIX_X_FOR", 0),
        "PROXY_FIX_X_PROTO": env_int("PROXY_FIX_X_PROTO", 0),
        # Who may read /metrics: these networks, or anyone sending the bearer token.
        "METRICS_ALLOW_NETWORKS": os.environ.get("METRICS_ALLOW_NETWORKS", "127.0.0.0/8,::1/128"),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        # Discord's API (tests point it at a fake), and how long an interaction may take
        # before it is acknowledged and finished in the background (Discord allows 3 s).
        "DISCORD_API_URL": (
            os.environ.get("DISCORD_API_URL") or "https://discord.com/api/v10"
        ).rstrip("/"),
        "DISCORD_RESPONSE_BUDGET_SECONDS": env_float("DISCORD_RESPONSE_BUDGET_SECONDS", 2.0),
        # Inbound webhooks: requests per hook id, days events are kept, and the address
        # trackers reach this dashboard at (for the hook URLs the CLI prints).
        "WEBHOOK_RATE_LIMIT": os.environ.get("WEBHOOK_RATE_LIMIT") or "120 per minute",
        "WEBHOOK_RETENTION_DAYS": env_int("WEBHOOK_RETENTION_DAYS", 30),
        "PUBLIC_BASE_URL": (os.environ.get("PUBLIC_BASE_URL") or "").strip().rstrip("/") or None,
        # "text" (default) or "json": one JSON object per log line, with the request id.
        "LOG_FORMAT": (os.environ.get("LOG_FORMAT") or "text").strip().lower(),
    }


DEFAULTS: dict[str, Any] = {
    # Idle connections are pinged before use (webapp/models/liveness.py), busy ones not.
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "PER_PAGE": 25,
    "RATELIMIT_KEY_PREFIX": "connector-desk",
    #: The largest webhook body accepted (GitLab's, GitHub's and Jira's are far smaller).
    "WEBHOOK_MAX_BODY": 1024 * 1024,
    #: How much of an event's payload is kept (scrubbed) for the events page.
    "WEBHOOK_PAYLOAD_KEPT": 64 * 1024,
}
