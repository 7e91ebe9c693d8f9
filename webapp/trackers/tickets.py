"""Creating issues on trackers: the data that crosses between the ticket service and clients.

The ticket service (webapp.services.tickets) builds an ``IssueDraft``; a client turns it
into its tracker's request and returns a ``CreatedIssue`` or raises ``DeliveryFailed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from webapp.outbound.links import web_link


@dataclass(frozen=True)
class IssueDraft:
    """One issue to create. ``body`` already ends with the ``marker`` line."""

    title: str
    body: str
    marker: str
    labels: tuple[str, ...] = ()
    #: Repository / project / project key / queue; None: the connector's own.
    target: str | None = None
    #: The system's ticket fields (issue type, assignees, custom fields, …).
    fields: Mapping[str, Any] = field(default_factory=dict)
    category: str | None = None


@dataclass(frozen=True)
class CreatedIssue:
    """Where the tracker put the issue: ``key`` as people write it (#12, OPS-12, 12).

    ``url`` is "" unless the tracker gave an http(s) link (see ``links.web_link``).
    """

    key: str
    url: str
    external_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", web_link(self.url) or "")


class DeliveryFailed(Exception):
    """The tracker did not create the issue, or we cannot tell whether it did.

    ``message`` is for a person and already scrubbed of secrets; ``field_errors``
    maps ticket field names (title, description, labels, issue_type, …) to the
    tracker's complaints; ``retryable`` says whether trying again later may help
    (timeouts, 5xx, 429) as opposed to fixing the ticket or connector (400, 401, 404);
    ``ambiguous`` means the request may have been processed (e.g. a timeout after it
    was sent), so the next attempt must look for the marker before creating.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        field_errors: Mapping[str, list[str]] | None = None,
        retryable: bool = True,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.field_errors = dict(field_errors or {})
        self.retryable = retryable
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class LabelOutcome:
    """What "ensure this label exists" did: created, exists, or failed (with why)."""

    name: str
    status: str
    message: str = ""


# ---- the life of an issue after it is created (events, sync, comments) ------------

OPEN, CLOSED = "open", "closed"
TRACKER_STATES = (OPEN, CLOSED)


@dataclass(frozen=True)
class RemoteComment:
    """A comment on a tracker issue, as the tracker tells it (an event, or a sync).

    ``external_id`` is the tracker's own id of the comment (GitLab note id, GitHub
    comment id, Jira comment id, RT transaction id): a comment seen twice is stored once.
    """

    external_id: str
    author: str
    body: str
    created_at: datetime | None = None
    #: Only people on the tracker's side see it (GitLab internal note, RT comment).
    internal: bool = False


def tracker_time(value: Any) -> datetime | None:
    """A tracker's time in UTC, or None: ISO 8601 as trackers write it (``…Z``,
    ``…+00:00``, Jira's ``…+0000``, GitLab webhooks' ``2026-01-02 03:04:05 UTC``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    elif text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # Jira's +0000
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(frozen=True)
class IssueSnapshot:
    """What a tracker says an issue is now. ``None`` means "this source does not tell".

    ``key`` is written as ``CreatedIssue.key`` (#12, OPS-12, 12), so it finds the ticket.
    ``changed_by``/``changed_at`` say who moved it to ``state`` and when, where known.
    """

    key: str
    state: str | None = None
    title: str | None = None
    #: Who opened the issue (GitLab Service Desk issues: ``support-bot``).
    author: str | None = None
    labels: tuple[str, ...] | None = None
    assignees: tuple[str, ...] | None = None
    updated_at: datetime | None = None
    changed_by: str | None = None
    changed_at: datetime | None = None
    comments: tuple[RemoteComment, ...] = ()
    #: The tracker's validator for a conditional request next time (GitHub's ETag).
    etag: str | None = None

    def __post_init__(self) -> None:
        if self.state is not None and self.state not in TRACKER_STATES:
            raise ValueError(f"Unknown tracker state {self.state!r}.")


@dataclass(frozen=True)
class NotModified:
    """The tracker answered a conditional request with 304: nothing changed since ``etag``."""

    key: str
    etag: str | None = None


@dataclass(frozen=True)
class IssuePage:
    """One page of a tracker's open issues (``IssueSnapshot`` without comments)."""

    issues: tuple[IssueSnapshot, ...]
    #: Whether another page follows (the tracker said so, or this one was full).
    more: bool
