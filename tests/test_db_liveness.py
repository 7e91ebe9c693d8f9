"""Pooled database connections: an idle one that died is replaced before a request uses
it; a busy one is not pinged (no round trip per request)."""

import pytest
from sqlalchemy.exc import DBAPIError, ProgrammingError

from webapp.extensions import db
from webapp.models import liveness


def pooled_connection_killed_underneath(engine):
    """Check a connection out and back in, then close its driver connection behind the pool."""
    proxy = engine.raw_connection()
    driver_connection = proxy.dbapi_connection
    proxy.close()  # back to the pool, which still thinks it is open
    driver_connection.close()


def test_an_idle_connection_that_died_is_replaced_before_use(app, monkeypatch):
    engine = db.engine
    pooled_connection_killed_underneath(engine)
    monkeypatch.setattr(liveness, "IDLE_PING_SECONDS", 0.0)  # "idle long enough" at once
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_connection_used_moments_ago_is_not_pinged(app, monkeypatch):
    engine = db.engine
    pooled_connection_killed_underneath(engine)
    monkeypatch.setattr(liveness, "IDLE_PING_SECONDS", 3600.0)
    # No ping: the dead connection is handed out and the query itself fails (the pool
    # then drops it); this is the round trip the idle rule saves on busy connections.
    with pytest.raises((DBAPIError, ProgrammingError)), engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
