"""Where a change comes from: a page, the API, the CLI, an import, Discord, a webhook…

History, audit and notifications say *how* a change was made, not only who made it.
Services read ``current_via()``; callers that know better wrap their work in
``changes_via("import")``. Without a wrapper, a request to the API blueprint counts as
"api", any other request as "page", and work outside a request as "cli".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request

VIA_LABELS = {
    "page": "on a page",
    "api": "through the API",
    "cli": "with the command line",
    "import": "by an import",
    "restore": "by restoring a version",
    "discord": "from Discord",
    "webhook": "through a tracker event",
    "sync": "found by a status sync",
    "worker": "by the worker",
}

_via: ContextVar[str | None] = ContextVar("change_via", default=None)


@contextmanager
def changes_via(via: str) -> Iterator[None]:
    """Mark every change made inside the block as coming from ``via`` (a VIA_LABELS key)."""
    if via not in VIA_LABELS:
        raise ValueError(f"Unknown change source {via!r}.")
    token = _via.set(via)
    try:
        yield
    finally:
        _via.reset(token)


def current_via() -> str:
    """The innermost ``changes_via``, else what the current request or process is."""
    explicit = _via.get()
    if explicit is not None:
        return explicit
    if has_request_context():
        return "api" if request.blueprint == "api" else "page"
    return "cli"
