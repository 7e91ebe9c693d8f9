"""Fixtures for integration tests: a real Request Tracker when the machine has one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.rt_server import RTServer, RTUnavailable, start_rt_server


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RTServer]:
    """A real rt-server with its own SQLite DB, shared by the session.

    Skips with RT's own reason where RT is not installed (scripts/install-rt.sh installs
    it), but fails when REQUIRE_RT=1, as in CI, so a broken RT never passes silently.
    """
    try:
        server = start_rt_server(tmp_path_factory.mktemp("rt"))
    except RTUnavailable as exc:
        if os.environ.get("REQUIRE_RT") == "1":
            pytest.fail(f"REQUIRE_RT=1 but RT is unavailable: {exc}", pytrace=False)
        pytest.skip(f"real Request Tracker unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()
