"""Network-failure helpers: free ports, refused addresses and a server that hangs.

Why: connectors must distinguish "connection refused", "timed out" and "bad
answer"; these helpers produce the first two deterministically on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
from typing import Self


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def refused_address() -> str:
    """Return ``"127.0.0.1:PORT"`` with nothing listening: connecting gets ECONNREFUSED."""
    return f"127.0.0.1:{free_port()}"


class HangingServer:
    """Accepts TCP connections and never answers; everything is closed on stop().

    Why: a client's read timeout is only exercised by a peer that completes
    the TCP handshake (so the connect succeeds) and then stays silent.
    """

    def __init__(self) -> None:
        self._sock: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host_port}"

    def start(self) -> Self:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port = int(self._sock.getsockname()[1])
        self._thread = threading.Thread(target=self._accept_loop, name="HangingServer", daemon=True)
        self._thread.start()
        return self

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        for conn in self._conns:
            conn.close()
        self._conns.clear()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
