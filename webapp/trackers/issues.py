"""Creating issues: the requests, words and retry rules every tracker client shares.

Why apart from ``base.py``: the connection check fails *stages*, but a delivery fails
a *ticket*, and its error must also say whether trying again may help (``retryable``)
and whether the tracker may have created the issue anyway (``ambiguous``).  That last
one decides between "create again" and "look for the marker first", so it is judged
here once: only a request that left this machine and got no answer is ambiguous.
Clients only say which request to send and how to read their tracker's answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import requests

from webapp.outbound.diagnosis import (
    Wording,
    content_kind,
    network_problem,
    status_phrase,
    was_sent,
)
from webapp.outbound.network import Endpoint, OutboundError, ResolveError
from webapp.outbound.scrub import QUOTE_LIMIT, quote, scrub
from webapp.trackers.config import MissingCredentials
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft, LabelOutcome

if TYPE_CHECKING:
    from webapp.outbound.http import OutboundSettings, TrackerHTTP
    from webapp.trackers.config import TrackerConfig

CREATED, EXISTS, FAILED = "created", "exists", "failed"
#: Answers after which the same request may well succeed later.
RETRY_STATUSES = frozenset({408, 425, 429})
#: "The gateway sent the request on and got no answer in time": the tracker may have acted.
GATEWAY_TIMEOUT = 504


def split_list(value: Any) -> list[str]:
    """``"a, b,,c"`` (or a list) as ``["a", "b", "c"]``: how ticket fields list names."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


