"""Keep credentials out of log output.

The tracker layer already scrubs each connector's own secret values from the messages it
produces; this is the second line for text it never saw, such as a library logging a
request's headers or an exception quoting a URL: anything shaped like a credential
(``Authorization: …``, ``PRIVATE-TOKEN: …``, ``password=…``, ``https://user:pass@…``) is
masked. It works on every log record, whichever logger or handler, by wrapping the log
record factory; ``CredentialRedactor`` can also be attached to handlers as a filter.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the tracker layer uses ``redact`` and imports no Flask
    from flask import Flask

MASK = "********"
_KEY = r"""[\w-]*(?:authorization|private-token|api[_-]?key|password|passwd|pass|token|secret)"""
_PATTERNS = (
    # Header or key/value: "Authorization: Basic abc", "'password': 'x'", "token=abc&…".
    re.compile(
        rf"""(?P<keep>\b{_KEY}['"]?\s*[:=]\s*['"]?(?:(?:basic|bearer|token)\s+)?)"""
        r"""(?P<secret>[^\s'",&;}\]]+)""",
        re.IGNORECASE,
    ),
    # Credentials in a URL: scheme://user:secret@host.
    re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)(?P<secret>[^@\s/]+)(?=@)", re.I),
)
_FACTORY_MARK = "_connector_desk_redacts"


def redact(text: str) -> str:
    """``text`` with every credential-shaped value replaced by ``********``."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group("keep") + MASK, text)
    return text


class CredentialRedactor(logging.Filter):
    """Rewrites a record's message (and traceback text) with credentials masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it when it is emitted
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install() -> None:
    """Redact every log record from now on (idempotent: one wrapper per process)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _FACTORY_MARK, False):
        return
    redactor = CredentialRedactor()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        redactor.filter(record)
        return record

    setattr(redacting_factory, _FACTORY_MARK, True)
    logging.setLogRecordFactory(redacting_factory)


def init_app(app: Flask) -> None:
    install()
