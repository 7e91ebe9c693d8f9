"""A local webhook receiver for notification tests: records each POST and answers from a
script (say 500, then 429 with Retry-After, then 200), like a flapping chat service."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    def json(self) -> Any:
        return json.loads(self.body)


class ChatReceiver:
    """``json://127.0.0.1:<port>/<path>`` points Apprise here; answers follow ``script``
    and then 200."""

    def __init__(self, script: Iterable[Answer] = (), delay: float = 0.0) -> None:
        self.script = list(script)
        #: Seconds each answer takes (a slow chat service).
        self.delay = delay
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    answer = receiver.script.pop(0) if receiver.script else Answer()
                    receiver.received.append(
                        Received(self.path, dict(self.headers), body, answer.status)
                    )
                time.sleep(receiver.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def json_url(self, path: str = "hook/s3cr3t-path-token") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    @property
    def delivered(self) -> list[Received]:
        """The posts it answered with success."""
        return [r for r in self.received if 200 <= r.answered < 300]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
