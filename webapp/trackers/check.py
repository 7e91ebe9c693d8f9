"""``ConnectionCheck``: the staged connection check every tracker client inherits.

Why the check does nearly everything: the stages, timeouts, error mapping and
secret scrubbing must behave the same for every tracker, so a client only declares
what differs - its API paths, how to read its answers and how it tells whether
issues may be created.  Requests and their words come from ``TrackerConnection``;
nothing here imports Flask (the web layer, the API and the CLI all call
``check_connection``, see ``webapp.trackers``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from webapp.outbound import probe
from webapp.outbound.diagnosis import RequestFailed
from webapp.outbound.network import Endpoint
from webapp.outbound.results import (
    STAGES,
    CheckResult,
    Stage,
    StageResult,
    StageStatus,
    skipped_because,
)
from webapp.outbound.scrub import Scrubber
from webapp.schema.addresses import server_problem
from webapp.trackers.connection import Reply, TrackerConnection


class StageFailed(Exception):
    """Raised inside a stage to end it with ``result`` (a failed ``StageResult``)."""

    def __init__(self, result: StageResult) -> None:
        super().__init__(result.message)
        self.result = result


class ConnectionCheck(TrackerConnection):
    """Reach → TLS → authenticate → target → permission; subclasses fill in stages 3-5."""

    #: Path of "who am I" under ``api_url``: the authenticate stage.
    user_path: ClassVar[str] = ""
    #: What the authenticate stage and the target stage got (for later stages).
    signed_in: Reply | None = None
    target_reply: Reply | None = None
    _endpoint: Endpoint | None = None
    _socket: Any = None
    #: Whether anything was sent to the tracker's address (see ``CheckResult``).
    _contacted: bool = False
    _scrubber: Scrubber | None = None

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
        if self._scrubber is None:
            self._scrubber = Scrubber(self.config.secret_values, user=self.config.user)
        return self._scrubber.result(result, stage=stage, duration_ms=_ms_since(begin))

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
        """Judge TLS; the connection it leaves open carries the requests of the later stages."""
        assert self._endpoint is not None and self._socket is not None
        reached, self._socket = self._socket, None
        result, connected = probe.tls(self._endpoint, reached, self.settings)
        if connected is not None:
            self.http.adopt_connection(self.config.url(), connected)
        return result

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

    def check_target(self) -> StageResult:
        """Look the target up; a connector without one is fine (tickets ask for it)."""
        name = self.target_name()
        if name is None:
            message = f"Not set: tickets will ask for the {self.target_noun}."
            return StageResult(Stage.TARGET, StageStatus.SKIPPED, message)
        self.target_reply = self.get_json(
            Stage.TARGET,
            self.target_path(name),
            not_found=self.no_target(name),
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
            return self.answer(
                "GET",
                path,
                params=params,
                not_found=not_found,
                forbidden=forbidden,
                object_only=True,
            )
        except RequestFailed as failure:
            raise StageFailed(failure.stage_result(stage)) from failure.__cause__

    @staticmethod
    def passed(
        stage: Stage, message: str, reply: Reply | None = None, status: StageStatus = StageStatus.OK
    ) -> StageResult:
        """A passing (or ``status``) result, with the HTTP status of ``reply``."""
        return StageResult(stage, status, message, reply.status if reply else None)


def _ms_since(begin: float) -> int:
    return round((time.monotonic() - begin) * 1000)
