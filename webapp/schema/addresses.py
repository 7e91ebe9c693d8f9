"""A server address as an admin types it: ``host[:port][/path]``, checked and in parts.

Why in the schema: the HOST field kind validates it, and every tracker request URL is
joined from these parts (webapp.trackers.config), never pasted together as text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

#: Characters that would let a server address choose more than host, port and path:
#: a query or fragment (the API path would become its tail), credentials, or a path
#: a proxy or server reads differently.
_NOT_IN_SERVER = {"?": '"?"', "#": '"#"', "@": '"@"', "\\": "a backslash"}
_SERVER_PARTS = re.compile(
    r"(?P<host>\[[^\]]*\]|[^:/\[\]]+)(?::(?P<port>[0-9]{1,5}))?(?P<path>/.*)?"
)


class ServerAddress(NamedTuple):
    """A tracker's address as entered: host (IPv6 in brackets), optional port, path.

    ``path`` is "" or starts with "/" and has no trailing slash.
    """

    host: str
    port: int | None
    path: str

    @property
    def netloc(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def server_problem(server: str) -> str | None:
    """Why ``server`` is not ``host[:port][/path]``, in words (``None``: it is fine).

    Only the characters that change what a URL means are judged here; whether the
    host is a valid name is the form's business (webapp.schema.coercion).
    """
    for char in server:
        if char in _NOT_IN_SERVER:
            what = _NOT_IN_SERVER[char]
        elif char.isspace():
            what = "spaces"
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            what = "control characters"
        else:
            continue
        return (
            f"The server cannot contain {what}: enter only host[:port][/path], "
            "e.g. jira.example.com:8443/jira."
        )
    return None


@functools.lru_cache(maxsize=256)
def parse_server(server: str) -> ServerAddress:
    """``host[:port][/path]`` in parts; ``ValueError`` (with a message) when it is not one.

    Remembered per string: every request URL of a tracker client is joined from these
    parts, and judging the text character by character was a measurable part of a check.
    """
    problem = server_problem(server)
    if problem:
        raise ValueError(problem)
    parts = _SERVER_PARTS.fullmatch(server)
    if parts is None or not parts.group("host").strip("[]"):
        raise ValueError(f"{server!r} is not a server address (host[:port][/path]).")
    port = int(parts.group("port")) if parts.group("port") else None
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("Port must be between 1 and 65535.")
    return ServerAddress(parts.group("host"), port, (parts.group("path") or "").rstrip("/"))