class IssueRequests:
    """Ticket delivery for a ``TrackerClient``: create, find by marker, ensure a label.

    Subclasses implement ``create_issue``, ``find_issue`` and ``ensure_label`` with
    ``call`` (one request, its answer's JSON or a ``DeliveryFailed``) and
    ``create_label``; ``field_names`` maps the tracker's field names in error
    answers to ticket field names.
    """

    #: The tracker's field names (in error answers) → our ticket field names.
    field_names: ClassVar[Mapping[str, str]] = {}

    if TYPE_CHECKING:  # provided by TrackerClient
        config: TrackerConfig
        settings: OutboundSettings
        http: TrackerHTTP
        name: str

        def api_url(self, path: str, query: Mapping[str, str] | None = None) -> str: ...

        target_noun: str
        extra_headers: ClassVar[Mapping[str, str]]
        auth_header: ClassVar[str]
        auth_scheme: ClassVar[str]
        wording: Wording

        def target_name(self) -> str | None: ...
        def tracker_message(self, response: requests.Response) -> str | None: ...

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

    def rate_limited(self, response: requests.Response) -> bool:
        """Whether an error answer only means "not so fast" (GitHub also uses 403)."""
        return response.status_code == 429

    def field_errors(self, body: Any) -> dict[str, list[str]]:
        """The tracker's complaints per ticket field, from an error answer's JSON."""
        return {}

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
    ) -> Any:
        """Send one request and return its answer's JSON, or raise ``DeliveryFailed``.

        ``creates``: the request makes something, so losing its answer is ambiguous.
        ``action`` names the request in messages ("refused to …"), e.g. "create the issue".
        """
        response = self.send(method, path, json=json, params=params, creates=creates)
        with response:
            if not 200 <= response.status_code < 300:
                raise self.refusal(response, action, not_found, creates=creates)
            try:
                return response.json()
            except ValueError:
                message = (
                    f"{self.name} answered {method} {path} with {response.status_code} "
                    f"{content_kind(response)}, not the tracker's API: check the server "
                    "address; a login page or a proxy may be in the way."
                )
                # A create that succeeded but cannot be read may still have made the issue.
                raise self.failed(
                    message, http_status=response.status_code, retryable=creates, ambiguous=creates
                ) from None

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        creates: bool = False,
    ) -> requests.Response:
        """One request through ``TrackerHTTP`` with the connector's credentials (any status)."""
        try:
            url = self.api_url(path)
        except ValueError as exc:
            raise self.failed(str(exc), retryable=False) from None
        try:
            credentials = self.config.auth_headers(self.auth_header, self.auth_scheme)
        except MissingCredentials as exc:
            raise self.failed(str(exc), retryable=False) from None
        headers = {**self.extra_headers, **credentials}
        try:
            return self.http.request(method, url, headers=headers, params=params, json=json)
        except (requests.RequestException, OutboundError) as exc:
            raise self.unanswered(exc, url, creates) from exc

    def create_label(
        self,
        name: str,
        path: str,
        payload: Mapping[str, Any],
        exists: Callable[[int, Any], bool],
    ) -> LabelOutcome:
        """POST a label; ``exists(status, error_json)`` spots the tracker's "already exists"."""
        action = f"create label {name}"
        try:
            response = self.send("POST", path, json=dict(payload))
        except DeliveryFailed as failure:
            return LabelOutcome(name, FAILED, failure.message)
        with response:
            if 200 <= response.status_code < 300:
                return LabelOutcome(name, CREATED)
            if exists(response.status_code, _json_or_none(response)):
                return LabelOutcome(name, EXISTS)
            return LabelOutcome(name, FAILED, self.refusal(response, action).message)

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
        return DeliveryFailed(self.scrubbed(message), field_errors=field_errors, **kwargs)

    def scrubbed(self, text: str) -> str:
        return scrub(text, self.config.secret_values, user=self.config.user)

    def refusal(
        self,
        response: requests.Response,
        action: str,
        not_found: str | None = None,
        *,
        creates: bool = False,
    ) -> DeliveryFailed:
        """The failure for an HTTP error answer: words, field errors, whether to retry.

        A 504 to a create is ambiguous: the gateway passed the request on and the
        tracker may have made the issue after the gateway stopped waiting.
        """
        status, product = response.status_code, self.name
        reason = status_phrase(status)
        retryable = status in RETRY_STATUSES or status >= 500 or self.rate_limited(response)
        if status == 401:
            wording = self.wording
            message = f"{product} rejected {wording.credential} (401): {wording.advice}"
        elif retryable and status < 500:
            wait = response.headers.get("Retry-After")
            later = f"in {wait} s" if wait and wait.isdigit() else "later"
            message = f"{product} is limiting the rate of requests ({status}): try again {later}."
        elif status == 403:
            message = (
                f"{product} refused to {action} (403): the credentials work but are not "
                "allowed to do this."
            )
        elif status == 404:
            message = not_found or (
                f"{product} answered 404 Not Found when asked to {action}: check the server "
                f"address, including any /path ({self.config.server_url})."
            )
        elif status >= 500:
            message = (
                f"{product} answered {status}{reason} when asked to {action}: "
                "the tracker, or a proxy in front of it, has a problem; try again later."
            )
        elif status in (400, 422):
            message = f"{product} refused to {action} ({status})."
        else:
            message = f"{product} answered {status}{reason} when asked to {action}."
        said = self.tracker_message(response)  # recognised JSON error fields only, capped
        if said and said.strip().lower() != reason.strip().lower():
            message = f"{message} {product} said: {said}"
        return self.failed(
            message,
            http_status=status,
            field_errors=self.field_errors(_json_or_none(response)),
            retryable=retryable,
            ambiguous=creates and status == GATEWAY_TIMEOUT,
        )

    def unanswered(self, exc: BaseException, url: str, creates: bool) -> DeliveryFailed:
        """The failure for a request that got no answer; ambiguous if it was sent."""
        failed_url = getattr(getattr(exc, "request", None), "url", None) or url
        message, hint = network_problem(exc, Endpoint.from_url(failed_url), self.settings)
        if isinstance(exc, OutboundError):
            retryable = isinstance(exc, ResolveError)
            return self.failed(_joined(message, hint), retryable=retryable)
        if creates and was_sent(exc):
            message += (
                f" The request was sent, so {self.name} may have created the issue: "
                "the next attempt looks for it before creating another."
            )
            return self.failed(message, retryable=True, ambiguous=True)
        return self.failed(_joined(message, hint), retryable=True)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _joined(message: str, hint: str | None) -> str:
    return f"{message} {hint}" if hint else message
