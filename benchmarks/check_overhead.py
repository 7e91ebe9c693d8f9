"""What the staged connection check costs on top of its tracker requests.

The same GitLab check (address, TLS, sign-in, project, permission) runs N times against
a fake GitLab on loopback, and the very requests it sent (as the fake recorded them) are
replayed N times with plain `requests`, one session per check as the check uses, in
alternating rounds so that load from elsewhere on the machine falls on both alike. Both
open one connection per check: the check's requests go over the one its reach stage
opened. The ratio is the check's overhead: vetting the address, building the client,
reading the answers and wording the stages. Goal: within 1.2×.
"""

from __future__ import annotations

import os
import statistics
import time

import requests

from benchmarks.harness import bench_app
from tests.factories import make_connector
from tests.support.fake_trackers import fake_gitlab
from webapp.services.connector_sessions import ConnectorSession
from webapp.trackers.batch import check_many

CHECKS = int(os.environ.get("BENCH_CHECKS", "200"))
ROUND = 10


def main() -> None:
    with fake_gitlab() as gitlab, bench_app() as app:
        connector = make_connector(
            "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
        )
        job = ConnectorSession.of(connector).check_job()
        first = check_many([job], max_workers=1)[0]
        assert first.ok, first
        sent = list(gitlab.requests)
        base = f"http://{gitlab.host_port}"

        def run_checks(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                check_many([job], max_workers=1)
            return time.perf_counter() - started

        def replay(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                with requests.Session() as session:
                    session.trust_env = False  # as the app's sessions: no proxy/netrc lookups
                    for request in sent:
                        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
                        session.request(
                            request.method, base + request.path, headers=headers, timeout=(5, 10)
                        ).json()
            return time.perf_counter() - started

        # Alternate short rounds of each, so a busy moment of the machine weighs on both
        # sides alike; the ratio reported is the median of the rounds' ratios.
        rounds = [(run_checks(ROUND), replay(ROUND)) for _ in range(max(1, CHECKS // ROUND))]
        checked = sum(c for c, _ in rounds)
        raw = sum(r for _, r in rounds)
        del app
    ratio = statistics.median(c / r for c, r in rounds)
    print(f"## Test-connection overhead ({CHECKS} GitLab checks, {len(sent)} requests each)\n")
    print("| how | total | per check |")
    print("| --- | --- | --- |")
    print(f"| staged check | {checked:.2f} s | {checked / CHECKS * 1000:.1f} ms |")
    print(f"| same requests, plain requests | {raw:.2f} s | {raw / CHECKS * 1000:.1f} ms |")
    print(
        f"\nRatio check / plain: **{ratio:.2f}×** (goal ≤ 1.2×; median of {len(rounds)} "
        f"alternating rounds of {ROUND}; totals {checked / raw:.2f}×)\n"
    )


if __name__ == "__main__":
    main()
