"""Shared machinery for the fake trackers: lifecycle, routing, recording, failure hooks.

Why: each fake should only describe its tracker's API.  Everything generic -
lifecycle, TLS setup, request recording, failure injection, auth and JSON
helpers (``messages.py``), sockets/threads (``transport.py``) - lives once.
Subclasses declare routes with ``@route`` and override ``authenticate``,
``unauthorized``, ``error`` and ``extra_headers``.
Route handlers run under ``self.lock``, so fake state needs no extra locking.
"""

from __future__ import annotations

import json
import re
import ssl
import tempfile
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.contracts.checker import Contract, Operation

from .messages import (
    JSON_TYPE,
    Credentials,
    RecordedRequest,
    Request,
    Response,
    json_response,
    parse_authorization,
    text_response,
)
from .net import HangingServer, free_port, refused_address
from .tls import self_signed_cert
from .transport import HTTPTransport

__all__ = [
    "FakeServer",
    "HangingServer",
    "Request",
    "Response",
    "RecordedRequest",
    "route",
    "json_response",
    "text_response",
    "parse_authorization",
    "free_port",
    "refused_address",
    "self_signed_cert",
    "JSON_TYPE",
    "Credentials",
]

GARBAGE = "<html><head><title>Sign in</title></head><body>Proxy login required</body></html>"


Handler = Callable[..., Response]


