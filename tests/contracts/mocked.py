"""Check the requests a ``responses`` mock received against the trackers' contracts.

Why: unit tests fake HTTP with ``responses`` instead of the contract-checking fake
servers, so a test could mock a request no real tracker would ever receive and the
client code it passes would still be wrong.  Each recorded request is given to its
tracker's contract; requests to anything that is not a tracker API (chat webhooks,
proxies, RT, the generic outbound tests' hosts) are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from requests import PreparedRequest

from tests.contracts.checker import Contract

#: Where each tracker's API starts in a URL path; what comes before it is the
#: installation's own prefix (``https://host/jira/rest/api/2/...``).
API_ROOTS = {"/api/v4/": "gitlab", "/rest/api/": "jira", "/api/v1/": "gitea", "/api/v3/": "github"}
#: GitHub's contract paths start after its root: ``/api/v3`` on Enterprise, none on github.com.
GITHUB_HOST = "api.github.com"


def tracker_path(url: str) -> tuple[str, str] | None:
    """(tracker, contract path) of a request to ``url``; None when it is no tracker API."""
    parts = urlsplit(url)
    path = parts.path
    if (parts.hostname or "").lower() == GITHUB_HOST:
        return "github", path
    found = [(path.find(root), root) for root in API_ROOTS if root in path]
    if not found:
        return None
    at, root = min(found)  # the first root in the path is the API's
    tracker = API_ROOTS[root]
    if tracker == "github":
        return tracker, path[at + len(root) - 1 :]
    return tracker, path[at:]


def request_problems(request: PreparedRequest) -> list[str]:
    """How a request a tracker client sent breaks its tracker's contract."""
    where = tracker_path(request.url or "")
    if where is None:
        return []
    tracker, path = where
    headers = {k.lower(): v for k, v in request.headers.items()}
    query = dict(parse_qsl(urlsplit(request.url or "").query, keep_blank_values=True))
    body = _decoded(request.body, headers.get("content-type", ""))
    method = request.method or "GET"
    _, problems = Contract.load(tracker).check_request(method, path, query, headers, body)
    return [f"{tracker}: {method} {request.url}: {p}" for p in problems]


def off_contract(requests: Iterable[PreparedRequest]) -> list[str]:
    """Every problem of every request, in the order they were sent."""
    return [p for request in requests for p in request_problems(request)]


def _decoded(body: bytes | str | None, content_type: str) -> Any:
    if body in (None, b"", ""):
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(text))
    return body
