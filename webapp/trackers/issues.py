"""Creating issues: the requests, words and retry rules every tracker client shares.

Why apart from the check: the connection check fails *stages*, but a delivery fails
a *ticket*, and its error must also say whether trying again may help (``retryable``)
and whether the tracker may have created the issue anyway (``ambiguous``).  That last
one decides between "create again" and "look for the marker first", so it is judged
here once: only a request that made something, reached the tracker and got no readable
answer is ambiguous.  Requests and their words come from ``TrackerConnection``, as
the check's do; clients only say which request to send and how to read the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from webapp.outbound.diagnosis import RequestFailed, json_or_none
from webapp.outbound.scrub import QUOTE_LIMIT, quote, scrub
from webapp.schema.fields import Field
from webapp.trackers.connection import Reply, TrackerConnection
from webapp.trackers.tickets import (
    CreatedIssue,
    DeliveryFailed,
    IssueDraft,
    IssuePage,
    IssueSnapshot,
    LabelOutcome,
    NotModified,
    RemoteComment,
)

CREATED, EXISTS, FAILED = "created", "exists", "failed"
#: Pages of comments a sync reads at most (100 each).
COMMENT_PAGES = 5


def json_objects(body: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list answer (anything else: none)."""
    return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []


def split_list(value: Any) -> list[str]:
    """``"a, b,,c"`` (or a list) as ``["a", "b", "c"]``: how ticket fields list names."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def issue_number(key: str) -> str:
    """``"#12"`` (or ``"12"``) as ``"12"``: how GitLab, GitHub and RT paths name an issue."""
    number = str(key or "").strip().lstrip("#")
    if not number.isdigit():
        raise DeliveryFailed(f"{key!r} is not an issue number.", retryable=False)
    return number


class IssueRequests(TrackerConnection):
    """Ticket delivery for a ``TrackerClient``: create, find by marker, ensure a label.

    Subclasses implement ``create_issue``, ``find_issue`` and ``ensure_label`` with
    ``call`` (one request, its answer's JSON or a ``DeliveryFailed``) and
    ``create_label``; ``field_names`` maps the tracker's field names in error
    answers to ticket field names.
    """

    #: The tracker's field names (in error answers) → our ticket field names.
    field_names: ClassVar[Mapping[str, str]] = {}

    # ---- what a client implements ----------------------------------------
    def create_issue(self, draft: IssueDraft) -> CreatedIssue:
        """Create one issue from ``draft``; raise ``DeliveryFailed`` if that did not happen."""
        raise DeliveryFailed(f"{self.name} connectors cannot create tickets.", retryable=False)

    def find_issue(self, marker: str, target: str | None) -> CreatedIssue | None:
        """The issue whose body holds ``marker`` (an earlier attempt's), or ``None``."""
        raise DeliveryFailed(f"{self.name} connectors cannot look tickets up.", retryable=False)

    def ensure_label(self, name: str, colour: str, target: str | None) -> LabelOutcome:
        """Create label ``name`` unless it exists; never raises."""
        return LabelOutcome(name, FAILED, f"{self.name} connectors cannot create labels.")

    def field_errors(self, body: Any) -> dict[str, list[str]]:
        """The tracker's complaints per ticket field, from an error answer's JSON."""
        return {}

    # ---- conversations: comments and state of an issue that exists ----------
    def add_comment(
        self, issue_key: str, target: str | None, body: str, *, internal: bool = False
    ) -> RemoteComment:
        """Add ``body`` (it already holds its marker, see ``comment_body``) to the issue."""
        raise DeliveryFailed(f"{self.name} connectors cannot add comments.", retryable=False)

    def find_comment(self, issue_key: str, target: str | None, marker: str) -> RemoteComment | None:
        """The issue's comment whose body holds ``marker`` (an earlier attempt's), or None."""
        raise DeliveryFailed(f"{self.name} connectors cannot look comments up.", retryable=False)

    def set_state(self, issue_key: str, target: str | None, state: str) -> None:
        """Close (``"closed"``) or reopen (``"open"``) the issue; ``DeliveryFailed`` if not."""
        raise DeliveryFailed(f"{self.name} connectors cannot close issues.", retryable=False)

    #: The tracker renders comments as Markdown (GitLab, GitHub, Gitea): the marker can
    #: hide in an HTML comment there, instead of a footer line people see.
    markdown_comments: ClassVar[bool] = False

    def comment_body(self, text: str, marker: str) -> str:
        """``text`` with the marker line that lets a retry find the comment."""
        if self.markdown_comments:
            return f"{text.rstrip()}\n\n<!-- Connector Desk reference {marker} -->"
        return f"{text.rstrip()}\n\n-- \nSent with Connector Desk · reference {marker}"

    def issue_path(self, issue_key: str, target: str | None) -> str:
        """``{target's path}/issues/{number}``: where GitLab, GitHub and forges like them
        keep an issue (Jira and RT name theirs otherwise and do not use this)."""
        return f"{self.target_path(self.issue_target(target))}/issues/{issue_number(issue_key)}"

    # ---- following an issue after creation (sync, triage) ---------------------
    #: Who opens issues that came in by e-mail (GitLab Service Desk: ``support-bot``).
    service_desk_authors: ClassVar[tuple[str, ...]] = ()

    def fetch_issue(
        self, key: str, target: str | None, etag: str | None = None
    ) -> IssueSnapshot | NotModified:
        """What the issue ``key`` is now, with its comments; ``NotModified`` when the
        tracker says nothing changed since ``etag``. ``DeliveryFailed`` when it cannot tell."""
        raise DeliveryFailed(f"{self.name} connectors cannot read issues back.", retryable=False)

    def list_open_issues(self, target: str | None, page: int, per_page: int) -> IssuePage:
        """One page (from 1) of the target's open issues, newest first, without comments."""
        raise DeliveryFailed(f"{self.name} connectors cannot list issues.", retryable=False)

    def add_labels(self, key: str, labels: tuple[str, ...], target: str | None) -> None:
        """Add existing ``labels`` to issue ``key`` (keeping its others)."""
        raise DeliveryFailed(f"{self.name} connectors cannot label issues.", retryable=False)

    @staticmethod
    def comment_marker(body: str) -> str:
        """The marker ``comment_body`` put into ``body`` (every format ends "reference
        MARKER"), or "" if there is none."""
        tail = body.rsplit("reference ", 1)[-1] if "reference " in body else ""
        return tail.split()[0] if tail.split() else ""

    def required_fields(self, values: Mapping[str, Any]) -> tuple[Field, ...]:
        """What the tracker requires of a new issue beyond the system's ticket fields, for a
        ticket with these field ``values`` (its target, issue type, …): e.g. a Jira
        project's required custom fields. Named by the tracker's field ids; their values
        reach ``create_issue`` in ``draft.fields["tracker_fields"]``. ``DeliveryFailed``
        in words when the tracker cannot say (see ``System.required_fields_from``)."""
        return ()

    # ---- helpers ---------------------------------------------------------
    def issue_target(self, target: str | None) -> str:
        """The ticket's repository / project / queue, else the connector's own."""
        name = (target or "").strip() or self.target_name()
        if not name:
            raise DeliveryFailed(
                f"No {self.target_noun} is set for this ticket or its connector.", retryable=False
            )
        return name

    def ticket_field(self, tracker_field: str) -> str:
        return self.field_names.get(tracker_field, tracker_field)

    def call(
        self,
        method: str,
        path: str,
        *,
        action: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        creates: bool = False,
        not_found: str | None = None,
        made: str = "the issue",
    ) -> Any:
        """Send one request and return its answer's JSON, or raise ``DeliveryFailed``.

        ``creates``: the request makes something (``made``, for messages), so losing its
        answer is ambiguous.
        ``action`` names the request in messages ("refused to …"), e.g. "create the issue".
        """
        return self.call_reply(
            method,
            path,
            action=action,
            json=json,
            params=params,
            creates=creates,
            not_found=not_found,
            made=made,
        ).body

    def call_reply(
        self,
        method: str,
        path: str,
        *,
        action: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        creates: bool = False,
        not_found: str | None = None,
        made: str = "the issue",
    ) -> Reply:
        """Like ``call``, with the answer's status and headers (paging, ETag)."""
        try:
            return self.answer(
                method, path, action=action, json=json, params=params, not_found=not_found
            )
        except RequestFailed as failure:
            # Chained to the network error, if any: not to the wrapper with its raw error body.
            raise self.delivery_failed(failure, creates=creates, made=made) from failure.__cause__

    def call_pages(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        action: str,
        per_page: int = 100,
        max_pages: int = COMMENT_PAGES,
    ) -> list[dict[str, Any]]:
        """The objects of a paged JSON list, page after page while ``next_page`` says more
        follow (at most ``max_pages``: enough for an issue's comments)."""
        found: list[dict[str, Any]] = []
        for page in range(1, max_pages + 1):
            reply = self.call_reply(
                "GET", path, params={**params, "per_page": per_page, "page": page}, action=action
            )
            listed = json_objects(reply.body)
            found += listed
            if not self.next_page(reply, len(listed), per_page):
                break
        return found

    def next_page(self, reply: Reply, count: int, per_page: int) -> bool:
        """Whether a page follows this one: a full page may have a successor."""
        return count >= per_page

    def call_unless_modified(
        self,
        path: str,
        etag: str | None,
        *,
        action: str,
        not_found: str | None = None,
    ) -> Reply | None:
        """A conditional GET: ``None`` when the tracker answers 304 to ``If-None-Match``."""
        headers = {"If-None-Match": etag} if etag else None
        try:
            response = self.send("GET", path, headers=headers)
        except RequestFailed as failure:
            raise self.delivery_failed(failure) from failure.__cause__
        with response:
            if response.status_code == 304:
                return None
            if not 200 <= response.status_code < 300:
                failure = self.refused(response, action, not_found=not_found)
                raise self.delivery_failed(failure)
            try:
                body = response.json()
            except ValueError:
                raise self.delivery_failed(self.wording.not_json(response)) from None
            return Reply(response.status_code, response.headers, body)

    def create_label(
        self,
        name: str,
        path: str,
        payload: Mapping[str, Any],
        exists: Callable[[int, Any], bool],
    ) -> LabelOutcome:
        """POST a label; ``exists(status, error_json)`` spots the tracker's "already exists"."""
        try:
            response = self.send("POST", path, json=dict(payload))
            with response:
                if 200 <= response.status_code < 300:
                    return LabelOutcome(name, CREATED)
                if exists(response.status_code, json_or_none(response)):
                    return LabelOutcome(name, EXISTS)
                raise self.refused(response, f"create label {name}")
        except RequestFailed as failure:
            return LabelOutcome(name, FAILED, self.delivery_failed(failure).message)

    # ---- failures in words -----------------------------------------------
    def failed(self, message: str, **kwargs: Any) -> DeliveryFailed:
        """A ``DeliveryFailed`` whose message and field errors hold no secret."""
        secrets, user = self.config.secret_values, self.config.user
        # The tracker's words per field: quoted under the same rule as its messages.
        field_errors = {
            name[:QUOTE_LIMIT]: [
                quote(text, secrets, user=user) or "is not valid" for text in texts
            ]
            for name, texts in (kwargs.pop("field_errors", None) or {}).items()
        }
        message = scrub(message, secrets, user=user)
        return DeliveryFailed(message, field_errors=field_errors, **kwargs)

    def delivery_failed(
        self, failure: RequestFailed, *, creates: bool = False, made: str = "the issue"
    ) -> DeliveryFailed:
        """A request's failure as a ticket's: the same words, plus whether to retry.

        Ambiguous when the request ``creates`` and may have reached the tracker (its
        answer was lost, unreadable, or a gateway's 504): the next attempt looks for
        the issue before creating another, so it must be retried.
        """
        ambiguous = creates and failure.may_have_acted
        message = failure.in_full
        if ambiguous and failure.http_status is None:
            message += (
                f" The request was sent, so {self.name} may have created {made}: "
                "the next attempt looks for it before creating another."
            )
        elif failure.hint:
            message = f"{message} {failure.hint}"
        return self.failed(
            message,
            http_status=failure.http_status,
            field_errors=self.field_errors(failure.body),
            retryable=failure.retryable or ambiguous,
            ambiguous=ambiguous,
        )
