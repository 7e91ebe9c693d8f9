"""Socket-level plumbing: threaded HTTP/1.1 server, per-thread TLS handshake, quiet handler.

Why: real trackers speak keep-alive HTTP/1.1 over TLS; tests need the same,
plus the ability to stop instantly even with hung or kept-alive connections
(every connection is tracked and cut on stop, then handler threads are joined).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from .messages import Response


class FakeServerLike(Protocol):
    """What the transport needs from a fake (see ``server.FakeServer``)."""

    SERVER_HEADER: str
    stopping: threading.Event

    def serve(
        self, method: str, raw_path: str, headers: dict[str, str], raw: bytes
    ) -> Response | None: ...


class HTTPTransport(ThreadingHTTPServer):
    """ThreadingHTTPServer bound to 127.0.0.1 that forwards every request to ``fake.serve``."""

    daemon_threads = False  # so server_close() joins handler threads: no leaks
    block_on_close = True

    def __init__(self, fake: FakeServerLike, port: int, ctx: ssl.SSLContext | None) -> None:
        self.fake, self.ctx = fake, ctx
        self.conns: set[socket.socket] = set()
        self.accepted = 0  # TCP connections accepted so far (TLS or not, answered or not)
        super().__init__(("127.0.0.1", port), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        self.accepted += 1
        if self.ctx is not None:  # handshake later, in the handler thread
            sock = self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def process_request(self, request: Any, client_address: Any) -> None:
        self.conns.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(10)
            try:
                request.do_handshake()
            except OSError:  # client rejected our self-signed cert, or spoke plain HTTP
                return
        super().finish_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.conns.discard(request)
        super().shutdown_request(request)

    def close(self) -> None:
        """Stop serving, cut every open connection (unblocks readers), join handler threads."""
        self.shutdown()
        for conn in list(self.conns):
            with contextlib.suppress(OSError):
                socket.socket.shutdown(conn, socket.SHUT_RDWR)  # bypass the SSL layer
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: resets/broken pipes are expected when clients time out."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: HTTPTransport

    def log_message(self, format: str, *args: Any) -> None:
        """No stderr noise."""

    def version_string(self) -> str:
        return self.server.fake.SERVER_HEADER

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        resp = self.server.fake.serve(self.command, self.path, dict(self.headers.items()), raw)
        if resp is None:  # hang: hold the connection open until the fake stops
            self.server.fake.stopping.wait()
            self.close_connection = True
            return
        body = resp.body
        data = (
            json.dumps(body).encode()
            if isinstance(body, (dict, list))
            else body.encode()
            if isinstance(body, str)
            else body or b""
        )
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle
