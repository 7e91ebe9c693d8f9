"""Inbound webhooks: how a tracker signs, names and describes the events it pushes.

Each tracker module declares a ``Webhooks`` subclass (``System.webhooks``): how a request
is verified (constant-time, on the raw body), which header carries its delivery id, and
how its JSON becomes an ``InboundEvent`` holding an ``IssueSnapshot``.  It also says what
an administrator pastes where on the tracker (``WebhookSetup``).  Services never branch on
the system: they ask the declaration.  A system without one (Request Tracker) has no push.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.trackers.tickets import IssueSnapshot, tracker_time

#: What a ``WebhookSetup`` field shows: the hook's URL, the secret, or the literal text.
URL, SECRET = "url", "secret"
#: Event kinds that describe an issue (state, labels, …) or add a comment to it.
ISSUE, COMMENT = "issue", "comment"


@dataclass(frozen=True)
class WebhookSetup:
    """What to do on the tracker: where (``place``), which fields get which value
    (``URL``, ``SECRET`` or a literal such as ``application/json``), which events."""

    place: str
    fields: tuple[tuple[str, str], ...]
    events: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class InboundEvent:
    """One event as the tracker described it.

    ``name`` is the tracker's own (``Issue Hook: close``, ``issues.closed``,
    ``jira:issue_updated``); ``kind`` is ``ISSUE``, ``COMMENT`` or ``None`` for an event
    we do not handle (then ``reason`` says why).  ``targets`` name the project or
    repository the issue lives in, in every spelling the event gives (path, id, key),
    so an event from another project is never taken for one of our tickets.
    """

    name: str
    kind: str | None = None
    snapshot: IssueSnapshot | None = None
    targets: tuple[str, ...] = ()
    reason: str = ""


class Webhooks:
    """The base declaration; subclasses set the headers and write ``parse``."""

    #: The header that proves the sender knows the secret.
    signature_header = ""
    #: Headers holding the tracker's delivery id, the first one present wins.
    delivery_headers: tuple[str, ...] = ()
    setup: WebhookSetup = WebhookSetup("", (), ())

    def verify(self, secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether the request was signed with ``secret``; constant-time."""
        raise NotImplementedError

    def delivery_id(self, headers: Mapping[str, str], body: bytes) -> str:
        """The tracker's id of this delivery (a retry repeats it), else a hash of the body."""
        for name in self.delivery_headers:
            value = (headers.get(name) or "").strip()
            if value:
                return value[:200]
        return "sha256:" + hashlib.sha256(body).hexdigest()

    def parse(self, headers: Mapping[str, str], payload: Any) -> InboundEvent:
        raise NotImplementedError


# ---- helpers the tracker modules share -------------------------------------------


def token_matches(secret: str, sent: str | None) -> bool:
    """A shared secret sent as is (GitLab's ``X-Gitlab-Token``)."""
    if not secret or not sent:
        return False
    return hmac.compare_digest(sent.encode(), secret.encode())


def hmac_sha256_matches(secret: str, body: bytes, sent: str | None) -> bool:
    """``sha256=<hex HMAC-SHA256 of the body>`` (GitHub, Jira)."""
    if not secret or not sent:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(sent.strip().lower().encode(), expected.encode())


#: Event payloads' times read as every tracker time is.
parse_time = tracker_time


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (payloads are untrusted)."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) != "" else None


def names(items: Any, *keys: str) -> tuple[str, ...] | None:
    """The first of ``keys`` present in each object of ``items`` (labels, assignees);
    ``None`` when ``items`` is no list: the event does not tell."""
    if not isinstance(items, list):
        return None
    found = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
            continue
        for key in keys:
            value = text(mapping(item).get(key))
            if value:
                found.append(value)
                break
    return tuple(found)


def targets(*values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values if text(value))


__all__ = [
    "COMMENT",
    "ISSUE",
    "SECRET",
    "URL",
    "InboundEvent",
    "WebhookSetup",
    "Webhooks",
    "hmac_sha256_matches",
    "mapping",
    "names",
    "parse_time",
    "targets",
    "text",
    "token_matches",
]
