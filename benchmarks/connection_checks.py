"""`flask connectors test --all` over 200 connectors with one hung tracker.

Reports the wall time as a ratio of the read timeout: about 1 means the hung tracker
cost one timeout; about 200 would mean the checks ran one after another.
"""

from __future__ import annotations

import os
import time

from benchmarks.harness import bench_app
from tests.factories import make_connector
from tests.fakes import HangingServer
from tests.support.fake_trackers import fake_gitlab

CONNECTORS = int(os.environ.get("BENCH_TEST_ALL_CONNECTORS", "200"))
READ_TIMEOUT = float(os.environ.get("BENCH_READ_TIMEOUT", "10"))


def main() -> None:
    with (
        fake_gitlab() as gitlab,
        HangingServer() as hung,
        bench_app(TRACKER_READ_TIMEOUT=READ_TIMEOUT, TRACKER_CONNECT_TIMEOUT=2.0) as app,
    ):
        for index in range(CONNECTORS - 1):
            make_connector(
                "gitlab",
                name=f"ok {index}",
                issue_tracker_server=gitlab.host_port,
                issue_tracker_method="http",
            )
        make_connector(
            "gitlab", name="hung", issue_tracker_server=hung.host_port, issue_tracker_method="http"
        )
        runner = app.test_cli_runner()
        started = time.perf_counter()
        result = runner.invoke(args=["connectors", "test", "--all"])
        elapsed = time.perf_counter() - started
    failed = sum(1 for line in result.output.splitlines() if " FAILED " in line)
    print(
        f"## flask connectors test --all ({CONNECTORS} connectors, 1 hung, read timeout "
        f"{READ_TIMEOUT:.1f} s, {app.config['CONNECTOR_TEST_WORKERS']} workers)\n"
    )
    print(f"- exit code {result.exit_code}, {failed} failed")
    print(
        f"- wall time {elapsed:.2f} s = {elapsed / READ_TIMEOUT:.2f} × the read timeout "
        f"(run one after another it would be ≥ {READ_TIMEOUT:.0f} s for the hung tracker "
        f"plus {CONNECTORS - 1} checks)\n"
    )
