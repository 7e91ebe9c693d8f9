"""A connector's parameters as a tracker client reads them: address, auth and secrets.

Why apart from the client: how a server address becomes a URL, which auth
mode applies and how credentials become headers is the same for every
tracker, and the client's stage logic reads better without it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from webapp.schema.addresses import ServerAddress, parse_server

if TYPE_CHECKING:  # the declaration (webapp.trackers.system) is only a type here
    from webapp.trackers.system import System

# Parameter names every system shares (see webapp.trackers.common).
SERVER = "issue_tracker_server"
METHOD = "issue_tracker_method"
VALIDATE_CERT = "issue_tracker_validate_cert"
AUTH_MODE = "issue_tracker_auth_mode"
API_KEY = "issue_tracker_api_token"
USER = "issue_tracker_user"
PASSWORD = "issue_tracker_pass"  # noqa: S105 - a parameter name
BASIC = "basic"
_FALSE_WORDS = {"false", "off", "0", "no"}
SCHEMES = ("https", "http")


class MissingCredentials(ValueError):
    """The connector lacks a credential, or has one that cannot be sent; ``str`` says which."""


class TrackerConfig:
    """``params`` (missing ones take the system's defaults) and ``secrets`` of one connector."""

    def __init__(
        self, system: System, params: Mapping[str, Any], secrets: Mapping[str, str]
    ) -> None:
        self.system = system
        given = {name: value for name, value in params.items() if value not in (None, "")}
        self.params: dict[str, Any] = {**system.defaults(), **given}
        self.secrets = {name: value for name, value in secrets.items() if value}

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        return f"TrackerConfig({self.system.id!r}, params={self.params!r})"

    def text(self, name: str) -> str:
        """Parameter ``name`` as stripped text ('' when unset)."""
        return str(self.params.get(name) or "").strip()

    @property
    def server(self) -> str:
        """The server as entered: host, optional :port and /path (a pasted scheme is dropped)."""
        return self.text(SERVER).rstrip("/").split("://", 1)[-1]

    @property
    def scheme(self) -> str:
        method = self.text(METHOD).lower() or "https"
        if method not in SCHEMES:
            raise ValueError(f"The method must be HTTPS or HTTP, not {method!r}.")
        return method

    @property
    def address(self) -> ServerAddress:
        """The server in parts; ``ValueError`` (with a message) if it is not a valid one."""
        return parse_server(self.server)

    @property
    def server_url(self) -> str:
        """``method://server``, without a trailing slash (as entered, for messages)."""
        return f"{self.text(METHOD) or 'https'}://{self.server}"

    def url(self, path: str = "", query: Mapping[str, str] | None = None) -> str:
        """The URL of ``path`` (already percent-encoded) under the server's own /path.

        Built from parsed parts, never by pasting strings: neither the server nor
        ``path`` can add a query, a fragment or credentials. ``ValueError`` when the
        server or method is not valid.
        """
        if path and (not path.startswith("/") or urlsplit(path).path != path):
            raise ValueError(f"{path!r} is not an encoded absolute path.")
        address = self.address
        return urlunsplit(
            (self.scheme, address.netloc, address.path + path, urlencode(query or {}), "")
        )

    @property
    def validate_cert(self) -> bool:
        """Certificate checks stay on unless the connector clearly turns them off."""
        value = self.params.get(VALIDATE_CERT, True)
        return value if isinstance(value, bool) else str(value).strip().lower() not in _FALSE_WORDS

    @property
    def auth_mode(self) -> str:
        return self.text(AUTH_MODE) or "api_token"

    @property
    def user(self) -> str | None:
        return self.text(USER) or None

    @property
    def secret_values(self) -> list[str]:
        return list(self.secrets.values())

    @property
    def credential_name(self) -> str:
        """What the credentials are called in messages: "access token", "user name and password"."""
        if self.auth_mode == BASIC:
            return "user name and password"
        system = self.system
        label = system.field(API_KEY).label if system.has_field(API_KEY) else "API token"
        return label if label[:2].isupper() else label[:1].lower() + label[1:]

    def auth_headers(self, header: str, scheme: str) -> dict[str, str]:
        """Basic auth, or ``{header: "{scheme} KEY"}`` for the API token mode."""
        if self.auth_mode == BASIC:
            password = self.secrets.get(PASSWORD)
            if not self.user or not password:
                raise MissingCredentials(
                    "No user name and password are set: enter them in the connector's form."
                )
            pair = base64.b64encode(f"{self.user}:{password}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}"}
        key = self.secrets.get(API_KEY)
        if not key:
            raise MissingCredentials(
                f"No {self.credential_name} is set: enter it in the connector's form."
            )
        if not (key.isascii() and key.isprintable()) or " " in key:
            raise MissingCredentials(
                f"The {self.credential_name} contains spaces or characters that cannot be sent "
                "in an HTTP header: paste it again."
            )
        return {header: f"{scheme} {key}".strip()}
