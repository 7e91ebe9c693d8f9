"""Fixtures for tracker-client unit tests: a fake network under ``responses``.

Why fake DNS, TCP and TLS: the reach and TLS stages use sockets directly (so
``responses`` cannot see them) and every request first resolves its host
against the deny-list; these fakes answer without a network, fail on demand
and record what was asked.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from webapp.outbound import network
from webapp.outbound.http import OutboundSettings

PUBLIC_ADDRESS = "203.0.113.10"  # TEST-NET-3: never a real host


class FakeTLSSocket:
    """What ``ssl.SSLSocket`` offers the TLS stage: version and certificate."""

    def __init__(self, not_after: str = "Jan  1 00:00:00 2099 GMT") -> None:
        self.not_after = not_after

    def version(self) -> str:
        return "TLSv1.3"

    def getpeercert(self) -> dict[str, Any]:
        return {"notAfter": self.not_after}

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeTLSSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeNetwork:
    """Stands in for ``network.resolve``, ``open_tcp`` and ``start_tls``."""

    def __init__(self) -> None:
        self.addresses: dict[str, list[str]] = {}
        self.resolve_error: OSError | None = None
        self.connect_error: OSError | None = None
        self.tls_error: Exception | None = None
        self.tls_socket = FakeTLSSocket()
        self.resolved: list[str] = []
        self.connected: list[tuple[str, int, float]] = []
        self.handshakes: list[tuple[str, ssl.SSLContext]] = []

    def resolve(self, host: str, port: int) -> list[network.IPAddress]:
        self.resolved.append(host)
        if self.resolve_error is not None:
            raise network.ResolveError(host) from self.resolve_error
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        return [ipaddress.ip_address(a) for a in self.addresses.get(host, [PUBLIC_ADDRESS])]

    def open_tcp(self, address: network.IPAddress, port: int, timeout: float) -> socket.socket:
        self.connected.append((str(address), port, timeout))
        if self.connect_error is not None:
            raise self.connect_error
        left, right = socket.socketpair()
        right.close()
        return left

    def start_tls(self, sock: socket.socket, host: str, context: ssl.SSLContext) -> Any:
        self.handshakes.append((host, context))
        if self.tls_error is not None:
            raise self.tls_error
        return self.tls_socket


@pytest.fixture
def net(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    fake = FakeNetwork()
    monkeypatch.setattr(network, "resolve", fake.resolve)
    monkeypatch.setattr(network, "open_tcp", fake.open_tcp)
    monkeypatch.setattr(network, "start_tls", fake.start_tls)
    return fake


@pytest.fixture
def api(net: FakeNetwork) -> Iterator[responses.RequestsMock]:
    """HTTP answers by URL; an unregistered request fails like a refused connection."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def settings() -> OutboundSettings:
    return OutboundSettings(connect_timeout=5.0, read_timeout=10.0)
