"""Per-request bookkeeping: a request id for logs and replies, and the latency histogram."""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request

from webapp.observability.metrics import REQUEST_LATENCY

REQUEST_ID_HEADER = "X-Request-ID"
#: A caller's (or proxy's) id is kept only if it is short and plain; else a new one is made.
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
#: Requests that matched no route share one label, so scanners cannot grow the metric.
UNMATCHED = "unmatched"


def current_request_id() -> str | None:
    """This request's id (``None`` outside a request)."""
    return g.get("request_id")


def _start() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _ACCEPTED_ID.match(incoming) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    if started is not None:
        REQUEST_LATENCY.labels(
            request.endpoint or UNMATCHED, request.method, str(response.status_code)
        ).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Must run before the login guard is installed: a redirected request gets an id too."""
    app.before_request(_start)
    app.after_request(_finish)
