"""Log format: plain text by default, or one JSON object per line (``LOG_FORMAT=json``).

Either way every record passes the credential redactor (``webapp.log_redaction``) first;
JSON lines also carry the request id that the reply's ``X-Request-ID`` header names, so a
user's report can be matched to its log lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context

from webapp.log_redaction import redact

JSON = "json"
_HANDLER_MARK = "_connector_desk_json"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from webapp.observability.requests import current_request_id

        record.request_id = (current_request_id() if has_request_context() else None) or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            # The redactor has usually filled exc_text already; never emit it unredacted.
            entry["exception"] = record.exc_text or redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def install_json_handler(stream=None) -> logging.Handler:
    """Send every record to ``stream`` (stderr) as JSON; once per process."""
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, _HANDLER_MARK, False):
            return handler
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == JSON:
        install_json_handler()
