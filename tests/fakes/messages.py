"""Request/response value types and auth-header parsing shared by every fake.

Why separate: keeps ``server.py`` about transport and dispatch, and gives the
fakes one small vocabulary (``Request``, ``Response``, ``json_response``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON_TYPE = "application/json; charset=utf-8"


class RecordedRequest(NamedTuple):
    """One request as received: raw path (with query), headers, parsed body."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, form dict, or raw bytes (b"" when empty)


class Credentials(NamedTuple):
    scheme: str  # lower-case: "basic", "bearer", "token", "private-token"
    user: str | None
    secret: str


@dataclass
class Request:
    method: str
    path: str  # without query string and without the server prefix, still %-encoded
    query: dict[str, str]
    headers: dict[str, str]  # keys lower-cased
    body: Any
    bad_json: bool = False
    identity: Any = None  # whatever authenticate() returned

    @property
    def fields(self) -> dict[str, Any]:
        """The body as a JSON object; ``{}`` when it is absent, not JSON or not an object."""
        return self.body if isinstance(self.body, dict) else {}

    @property
    def credentials(self) -> Credentials | None:
        if "private-token" in self.headers:
            return Credentials("private-token", None, self.headers["private-token"])
        return parse_authorization(self.headers.get("authorization"))


@dataclass
class Response:
    status: int
    body: Any = None  # dict/list -> JSON, str -> text, bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    created: bool = False  # a resource was created (used by hang_after_create)


def json_response(
    status: int, body: Any, headers: dict[str, str] | None = None, created: bool = False
) -> Response:
    return Response(status, body, {"Content-Type": JSON_TYPE, **(headers or {})}, created)


def text_response(
    status: int, text: str, content_type: str = "text/plain; charset=utf-8"
) -> Response:
    return Response(status, text, {"Content-Type": content_type})


def parse_authorization(value: str | None) -> Credentials | None:
    """Parse ``Basic``/``Bearer``/``token`` Authorization headers (None if absent/invalid)."""
    if not value or " " not in value:
        return None
    scheme, _, rest = value.partition(" ")
    scheme, rest = scheme.lower(), rest.strip()
    if scheme == "basic":
        try:
            user, sep, pw = base64.b64decode(rest, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return Credentials("basic", user, pw) if sep else None
    return Credentials(scheme, None, rest) if scheme in ("bearer", "token") else None
