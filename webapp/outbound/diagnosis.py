"""Words for what went wrong: network failures and HTTP answers as ``StageResult``s.

Why one module: every tracker fails in the same few ways (no DNS, refused,
silent, bad certificate, 401, 404, 5xx, an HTML login page instead of JSON),
and an administrator should read the same sentence for the same problem
whichever tracker it is.  Clients only supply their product name, the advice
for their credentials and how to find the tracker's own message in a body.
Secrets are removed later, by the client, from everything built here.
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

from webapp.outbound.network import Endpoint, OutboundError
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


def request_failed(
    stage: Stage, exc: BaseException, url: str, settings: OutboundSettings
) -> StageResult:
    """The result for a request that got no HTTP answer (``url``: where it was sent)."""
    failed_url = getattr(getattr(exc, "request", None), "url", None) or url
    message, hint = network_problem(exc, Endpoint.from_url(failed_url), settings)
    return StageResult(stage, StageStatus.FAILED, message, hint=hint)


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

    def failed(
        self,
        stage: Stage,
        response: requests.Response,
        tracker_message: str | None,
        *,
        not_found: str | None = None,
        forbidden: str | None = None,
    ) -> StageResult:
        """The result for an HTTP error status (anything but 2xx)."""
        status, reason = response.status_code, status_phrase(response.status_code)
        request = f"GET {request_path(response)}"
        hint = None
        if status == 401:
            message = f"{self.product} rejected {self.credential} (401): {self.advice}"
        elif status == 403:
            message = forbidden or (
                f"{self.product} refused {request} (403): the credentials work "
                "but are not allowed to do this."
            )
        elif status == 404:
            message = not_found or (
                f"{self.product} answered 404 Not Found to {request}: check the server "
                f"address, including any /path ({self.server_url})."
            )
        elif status == 429:
            message = f"{self.product} is limiting the rate of requests (429): try again later."
            retry = response.headers.get("Retry-After")
            hint = f"{self.product} asks to wait {retry} s." if retry else None
        elif status >= 500:
            message = (
                f"{self.product} answered {status}{reason} to {request}: the tracker, or a "
                "proxy in front of it, has a problem; try again later."
            )
        else:
            message = f"{self.product} answered {status}{reason} to {request}."
        return StageResult(stage, StageStatus.FAILED, message, status, tracker_message, hint=hint)

    def not_json(self, stage: Stage, response: requests.Response) -> StageResult:
        """The result for a success status whose body is not a JSON object.

        Names the status and content type only: the body is not the tracker's API
        and may be anything (a login page, a debug dump), so none of it is quoted.
        """
        message = (
            f"{self.product} answered GET {request_path(response)} with "
            f"{response.status_code} {content_kind(response)}, not the tracker's API: "
            "check the server address; a login page or a proxy may be in the way."
        )
        return StageResult(stage, StageStatus.FAILED, message, response.status_code)


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


def flatten(value: Any) -> str:
    """Join the strings in a JSON error value (strings, lists, field -> message maps)."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {flatten(item)}" for key, item in value.items() if item)
    if isinstance(value, list):
        return "; ".join(flatten(item) for item in value if item)
    return "" if value is None else str(value)
