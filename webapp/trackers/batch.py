"""Check many connectors at once, so one hung tracker costs one timeout, not the sum.

Why threads: a check spends nearly all its time waiting on sockets, and its
timeouts bound each wait; running checks side by side bounds the whole run by
roughly the slowest single check (times the number of rounds when there are
more jobs than workers).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import CheckResult, Stage, StageResult, StageStatus, skipped_because
from webapp.trackers import check_connection

if TYPE_CHECKING:
    from webapp.trackers.system import System

logger = logging.getLogger(__name__)
DEFAULT_WORKERS = 8


@dataclass(frozen=True)
class CheckJob:
    """What ``check_connection`` needs for one connector."""

    system: System
    params: Mapping[str, Any]
    secrets: Mapping[str, str] = field(repr=False)
    settings: OutboundSettings
    inaccessible: bool = False


def check_many(jobs: Sequence[CheckJob], max_workers: int = DEFAULT_WORKERS) -> list[CheckResult]:
    """Results in the order of ``jobs``, at most ``max_workers`` checks at a time.

    One job, or one worker, runs in the calling thread: a pool would only add the
    cost of starting a thread to a check that cannot overlap with another.
    """
    workers = max(1, min(max_workers, len(jobs)))
    if workers == 1:
        return [_run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_run, jobs))


def _run(job: CheckJob) -> CheckResult:
    """One check; a bug in a client fails that check alone, and is logged in full."""
    started = datetime.now(UTC)
    try:
        return check_connection(
            job.system, job.params, job.secrets, job.settings, inaccessible=job.inaccessible
        )
    except Exception:  # a plugin's client may raise anything; logged, reported, not hidden
        logger.exception("Connection check for a %s connector crashed", job.system.id)
        message = "The check itself failed with an internal error; see the server log."
        first = StageResult(Stage.REACH, StageStatus.FAILED, message)
        rest = [skipped_because(Stage.REACH, stage) for stage in list(Stage)[1:]]
        return CheckResult(job.system.id, [first, *rest], started, 0)
