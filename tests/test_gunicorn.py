"""The production server: gunicorn with gunicorn.conf.py serves the app, and /metrics adds
up what every worker counted (Prometheus multiprocess mode)."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
HEALTHZ_COUNT = "connector_desk_http_request_duration_seconds_count"


def healthz_requests_counted(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == HEALTHZ_COUNT and sample.labels.get("endpoint") == "health.healthz"
    )


def test_gunicorn_serves_with_two_workers_and_metrics_add_up_across_them(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.db",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_FORMAT": "json",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", "gunicorn.conf.py"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=10)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        before = healthz_requests_counted(requests.get(f"{base}/metrics", timeout=5).text)

        def probe(_: int) -> None:
            reply = requests.get(f"{base}/healthz", timeout=10, headers={"Connection": "close"})
            assert reply.status_code == 200 and reply.headers["X-Request-ID"]

        # Concurrent requests, until both sync workers have answered some (each writes its
        # own file of figures); usually the first round does it.
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(10):
                list(pool.map(probe, range(40)))
                sent += 40
                pids = {p.name.split("_")[-1] for p in (tmp_path / "metrics").glob("*.db")}
                if len(pids) >= 2:
                    break
        assert len(pids) >= 2, f"expected files from two workers, got {pids}"
        metrics = requests.get(f"{base}/metrics", timeout=5)
        assert metrics.status_code == 200
        # Whichever worker answered each request, all of them are counted.
        assert healthz_requests_counted(metrics.text) - before == sent
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert '"request_id": "' in output  # the JSON access log names each request


def test_settings_come_from_the_environment_and_zero_is_a_value(monkeypatch):
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")  # gunicorn's "never replace a worker"
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "")  # empty: the default
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["max_requests"] == 0
    assert settings["workers"] == 3
    assert settings["timeout"] == 60
