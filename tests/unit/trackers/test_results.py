"""The shape of a check result: what ok means, and the JSON the API serves."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import (
    STAGES,
    CheckResult,
    Stage,
    StageResult,
    StageStatus,
    not_contacted,
    skipped_because,
)
from webapp.trackers import check_connection
from webapp.trackers.registry import builtin_systems
from webapp.trackers.system import System

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
OK, WARNING, FAILED, SKIPPED = (
    StageStatus.OK,
    StageStatus.WARNING,
    StageStatus.FAILED,
    StageStatus.SKIPPED,
)


def result_with(*statuses: StageStatus) -> CheckResult:
    stages = [
        StageResult(stage, status, stage.value)
        for stage, status in zip(STAGES, statuses, strict=True)
    ]
    return CheckResult("gitlab", stages, NOW, 12)


def test_stages_run_in_the_documented_order() -> None:
    assert [stage.value for stage in STAGES] == [
        "reach",
        "tls",
        "authenticate",
        "target",
        "permission",
    ]


def test_warnings_and_skips_still_count_as_ok() -> None:
    result = result_with(OK, WARNING, OK, SKIPPED, SKIPPED)

    assert result.ok and result.failed_stage is None
    assert result.summary.startswith("Works, with 1 warning(s)")


def test_a_failed_stage_makes_the_check_fail_and_is_named() -> None:
    result = result_with(OK, OK, FAILED, SKIPPED, SKIPPED)

    assert not result.ok
    assert result.failed_stage is result.stage(Stage.AUTHENTICATE)
    assert result.summary == "authenticate"


def test_not_contacted_is_never_ok() -> None:
    result = not_contacted("rt", "Not today.", NOW)

    assert not result.ok and not result.contacted and result.failed_stage is None
    assert result.summary == "Not today."
    assert len(result.stages) == 5


def test_to_dict_is_json_and_round_trips() -> None:
    result = result_with(OK, OK, OK, FAILED, SKIPPED)

    data = json.loads(json.dumps(result.to_dict()))

    assert data["ok"] is False and data["failed_stage"] == "target" and data["system"] == "gitlab"
    assert data["started_at"] == "2025-01-02T03:04:05+00:00"
    assert data["stages"][3] == {
        "stage": "target",
        "status": "failed",
        "message": "target",
        "http_status": None,
        "tracker_message": None,
        "duration_ms": 0,
        "hint": None,
    }
    assert CheckResult.from_dict(data) == result


def test_skipped_message_names_the_failed_stage() -> None:
    message = skipped_because(Stage.TLS, Stage.TARGET).message

    assert message == "Skipped because the TLS stage failed."


def test_system_without_a_client_says_tests_are_not_available() -> None:
    github = builtin_systems()[0]
    plain = System("plain", "Plain", "Plain Tracker", "", "", github.fields, github.groups)

    result = check_connection(plain, {}, {}, OutboundSettings())

    assert not result.contacted
    assert result.stages[0].message == (
        "Connection tests are not available for Plain Tracker connectors."
    )
