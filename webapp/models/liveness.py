"""Database connections are checked before use only when they sat idle for a while.

Why not ``pool_pre_ping``: it costs a round trip on every checkout, that is on every
request, as much as a page's own query. A connection given back less than
``IDLE_PING_SECONDS`` ago was working then; one idle for longer (the server may have
restarted, or a firewall dropped the idle connection) is pinged first, and a dead one
is replaced before the request sees it.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

IDLE_PING_SECONDS = 30.0
_IDLE_SINCE = "connector_desk_idle_since"


def ping_idle_connections() -> None:
    """Install the check on every connection pool (once per process; idempotent)."""
    if not event.contains(Pool, "checkout", _ping_if_idle):
        event.listen(Pool, "checkin", _remember_idle_since)
        event.listen(Pool, "checkout", _ping_if_idle)


def _remember_idle_since(dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # end the transaction the ping opened
    except Exception as exc:  # any driver's "connection is gone"
        # The pool discards this connection and checks out another one.
        raise DisconnectionError("idle database connection is gone") from exc