def route(method: str, pattern: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
    """Declare a handler for ``method`` + full-match path regex (groups -> %-decoded kwargs)."""

    def deco(fn: Handler) -> Handler:
        fn._route = (method, re.compile(pattern), auth)  # type: ignore[attr-defined]
        return fn

    return deco


class FakeServer:
    """Base for fake trackers; see module docstring.  Use as a context manager."""

    NOT_FOUND: Any = {"message": "Not Found"}
    BAD_JSON: Any = {"message": "Problems parsing JSON"}
    SERVER_HEADER = "fake-tracker"
    #: Which tracker's contract (tests/contracts/<name>/) every request and answer must keep.
    contract: str | None = None
    _routes: list[tuple[str, re.Pattern[str], bool, str]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._routes = [
            (*fn._route, name)
            for name, fn in ((n, getattr(cls, n)) for n in dir(cls))
            if hasattr(fn, "_route")
        ]

    def __init__(
        self,
        *,
        tls: bool = False,
        prefix: str = "",
        port: int = 0,
        hang_after_create: bool = False,
        echo_credentials_in_errors: bool = False,
        check_contract: bool = True,
    ) -> None:
        self.tls, self.prefix, self.port = tls, prefix.rstrip("/"), port
        self.hang_after_create = hang_after_create
        self.echo_credentials_in_errors = echo_credentials_in_errors
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of bugs in the fake itself
        # off only for tests that send off-contract requests on purpose (fake self-tests)
        self.check_contract = check_contract and self.contract is not None
        self.contract_violations: list[str] = []
        self.lock = threading.RLock()
        self.cert_path: str | None = None
        self.key_path: str | None = None
        self._faults: list[tuple[int, Any, str | None, str | None, dict[str, str]]] = []
        self._delays: list[float] = []
        self._garbage = 0
        self.stopping = threading.Event()
        self._httpd: HTTPTransport | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # ---- lifecycle -------------------------------------------------------
    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host_port}"

    @property
    def base_url(self) -> str:
        """``url`` plus the configured prefix (e.g. GitHub Enterprise's ``/api/v3``)."""
        return self.url + self.prefix

    @property
    def connections(self) -> int:
        """How many TCP connections this fake has accepted since it started."""
        return self._httpd.accepted if self._httpd is not None else 0

    def start(self) -> Self:
        ctx = None
        if self.tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="fake-tls-")
            self.cert_path, self.key_path = self_signed_cert(self._tmp.name)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.cert_path, self.key_path)
        self.stopping.clear()
        self._httpd = HTTPTransport(self, self.port, ctx)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop, then fail if a request or an answer broke the tracker's contract."""
        self.shutdown()
        self.assert_contract_kept()

    def assert_contract_kept(self) -> None:
        """Raise AssertionError listing every contract violation seen (operation id, JSON path)."""
        if self.contract_violations:
            listed = "\n  ".join(dict.fromkeys(self.contract_violations))
            raise AssertionError(f"{type(self).__name__} contract violations:\n  {listed}")

    def shutdown(self) -> None:
        """Stop accepting, wake hung handlers, cut open connections, join every thread."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            self.stopping.set()  # wake handlers parked by hang_after_create / delay_next
            httpd.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.stop()
        else:  # the test failed already: do not hide why behind the violations
            self.shutdown()

    # ---- behaviour hooks -------------------------------------------------
    def fail_next(
        self,
        status: int,
        body: Any = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests (optionally only those matching
        ``method`` and regex ``path``) with ``status``, ``body`` (default: {"message": ...})
        and extra ``headers`` (e.g. a 429's ``Retry-After``)."""
        with self.lock:
            self._faults += [(status, body, method, path, headers or {})] * times

    def delay_next(self, seconds: float) -> None:
        """Sleep before handling the next request (normally handled afterwards)."""
        with self.lock:
            self._delays.append(seconds)

    def garbage_next(self, times: int = 1) -> None:
        """Answer the next request(s) with 200 and an HTML page, like a captive proxy."""
        with self.lock:
            self._garbage += times

    # ---- overridables ----------------------------------------------------
    def authenticate(self, req: Request) -> Any:
        """Return an identity (truthy), None for 401, or a Response to send instead."""
        return True

    def unauthorized(self, req: Request) -> Response:
        return json_response(401, {"message": "Unauthorized"})

    def extra_headers(self, req: Request, resp: Response) -> dict[str, str]:
        return {}

    def error(self, status: int, body: Any = None) -> Response:
        return json_response(status, body if body is not None else {"message": self.reason(status)})

    def not_found(self) -> Response:
        return self.error(404, self.NOT_FOUND)

    @staticmethod
    def reason(status: int) -> str:
        return BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]

    # ---- dispatch --------------------------------------------------------
    def _take_fault(self, method: str, path: str) -> Response | None:
        for i, (status, body, m, p, headers) in enumerate(self._faults):
            if (m is None or m == method) and (p is None or re.search(p, path)):
                del self._faults[i]
                resp = self.error(status, body)
                resp.headers.update(headers)
                return resp
        return None

    def serve(
        self, method: str, raw_path: str, headers: dict[str, str], raw: bytes
    ) -> Response | None:
        """Record, apply hooks, route.  None means: hold the connection, never answer."""
        parts = urlsplit(raw_path)
        hdrs = {k.lower(): v for k, v in headers.items()}
        body: Any = raw
        bad_json = False
        ctype = hdrs.get("content-type", "")
        if raw and "json" in ctype:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        elif raw and "x-www-form-urlencoded" in ctype:
            body = dict(parse_qsl(raw.decode("utf-8", "replace")))
        path = parts.path[len(self.prefix) :]
        req = Request(method, path, dict(parse_qsl(parts.query)), hdrs, body, bad_json)
        with self.lock:
            self.requests.append(RecordedRequest(method, raw_path, dict(headers), body))
            delay = self._delays.pop(0) if self._delays else 0.0
            op = self._check_request(req, parts.path)
        if delay:
            self.stopping.wait(delay)
        with self.lock:
            fault = self._take_fault(method, parts.path)
            if fault is not None:
                return self._check_response(op, fault)
            if self._garbage:  # a proxy's page, not the tracker's answer: no contract
                self._garbage -= 1
                return text_response(200, GARBAGE, "text/html; charset=utf-8")
            in_prefix = parts.path.startswith(self.prefix)
            resp = self._dispatch(req) if in_prefix else self.not_found()
            if resp.status == 401 and self.echo_credentials_in_errors:
                self._echo_credentials(req, resp)
            resp.headers.update(self.extra_headers(req, resp))
            self._check_response(op, resp)
            return None if resp.created and self.hang_after_create else resp

    # ---- contract --------------------------------------------------------
    def _check_request(self, req: Request, full_path: str) -> Operation | None:
        """Record how ``req`` breaks the contract; the operation it is, if any."""
        if not self.check_contract or self.contract is None:
            return None
        accept = req.headers.get("accept", "")
        if "text/html" in accept or accept.startswith("image/"):
            return None  # a browser following a link into the tracker's web pages, not its API
        if not full_path.startswith(self.prefix):
            problem = f"{req.method} {full_path}: outside the API prefix {self.prefix}"
            self.contract_violations.append(problem)
            return None
        body = None if req.bad_json else req.body
        op, problems = Contract.load(self.contract).check_request(
            req.method, req.path, req.query, req.headers, body
        )
        self.contract_violations += problems
        return op

    def _check_response(self, op: Operation | None, resp: Response) -> Response:
        if op is not None and self.contract is not None:
            contract = Contract.load(self.contract)
            self.contract_violations += contract.check_response(
                op, resp.status, resp.headers, resp.body
            )
        return resp

    def _dispatch(self, req: Request) -> Response:
        for method, pattern, auth, name in self._routes:
            m = pattern.fullmatch(req.path)
            if m is None or method != ("GET" if req.method == "HEAD" else req.method):
                continue
            if req.bad_json:
                return self.error(400, self.BAD_JSON)
            if auth:
                ident = self.authenticate(req)
                if isinstance(ident, Response):
                    return ident
                if not ident:
                    return self.unauthorized(req)
                req.identity = ident
            try:
                args = {k: unquote(v) for k, v in m.groupdict().items()}
                resp: Response = getattr(self, name)(req, **args)
                return resp
            except Exception:  # a bug in the fake: report it loudly, but over HTTP
                self.errors.append(traceback.format_exc())
                return self.error(500, {"message": "fake server error", "trace": self.errors[-1]})
        return self.not_found()

    def _echo_credentials(self, req: Request, resp: Response) -> None:
        """Leak what the client sent into the 401 body (to prove the app scrubs it)."""
        creds = req.credentials
        leaked = {
            "authorization": req.headers.get("authorization"),
            "private_token": req.headers.get("private-token"),
            "decoded_secret": creds.secret if creds else None,
        }
        if isinstance(resp.body, dict):
            resp.body = dict(resp.body, received_credentials=leaked)
            if isinstance(resp.body.get("message"), str):
                resp.body["message"] += f" (received {leaked})"
        else:
            resp.body = f"{resp.body}\nReceived credentials: {leaked}"
