"""``TrackerClient``: the staged connection check every tracker client inherits.

Why a base class that does nearly everything: the stages, timeouts, error
mapping and secret scrubbing must behave the same for every tracker, so a
client only declares what differs - its API paths, how its token is sent,
how to read its answers and how it tells whether issues may be created.
Nothing here imports Flask; the web layer, the API and the CLI all call
``check_connection`` (see ``webapp.trackers``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

import requests

from webapp.outbound import probe
from webapp.outbound.diagnosis import Wording, flatten, json_error_body, request_failed
from webapp.outbound.http import OutboundSettings, TrackerHTTP
from webapp.outbound.network import Endpoint, OutboundError
from webapp.outbound.results import (
    STAGES,
    CheckResult,
    Stage,
    StageResult,
    StageStatus,
    skipped_because,
)
from webapp.outbound.scrub import quote, scrub_result
from webapp.schema.addresses import server_problem
from webapp.trackers.config import BASIC, MissingCredentials, TrackerConfig
from webapp.trackers.issues import IssueRequests

if TYPE_CHECKING:  # the declaration (webapp.trackers.system) is only a type here
    from webapp.trackers.system import System


@dataclass(frozen=True)
class Reply:
    """A successful JSON answer: status, headers and the decoded object."""

    status: int
    headers: Mapping[str, str]
    body: dict[str, Any]


class StageFailed(Exception):
    """Raised inside a stage to end it with ``result`` (a failed ``StageResult``)."""

    def __init__(self, result: StageResult) -> None:
        super().__init__(result.message)
        self.result = result


class TrackerClient(IssueRequests):
    """Talks to one connector's tracker; subclasses declare the tracker's specifics.

    Checks connections here; creates and finds issues through ``IssueRequests``.

    ``params`` are the connector's non-secret parameters (missing ones take the
    system's defaults), ``secrets`` its token or password by parameter name.
    """

    #: Name used in messages; defaults to the system's short name.
    product: ClassVar[str] = ""
    #: Path of "who am I" under ``api_url``: the authenticate stage.
    user_path: ClassVar[str] = ""
    #: What the target parameter names: repository, project, queue.
    target_noun: ClassVar[str] = "project"
    #: How the API token mode sends its key: ``{auth_header}: {auth_scheme} KEY``.
    auth_header: ClassVar[str] = "Authorization"
    auth_scheme: ClassVar[str] = "Bearer"
    #: What to check when the tracker rejects the credentials (401), per auth mode.
    key_advice: ClassVar[str] = "check it was copied whole and has not expired or been revoked."
    basic_advice: ClassVar[str] = "check the user name and password."
    extra_headers: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self,
        system: System,
        params: Mapping[str, Any],
        secrets: Mapping[str, str],
        settings: OutboundSettings,
    ) -> None:
        self.system = system
        self.config = TrackerConfig(system, params, secrets)
        self.params = self.config.params
        self.settings = replace(settings, verify_tls=self.config.validate_cert)
        self.http = TrackerHTTP(self.settings)
        self.signed_in: Reply | None = None
        self.target_reply: Reply | None = None
        self._endpoint: Endpoint | None = None
        self._socket: Any = None
        #: Whether anything was sent to the tracker's address (see ``CheckResult``).
        self._contacted = False

    @property
    def name(self) -> str:
        return self.product or self.system.short_name

    @property
    def api_prefix(self) -> str:
        """What API paths start with under the server's own /path ("" unless the tracker says)."""
        return ""

    def api_url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        """The URL of the API ``path`` (percent-encoded), joined from the server's parts.

        ``ValueError`` (with a message) when the server or method is not valid.
        """
        return self.config.url(self.api_prefix + path, query)

    def auth_headers(self) -> dict[str, str]:
        """The credential headers for the connector's auth mode (fails the stage if unset)."""
        try:
            return self.config.auth_headers(self.auth_header, self.auth_scheme)
        except MissingCredentials as exc:
            result = StageResult(Stage.AUTHENTICATE, StageStatus.FAILED, str(exc))
            raise StageFailed(result) from None

    @property
    def wording(self) -> Wording:
        config = self.config
        advice = self.basic_advice if config.auth_mode == BASIC else self.key_advice
        return Wording(self.name, config.server_url, f"the {config.credential_name}", advice)

    # ---- the staged check ------------------------------------------------
    def check_connection(self) -> CheckResult:
        """Run every stage in order; after a failure the rest are skipped."""
        started, begin = datetime.now(UTC), time.monotonic()
        steps = {
            Stage.REACH: self._reach,
            Stage.TLS: self._tls,
            Stage.AUTHENTICATE: self.authenticate,
            Stage.TARGET: self.check_target,
            Stage.PERMISSION: self._permission,
        }
        results: list[StageResult] = []
        failed: Stage | None = None
        for stage in STAGES:
            if failed is not None:
                results.append(skipped_because(failed, stage))
                continue
            stage_begin = time.monotonic()
            try:
                result = steps[stage]()
            except StageFailed as exc:
                result = exc.result
            results.append(self._finish(result, stage, stage_begin))
            if result.status is StageStatus.FAILED:
                failed = stage
        return CheckResult(
            self.system.id, results, started, _ms_since(begin), contacted=self._contacted
        )

    def _finish(self, result: StageResult, stage: Stage, begin: float) -> StageResult:
        """Stamp the stage and its duration, and scrub every text of secrets."""
        stamped = replace(result, stage=stage, duration_ms=_ms_since(begin))
        return scrub_result(stamped, self.config.secret_values, user=self.config.user)

    def _reach(self) -> StageResult:
        server = self.config.server
        try:
            self._endpoint = Endpoint.from_url(self.config.url())
        except ValueError:
            # A server saved before the address rules, or one edited in the database.
            message = f"{server} is not a valid server address." if server else "No server is set."
            problem = server_problem(server)
            message += f" {problem}" if server and problem else ""
            return StageResult(Stage.REACH, StageStatus.FAILED, message)
        result, self._socket, self._contacted = probe.reach(self._endpoint, self.settings)
        return result

    def _tls(self) -> StageResult:
        assert self._endpoint is not None and self._socket is not None
        try:
            return probe.tls(self._endpoint, self._socket, self.settings)
        finally:
            self._socket.close()
            self._socket = None

    def _permission(self) -> StageResult:
        if self.target_reply is None:
            message = f"Not checked: no {self.target_noun} is set."
            return StageResult(Stage.PERMISSION, StageStatus.SKIPPED, message)
        return self.check_permission(self.target_reply)

    # ---- stages 3 to 5: override the parts, or the whole stage -----------
    def authenticate(self) -> StageResult:
        """Ask the tracker who the credentials belong to."""
        self.signed_in = reply = self.get_json(Stage.AUTHENTICATE, self.user_path)
        return self.passed(Stage.AUTHENTICATE, self.signed_in_message(reply.body), reply)

    def signed_in_message(self, body: dict[str, Any]) -> str:
        return f"Signed in as {body.get('name') or body.get('username') or 'an unnamed user'}."

    def target_name(self) -> str | None:
        """The repository, project or queue tickets go to (``None``: ask per ticket)."""
        field = self.system.target_field
        return (self.config.text(field) if field else "") or None

    def target_path(self, name: str) -> str:
        raise NotImplementedError

    def check_target(self) -> StageResult:
        """Look the target up; a connector without one is fine (tickets ask for it)."""
        name = self.target_name()
        if name is None:
            message = f"Not set: tickets will ask for the {self.target_noun}."
            return StageResult(Stage.TARGET, StageStatus.SKIPPED, message)
        who = "this user" if self.config.auth_mode == BASIC else "this token"
        self.target_reply = self.get_json(
            Stage.TARGET,
            self.target_path(name),
            not_found=f"{self.name} has no {self.target_noun} {name}, or {who} cannot see it.",
            forbidden=self.hidden_target_message(name),
        )
        return self.passed(Stage.TARGET, f"Found {self.target_noun} {name}.", self.target_reply)

    def hidden_target_message(self, name: str) -> str | None:
        """The message for a 403 on the target (``None``: the generic one)."""
        return None

    def check_permission(self, target: Reply) -> StageResult:
        """Whether issues may be created in the target; ``target`` is its JSON."""
        raise NotImplementedError

    # ---- helpers for subclasses ------------------------------------------
    def get_json(
        self,
        stage: Stage,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        not_found: str | None = None,
        forbidden: str | None = None,
    ) -> Reply:
        """GET the API ``path`` and return its JSON object, or fail ``stage`` in words."""
        try:
            url = self.api_url(path)
        except ValueError as exc:
            raise StageFailed(StageResult(stage, StageStatus.FAILED, str(exc))) from None
        headers = {**self.extra_headers, **self.auth_headers()}
        try:
            response = self.http.request("GET", url, headers=headers, params=params)
        except (requests.RequestException, OutboundError) as exc:
            raise StageFailed(request_failed(stage, exc, url, self.settings)) from exc
        with response:
            if not 200 <= response.status_code < 300:
                tracker_message = self.tracker_message(response)
                result = self.wording.failed(
                    stage, response, tracker_message, not_found=not_found, forbidden=forbidden
                )
                raise StageFailed(result)
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise StageFailed(self.wording.not_json(stage, response))
            return Reply(response.status_code, response.headers, body)

    def tracker_message(self, response: requests.Response) -> str | None:
        """What may be quoted of an error answer: its recognised JSON error fields only.

        Anything else (a text/plain debug page, an HTML error page, unknown JSON keys)
        is not quoted at all: messages name its status and content type instead.
        The quote is scrubbed and capped (``scrub.quote``).
        """
        body = json_error_body(response)
        text = self.error_text(body) if body is not None else ""
        return quote(text, self.config.secret_values, user=self.config.user) if text else None

    def error_text(self, body: dict[str, Any]) -> str:
        """This tracker's error fields in an error body (RT and GitHub: ``message``)."""
        return flatten(body.get("message"))

    @staticmethod
    def passed(
        stage: Stage, message: str, reply: Reply | None = None, status: StageStatus = StageStatus.OK
    ) -> StageResult:
        """A passing (or ``status``) result, with the HTTP status of ``reply``."""
        return StageResult(stage, status, message, reply.status if reply else None)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ms_since(begin: float) -> int:
    return round((time.monotonic() - begin) * 1000)
