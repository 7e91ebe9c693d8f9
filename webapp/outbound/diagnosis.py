"""Words for what went wrong: network failures and HTTP answers as ``RequestFailed``s.

Why one module: every tracker fails in the same few ways (no DNS, refused,
silent, bad certificate, 401, 404, 5xx, an HTML login page instead of JSON),
and an administrator should read the same sentence for the same problem
whichever tracker it is.  Clients only supply their product name, the advice
for their credentials and how to find the tracker's own message in a body.
A connection check shows a ``RequestFailed`` as a failed stage, a delivery as a
failed ticket: the same words either way.  Secrets are removed later, by the
client, from everything built here.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import requests
from urllib3.exceptions import ProtocolError

from webapp.outbound.network import Endpoint, OutboundError, ResolveError
from webapp.outbound.results import Stage, StageResult, StageStatus

if TYPE_CHECKING:
    from webapp.outbound.http import OutboundSettings

CERTIFICATE_HINT = (
    "If your organisation's own certificate authority signed it, add that CA to the bundle "
    "named by REQUESTS_CA_BUNDLE on the Connector Desk server; if you trust this server as "
    'it is, turn off "Verify TLS certificate" for this connector.'
)
#: A media type as a message may name it: ``type/subtype``, nothing else.
_MEDIA_PART = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}"
_MEDIA_TYPE = re.compile(f"{_MEDIA_PART}/{_MEDIA_PART}")


def seconds(value: float) -> str:
    """``5 s``, ``0.5 s``: timeouts as the settings spell them."""
    return f"{value:g} s"


def connect_timed_out(endpoint: Endpoint, timeout: float) -> str:
    return f"Could not connect to {endpoint.host_port} within {seconds(timeout)}."


def no_answer(endpoint: Endpoint, timeout: float) -> str:
    return f"No answer from {endpoint.host_port} within {seconds(timeout)}."


def bad_certificate(host: str, reason: str) -> str:
    return f"The certificate of {host} is not valid: {reason.rstrip('.')}."


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception behind a ``requests``/``urllib3`` wrapper chain."""
    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        reason = getattr(current, "reason", None)
        inner = reason if isinstance(reason, BaseException) else None
        inner = inner or next((a for a in current.args if isinstance(a, BaseException)), None)
        inner = inner or current.__cause__ or current.__context__
        if inner is None:
            break
        current = inner
    return current


