"""check_many: results in job order, and one crashing client cannot sink the batch."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import CheckResult, Stage, StageStatus, not_contacted
from webapp.trackers.batch import CheckJob, check_many
from webapp.trackers.registry import builtin_systems
from webapp.trackers.system import System

SECRET = "crash-SECRET-value"


class CrashingClient:
    def __init__(self, *args: object) -> None:
        raise RuntimeError(f"bug while reading {SECRET}")


class ThreadRecordingClient:
    """Answers every check with "not contacted", noting the thread it ran in."""

    threads: list[threading.Thread] = []

    def __init__(self, system: System, *args: object) -> None:
        self.system = system

    def __enter__(self) -> ThreadRecordingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def check_connection(self) -> CheckResult:
        self.threads.append(threading.current_thread())
        return not_contacted(self.system.id, "recorded", datetime.now(UTC))


def system(system_id: str, client: type | None) -> System:
    github = builtin_systems()[0]
    name = system_id.title()
    return System(system_id, name, name, "", "", github.fields, github.groups, client_class=client)


def test_results_come_back_in_job_order() -> None:
    jobs = [
        CheckJob(system(f"s{i}", None), {}, {}, OutboundSettings(), inaccessible=i % 2 == 0)
        for i in range(10)
    ]

    results = check_many(jobs, max_workers=3)

    assert [r.system_id for r in results] == [f"s{i}" for i in range(10)]


def test_a_crashing_client_fails_its_own_check_and_is_logged(caplog) -> None:
    jobs = [
        CheckJob(system("crashy", CrashingClient), {}, {"t": SECRET}, OutboundSettings()),
        CheckJob(system("fine", None), {}, {}, OutboundSettings(), inaccessible=True),
    ]

    with caplog.at_level(logging.ERROR, logger="webapp.trackers.batch"):
        crashed, fine = check_many(jobs)

    assert crashed.failed_stage is not None and crashed.failed_stage.stage is Stage.REACH
    assert "internal error" in crashed.failed_stage.message
    assert SECRET not in str(crashed.to_dict())
    assert fine.stages[0].status is StageStatus.SKIPPED
    assert "crashy" in caplog.text


def test_no_jobs_no_results() -> None:
    assert check_many([]) == []


def test_a_single_check_runs_in_the_calling_thread() -> None:
    ThreadRecordingClient.threads = []
    job = CheckJob(system("solo", ThreadRecordingClient), {}, {}, OutboundSettings())

    check_many([job])

    assert ThreadRecordingClient.threads == [threading.current_thread()]


def test_a_crash_in_a_check_run_in_the_calling_thread_is_reported_not_raised() -> None:
    job = CheckJob(system("crashy", CrashingClient), {}, {"t": SECRET}, OutboundSettings())

    (crashed,) = check_many([job], max_workers=1)

    assert crashed.failed_stage is not None and "internal error" in crashed.failed_stage.message
