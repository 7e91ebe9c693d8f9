"""What operators watch: Prometheus metrics, request ids and structured logs.

Nothing here knows about trackers or pages; services record into the metric objects of
``metrics``, and ``init_app`` wires the request hooks, the ``/metrics`` endpoint and the
log format.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.observability import logs, requests

    logs.init_app(app)
    requests.init_app(app)
