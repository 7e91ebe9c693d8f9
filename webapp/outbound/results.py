"""What a connection check reports: one ``StageResult`` per stage, one ``CheckResult``.

Why a module of plain values: the form, the JSON API, the CLI table and the
stored "last test" badge all read these, and none of them should need
``requests`` or a tracker client to do so.  ``to_dict``/``from_dict`` give the
JSON shape that is stored and served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class StageStatus(StrEnum):
    """How one stage went.  Only ``failed`` makes a check fail."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


class Stage(StrEnum):
    """The stages of a check, in the order they run; a failure stops the rest."""

    REACH = "reach"
    TLS = "tls"
    AUTHENTICATE = "authenticate"
    TARGET = "target"
    PERMISSION = "permission"

    @property
    def label(self) -> str:
        """The stage's name as pages and messages spell it."""
        return "TLS" if self is Stage.TLS else self.value


STAGES: tuple[Stage, ...] = tuple(Stage)


@dataclass(frozen=True)
class StageResult:
    """One stage: its status, a message for a person, and what the tracker said.

    ``tracker_message`` is the tracker's own error text (secrets scrubbed,
    shortened); ``hint`` says what to do next when the message alone does not.
    """

    stage: Stage
    status: StageStatus
    message: str
    http_status: int | None = None
    tracker_message: str | None = None
    duration_ms: int = 0
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (enum values as strings)."""
        return {
            "stage": self.stage.value,
            "status": self.status.value,
            "message": self.message,
            "http_status": self.http_status,
            "tracker_message": self.tracker_message,
            "duration_ms": self.duration_ms,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageResult:
        """Rebuild a stored ``to_dict`` result."""
        return cls(
            stage=Stage(data["stage"]),
            status=StageStatus(data["status"]),
            message=data["message"],
            http_status=data.get("http_status"),
            tracker_message=data.get("tracker_message"),
            duration_ms=int(data.get("duration_ms") or 0),
            hint=data.get("hint"),
        )


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one connection check.

    ``contacted`` is False when nothing was sent to the tracker's address: the
    check deliberately did not run (connector marked inaccessible or disabled, no
    client for its system), or stopped before the first connection attempt (an
    invalid server, a name that does not resolve, an address on the deny-list).
    Such a result is never ``ok``, even when none of its stages failed.
    """

    system_id: str
    stages: list[StageResult]
    started_at: datetime
    duration_ms: int
    contacted: bool = True

    @property
    def ok(self) -> bool:
        """True when the tracker was contacted and no stage failed (warnings allowed)."""
        return self.contacted and self.failed_stage is None

    @property
    def failed_stage(self) -> StageResult | None:
        """The stage that stopped the check, if any."""
        return next((s for s in self.stages if s.status is StageStatus.FAILED), None)

    @property
    def warnings(self) -> list[StageResult]:
        """Stages that passed with a caveat (e.g. certificate checks off)."""
        return [s for s in self.stages if s.status is StageStatus.WARNING]

    @property
    def summary(self) -> str:
        """One line for a badge or a CLI table: the failure, or how it went."""
        failed = self.failed_stage
        if failed is not None:
            return failed.message
        if not self.contacted:
            return self.stages[0].message
        if self.warnings:
            return f"Works, with {len(self.warnings)} warning(s): {self.warnings[0].message}"
        return "Works: no stage failed."

    def stage(self, stage: Stage) -> StageResult:
        """The result of ``stage`` (every check lists all five)."""
        return next(s for s in self.stages if s.stage is stage)

    def to_dict(self) -> dict[str, Any]:
        """The JSON payload the API serves beside ``success`` and pages store."""
        failed = self.failed_stage
        return {
            "system": self.system_id,
            "ok": self.ok,
            "contacted": self.contacted,
            "failed_stage": failed.stage.value if failed else None,
            "summary": self.summary,
            "started_at": self.started_at.isoformat(),
            "duration_ms": self.duration_ms,
            "stages": [s.to_dict() for s in self.stages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """Rebuild a stored ``to_dict`` result (derived keys are recomputed)."""
        return cls(
            system_id=data["system"],
            stages=[StageResult.from_dict(s) for s in data["stages"]],
            started_at=datetime.fromisoformat(data["started_at"]),
            duration_ms=int(data.get("duration_ms") or 0),
            contacted=bool(data.get("contacted", True)),
        )


def skipped_because(failed: Stage, stage: Stage) -> StageResult:
    """The result of a stage that did not run because an earlier one failed."""
    return StageResult(
        stage, StageStatus.SKIPPED, f"Skipped because the {failed.label} stage failed."
    )


def not_contacted(system_id: str, reason: str, started_at: datetime) -> CheckResult:
    """A result for a check that deliberately sent nothing: ``reason`` says why."""
    first = StageResult(Stage.REACH, StageStatus.SKIPPED, reason)
    rest = [
        StageResult(stage, StageStatus.SKIPPED, "Not checked: the tracker was not contacted.")
        for stage in STAGES[1:]
    ]
    return CheckResult(system_id, [first, *rest], started_at, 0, contacted=False)