def network_problem(
    exc: BaseException, endpoint: Endpoint, settings: OutboundSettings
) -> tuple[str, str | None]:
    """Message and hint for a request that got no usable answer at all."""
    if isinstance(exc, OutboundError):
        return str(exc), exc.hint
    if isinstance(exc, requests.ConnectTimeout):
        return connect_timed_out(endpoint, settings.connect_timeout), None
    if isinstance(exc, requests.ReadTimeout):
        hint = "The tracker accepted the connection but did not answer: it may be overloaded."
        return no_answer(endpoint, settings.read_timeout), hint
    cause = root_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return bad_certificate(endpoint.host, cause.verify_message or str(cause)), CERTIFICATE_HINT
    if isinstance(cause, ssl.SSLError):
        reason = cause.reason or str(cause)
        return (
            f"The TLS handshake with {endpoint.host_port} failed ({reason}).",
            f"Check that the server speaks HTTPS on port {endpoint.port}.",
        )
    if isinstance(cause, socket.gaierror):
        return f"Could not resolve {endpoint.host}.", None
    if isinstance(cause, ConnectionRefusedError):
        hint = "Nothing listens there: check the port and that the tracker is running."
        return f"Connection to {endpoint.host_port} was refused.", hint
    if isinstance(cause, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return f"{endpoint.host_port} closed the connection without answering.", None
    if isinstance(cause, TimeoutError):
        return no_answer(endpoint, settings.read_timeout), None
    if isinstance(cause, OSError) and cause.strerror:
        return f"Could not connect to {endpoint.host_port}: {cause.strerror}.", None
    return f"The request to {endpoint.host_port} failed: {cause}", None


def was_sent(exc: BaseException) -> bool:
    """Whether the request left this machine before the failure (the answer was lost).

    A read timeout, or a connection cut while waiting for the answer, comes after
    sending; a refused connection, a connect timeout, DNS or TLS trouble come before.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ReadTimeout | requests.exceptions.ChunkedEncodingError):
        return True
    return any(isinstance(inner, ProtocolError) for inner in _chain(exc))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception wrapped inside it (args, reason, cause, context)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [*current.args, getattr(current, "reason", None)]
        inner += [current.__cause__, current.__context__]
        todo += [item for item in inner if isinstance(item, BaseException)]


#: Answers after which the same request may well succeed later (besides 5xx).
RETRY_STATUSES = frozenset({408, 425, 429})
#: "The gateway sent the request on and got no answer in time": the tracker may have acted.
GATEWAY_TIMEOUT = 504


class RequestFailed(Exception):
    """A request to a tracker that got no usable answer, in words: the one failure a
    connection check (a failed stage) and a delivery (``DeliveryFailed``) both read.

    ``message`` is for a person (secrets are scrubbed by whoever shows it); ``hint``
    says what to do; ``tracker_message`` is what may be quoted of the tracker's
    answer (recognised JSON error fields, already scrubbed and capped) and
    ``in_full`` the message with that quote, for places with no field of their own
    for it. ``retryable``: trying again later may help. ``may_have_acted``: the
    request reached the tracker and its answer was lost or unreadable, so it may have
    done what was asked. ``body``: the error answer's JSON (to find field errors in).
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        http_status: int | None = None,
        tracker_message: str | None = None,
        in_full: str | None = None,
        retryable: bool = False,
        may_have_acted: bool = False,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.http_status = http_status
        self.tracker_message = tracker_message
        self.in_full = in_full or message
        self.retryable = retryable
        self.may_have_acted = may_have_acted
        self.body = body

    def stage_result(self, stage: Stage) -> StageResult:
        """This failure as the failed result of ``stage``."""
        return StageResult(
            stage,
            StageStatus.FAILED,
            self.message,
            self.http_status,
            self.tracker_message,
            hint=self.hint,
        )


def unanswered(exc: BaseException, url: str, settings: OutboundSettings) -> RequestFailed:
    """The failure for a request that got no HTTP answer (``url``: where it was sent).

    Refused by the deny-list or the name did not resolve: nothing left this machine
    (only a name that did not resolve may resolve later). Otherwise it is worth another
    try, and the tracker may have acted if the request was sent (``was_sent``).
    """
    failed_url = getattr(getattr(exc, "request", None), "url", None) or url
    message, hint = network_problem(exc, Endpoint.from_url(failed_url), settings)
    if isinstance(exc, OutboundError):
        return RequestFailed(message, hint=hint, retryable=isinstance(exc, ResolveError))
    return RequestFailed(message, hint=hint, retryable=True, may_have_acted=was_sent(exc))


@dataclass(frozen=True)
class Wording:
    """What a client contributes to messages about its tracker's HTTP answers.

    ``credential`` names what was sent ("the token"); ``advice`` says what to
    check when it is rejected; ``server_url`` is the configured address.
    """

    product: str
    server_url: str
    credential: str
    advice: str

    def refused(
        self,
        response: requests.Response,
        tracker_message: str | None,
        *,
        action: str | None = None,
        rate_limited: bool = False,
        not_found: str | None = None,
        forbidden: str | None = None,
    ) -> RequestFailed:
        """The failure for an HTTP error status (anything but 2xx): the one table of
        what each status means, for connection checks and deliveries alike.

        ``action`` names what was asked ("create the issue"); without it messages
        name the request (``GET /path``). ``rate_limited``: the tracker's way of
        saying "not so fast" besides 429 (GitHub also uses 403). ``not_found`` and
        ``forbidden`` replace the generic 404 and 403 sentences.
        """
        status, product = response.status_code, self.product
        reason = status_phrase(status)
        refused_what, asked = _asked(response, action)
        limited = (status == 429 or rate_limited) and status < 500
        retryable = limited or status in RETRY_STATUSES or status >= 500
        if status == 401:
            message = f"{product} rejected {self.credential} (401): {self.advice}"
        elif limited:
            wait = response.headers.get("Retry-After")
            later = f"in {wait} s" if wait and wait.isdigit() else "later"
            message = f"{product} is limiting the rate of requests ({status}): try again {later}."
        elif status == 403:
            message = forbidden or (
                f"{product} refused {refused_what} (403): the credentials work "
                "but are not allowed to do this."
            )
        elif status == 404:
            message = not_found or (
                f"{product} answered 404 Not Found {asked}: check the server "
                f"address, including any /path ({self.server_url})."
            )
        elif status >= 500:
            message = (
                f"{product} answered {status}{reason} {asked}: the tracker, or a "
                "proxy in front of it, has a problem; try again later."
            )
        elif retryable:
            message = f"{product} answered {status}{reason} {asked}: try again later."
        elif status in (400, 422):
            message = f"{product} refused {refused_what} ({status})."
        else:
            message = f"{product} answered {status}{reason} {asked}."
        in_full = message
        if tracker_message and tracker_message.strip().lower() != reason.strip().lower():
            in_full = f"{message} {product} said: {tracker_message}"
        return RequestFailed(
            message,
            http_status=status,
            tracker_message=tracker_message,
            in_full=in_full,
            retryable=retryable,
            may_have_acted=status == GATEWAY_TIMEOUT,
            body=json_or_none(response),
        )

    def not_json(self, response: requests.Response) -> RequestFailed:
        """The failure for a success status whose body is not the JSON expected.

        Names the status and content type only: the body is not the tracker's API
        and may be anything (a login page, a debug dump), so none of it is quoted.
        The tracker did answer with success, so it may have done what was asked.
        """
        message = (
            f"{self.product} answered {_request(response)} with "
            f"{response.status_code} {content_kind(response)}, not the tracker's API: "
            "check the server address; a login page or a proxy may be in the way."
        )
        return RequestFailed(message, http_status=response.status_code, may_have_acted=True)


def _request(response: requests.Response) -> str:
    """``GET /path``: the request that got ``response``, as messages name it."""
    method = response.request.method if response.request is not None else None
    return f"{method or 'GET'} {request_path(response)}"


def _asked(response: requests.Response, action: str | None) -> tuple[str, str]:
    """What was asked, for "refused …" and for "answered 404 …"."""
    if action:
        return f"to {action}", f"when asked to {action}"
    request = _request(response)
    return request, f"to {request}"


def request_path(response: requests.Response) -> str:
    """The path of the request that got ``response`` (no query: it may hold ids)."""
    url = response.request.url if response.request is not None else response.url
    path = requests.compat.urlparse(url or "").path
    return path or "/"


def status_phrase(status: int) -> str:
    """`` Not Found``: the standard phrase of ``status`` with a leading space, or "".

    Never the answer's own reason phrase, which the server chooses freely.
    """
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def media_type(response: requests.Response) -> str | None:
    """The answer's ``type/subtype`` (lower case), if it names a well-formed one."""
    value = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else None


def content_kind(response: requests.Response) -> str:
    """ "an empty body" or the content type, for messages (never the body itself)."""
    if not response.content:
        return "an empty body"
    return media_type(response) or "an unlabelled body"


def json_error_body(response: requests.Response) -> dict[str, Any] | None:
    """An error answer's JSON object, if the tracker sent JSON (labelled as such)."""
    kind = media_type(response) or ""
    if not (kind == "application/json" or kind.endswith("+json")):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def json_or_none(response: requests.Response) -> Any:
    """The answer's JSON whatever its content type (only to look for field names in)."""
    try:
        return response.json()
    except ValueError:
        return None


def flatten(value: Any) -> str:
    """Join the strings in a JSON error value (strings, lists, field -> message maps)."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {flatten(item)}" for key, item in value.items() if item)
    if isinstance(value, list):
        return "; ".join(flatten(item) for item in value if item)
    return "" if value is None else str(value)
