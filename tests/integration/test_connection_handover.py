"""Handing an open connection to ``TrackerHTTP``: used when it fits, never when it does not.

Why real sockets: what is handed over is a connected socket, and what matters is
which connections the tracker sees (``FakeServer.connections``).  The check's own
use of it (one connection per check) is in ``test_tracker_checks``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.fakes import FakeGitLab
from webapp.outbound import network
from webapp.outbound.http import OutboundSettings, TrackerHTTP

TOKEN = "glpat-GOOD-gl-token"
HEADERS = {"PRIVATE-TOKEN": TOKEN}


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab(TOKEN) as fake:
        yield fake


@pytest.fixture
def gitlab_tls() -> Iterator[FakeGitLab]:
    with FakeGitLab(TOKEN, tls=True) as fake:
        yield fake


def connect(fake: FakeGitLab) -> socket.socket:
    return network.open_tcp(network.resolve("127.0.0.1", fake.port)[0], fake.port, 2.0)


def get_user(http: TrackerHTTP, fake: FakeGitLab) -> int:
    return http.request("GET", f"{fake.url}/api/v4/user", headers=HEADERS).status_code


def test_a_handed_over_connection_carries_the_next_requests(gitlab: FakeGitLab) -> None:
    with TrackerHTTP(OutboundSettings()) as http:
        kept = http.adopt_connection(gitlab.url, connect(gitlab))
        statuses = [get_user(http, gitlab), get_user(http, gitlab)]
        connections = gitlab.connections

    assert kept and statuses == [200, 200]
    assert connections == 1


def test_a_socket_to_another_port_is_closed_not_used(gitlab: FakeGitLab) -> None:
    with FakeGitLab(TOKEN) as other, TrackerHTTP(OutboundSettings()) as http:
        sock = connect(other)
        kept = http.adopt_connection(gitlab.url, sock)
        status = get_user(http, gitlab)

    assert not kept and sock.fileno() == -1
    assert status == 200 and [r.path for r in other.requests] == []


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_handed_over_connection_that_closed_meanwhile_is_replaced(tls: bool) -> None:
    with FakeGitLab(TOKEN, tls=tls) as fake:
        settings = OutboundSettings(ca_bundle=fake.cert_path)
        sock = connect(fake)
        if tls:
            sock = network.start_tls(sock, "127.0.0.1", network.tls_context(True, settings.ca_file))
        with TrackerHTTP(settings) as http:
            http.adopt_connection(fake.url, sock)
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # reads as ended, like a hang-up
            status = get_user(http, fake)
            connections = fake.connections

    assert status == 200
    assert connections == 2


def test_a_plain_socket_is_not_used_for_https(gitlab_tls: FakeGitLab) -> None:
    settings = OutboundSettings(ca_bundle=gitlab_tls.cert_path)
    with TrackerHTTP(settings) as http:
        kept = http.adopt_connection(gitlab_tls.url, connect(gitlab_tls))
        status = get_user(http, gitlab_tls)

    assert not kept and status == 200


def test_a_tls_socket_whose_certificate_was_not_checked_is_not_used_when_checks_are_on(
    gitlab_tls: FakeGitLab,
) -> None:
    settings = OutboundSettings(ca_bundle=gitlab_tls.cert_path)
    unchecked = network.start_tls(
        connect(gitlab_tls), "127.0.0.1", network.tls_context(False, settings.ca_file)
    )
    with TrackerHTTP(settings) as http:
        kept = http.adopt_connection(gitlab_tls.url, unchecked)
        status = get_user(http, gitlab_tls)
        connections = gitlab_tls.connections

    assert not kept and unchecked.fileno() == -1
    assert status == 200 and connections == 2  # the request checked the certificate itself


def test_a_checked_tls_socket_carries_the_https_requests(gitlab_tls: FakeGitLab) -> None:
    settings = OutboundSettings(ca_bundle=gitlab_tls.cert_path)
    checked = network.start_tls(
        connect(gitlab_tls), "127.0.0.1", network.tls_context(True, settings.ca_file)
    )
    with TrackerHTTP(settings) as http:
        kept = http.adopt_connection(gitlab_tls.url, checked)
        statuses = [get_user(http, gitlab_tls), get_user(http, gitlab_tls)]
        connections = gitlab_tls.connections

    assert kept and statuses == [200, 200]
    assert connections == 1
