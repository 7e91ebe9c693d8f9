"""Handing a connection that is already open to the HTTP client, for its next request.

Why: the connection check's reach and TLS stages connect on a plain socket, to word
each failure precisely; without a hand-over the first tracker request would connect
again and, for https, shake hands again.  urllib3 has no public way to take a connected
socket, so ``hand_over`` asks the connection pool ``requests`` would use for the URL
(``HTTPAdapter.get_connection_with_tls_context``, so the TLS settings match) for an
unconnected connection built with the pool's settings, gives it the socket and puts it
back (the pool's ``_get_conn`` and ``_put_conn``); should the socket close, the pool
reconnects that connection with its own settings, as it would anyway.

A TLS 1.3 server sends its session tickets right after the handshake, so a socket that
has not been read from yet looks readable, which urllib3 takes for a dropped connection;
pools given a TLS socket therefore use ``HandedOverHTTPSConnection``, which reads such
records before judging.
"""

from __future__ import annotations

import socket
import ssl

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.util.wait import wait_for_read

from webapp.outbound.network import Endpoint


class HandedOverHTTPSConnection(HTTPSConnection):
    """An HTTPS connection that TLS records still unread on its socket do not make "dropped"."""

    @property
    def is_connected(self) -> bool:
        sock = self.sock
        if not isinstance(sock, ssl.SSLSocket) or not wait_for_read(sock, timeout=0.0):
            return super().is_connected
        return only_tls_records_waiting(sock)


def only_tls_records_waiting(sock: ssl.SSLSocket) -> bool:
    """Read what waits on ``sock`` without blocking; whether it was only TLS records
    (session tickets), not the end of the connection, an error or unasked-for data."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.recv(1)  # b"" at the end of the connection; a byte of data is no better
    except ssl.SSLWantReadError:
        return True
    except OSError:
        return False
    finally:
        sock.settimeout(timeout)
    return False


def hand_over(session: requests.Session, url: str, sock: socket.socket, verify: bool | str) -> bool:
    """Put ``sock`` in ``session``'s pool for ``url`` (and ``verify``, as requests get it).

    ``sock`` must be connected to ``url``'s host and port at an address the network
    policy allows; for https, be a TLS socket whose certificate was checked against
    ``verify`` unless ``verify`` is False.  A socket that visibly does not fit is closed
    and ``False`` returned: the request then connects as it would have.
    """
    endpoint = Endpoint.from_url(url)
    adapter = session.get_adapter(url)
    if not isinstance(adapter, HTTPAdapter) or not _fits(sock, endpoint, verify is not False):
        sock.close()
        return False
    request = requests.PreparedRequest()  # the pool is chosen by method and URL alone
    request.prepare_method("GET")
    request.prepare_url(url, None)
    pool = adapter.get_connection_with_tls_context(request, verify)
    if endpoint.scheme == "https":
        if not issubclass(HandedOverHTTPSConnection, pool.ConnectionCls):
            sock.close()  # someone else chose this pool's connections: leave them be
            return False
        pool.ConnectionCls = HandedOverHTTPSConnection
    conn = pool._get_conn()  # an unconnected connection, or one the pool holds already
    if not conn.is_closed:  # the pool has a live connection: keep that one
        pool._put_conn(conn)
        sock.close()
        return False
    conn.sock = sock
    if endpoint.scheme == "https":  # as connect() would set it; urllib3 warns when False
        conn.is_verified = verify is not False
    pool._put_conn(conn)
    return True


def _fits(sock: socket.socket, endpoint: Endpoint, verified: bool) -> bool:
    """Whether ``sock`` is an open TCP connection to ``endpoint``'s port, TLS (with the
    certificate and host name checked if ``verified``) exactly when ``endpoint`` is https."""
    if not isinstance(sock, socket.socket) or sock.fileno() == -1:
        return False
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
        return False
    try:
        port = sock.getpeername()[1]
    except OSError:  # no longer connected
        return False
    if port != endpoint.port:
        return False
    if not isinstance(sock, ssl.SSLSocket):
        return endpoint.scheme == "http"
    checked = sock.context.verify_mode == ssl.CERT_REQUIRED and sock.context.check_hostname
    return (
        endpoint.scheme == "https"
        and sock.server_hostname == endpoint.host
        and (checked or not verified)
    )
