"""Production shape on PostgreSQL: two app instances under gunicorn and two delivery workers
share one database and one Redis. 500 tickets sent through the API, spread over both
instances while the tracker goes down and comes back, all reach the tracker exactly once;
and the brute-force limits count across both instances.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.factories import make_connector, make_user
from tests.support.database import is_postgres
from tests.support.fake_trackers import fake_gitlab
from tests.support.live_server import free_port
from webapp import create_app
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services.tokens import create_token

ROOT = Path(__file__).resolve().parents[2]
TICKETS = 500
REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own, emptied before and after
pytestmark = pytest.mark.postgres_only


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis is unavailable: {exc}", pytrace=False)
        pytest.skip(f"Redis unavailable: {exc}")
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def own_database(database_url) -> Iterator[str]:
    """A throw-away PostgreSQL database beside the suite's, migrated like production."""
    if not is_postgres(database_url):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite serves one process")
    name = f"cd_multi_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as handle:  # the child keeps its own copy of the file
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def running(processes: list[subprocess.Popen]) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(base + "/healthz", timeout=5)
            return
        except requests.RequestException:
            assert process.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "instance did not start"
            time.sleep(0.2)


def flap(tracker, stop: threading.Event) -> None:
    """Take the tracker down and up again, refusing connections while down."""
    while not stop.wait(1.5):
        tracker.stop()
        if stop.wait(0.7):
            tracker.start()
            return
        tracker.start()


def test_two_instances_and_two_workers_deliver_every_ticket_once(own_database, redis_db, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": own_database,
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "multi-" + Fernet.generate_key().decode(),
        "CONNECTOR_SECRETS_KEY": Fernet.generate_key().decode(),
        "RATELIMIT_STORAGE_URI": redis_db,
        "API_TOKEN_RATE_LIMIT_ADDRESS": "5 per minute",
        "EMBEDDED_WORKER": "0",
        "DELIVERY_INTERVAL_SECONDS": "0.2",
        "DELIVERY_BACKOFF_SECONDS": "0.5",
        "DELIVERY_BATCH_SIZE": "5",
        "TRACKER_CONNECT_TIMEOUT": "1",
        "TRACKER_READ_TIMEOUT": "3",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "",
    }
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    with fake_gitlab() as tracker:
        seed_app = create_app({"SQLALCHEMY_DATABASE_URI": own_database, **_keys(env)})
        with seed_app.app_context():
            owner = make_user()
            _row, token = create_token(owner, owner, "load test")
            connector_id = make_connector(
                "gitlab", issue_tracker_server=tracker.host_port, issue_tracker_method="http"
            ).id
            db.session.remove()
        ports = [free_port(), free_port()]
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        processes = [
            start(
                [gunicorn, "-c", "gunicorn.conf.py"],
                {
                    **env,
                    "BIND": f"127.0.0.1:{port}",
                    "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{port}"),
                },
                tmp_path / f"web-{port}.log",
            )
            for port in ports
        ]
        processes += [
            start([*flask, "tickets", "deliver", "--loop"], env, tmp_path / f"worker-{n}.log")
            for n in (1, 2)
        ]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        with running(processes):
            for base, process, port in zip(bases, processes, ports, strict=False):
                wait_until_serving(base, process, tmp_path / f"web-{port}.log")

            stop = threading.Event()
            flapper = threading.Thread(target=flap, args=(tracker, stop))
            flapper.start()

            def send(number: int) -> int:
                reply = requests.post(
                    bases[number % 2] + "/api/v2/tickets/",
                    json={"connector": {"id": connector_id}, "title": f"Load ticket {number}"},
                    headers={
                        "Authorization": f"Token {token}",
                        "Idempotency-Key": f"load-{number}",
                    },
                    timeout=30,
                )
                return reply.status_code

            try:
                with ThreadPoolExecutor(max_workers=8) as pool:
                    codes = list(pool.map(send, range(TICKETS)))
            finally:
                stop.set()
                flapper.join(10)
            assert all(code in (201, 202) for code in codes), sorted(set(codes))

            with seed_app.app_context():
                deadline = time.monotonic() + 180
                while True:
                    sent = db.session.scalar(
                        select(func.count()).select_from(Ticket).where(Ticket.status == "sent")
                    )
                    db.session.remove()
                    if sent == TICKETS or time.monotonic() > deadline:
                        break
                    time.sleep(0.5)
                tickets = db.session.scalars(select(Ticket)).all()
                markers = {ticket.marker for ticket in tickets}
                retried = sum(1 for ticket in tickets if ticket.attempts > 1)
                db.session.remove()
                seed_app.extensions["sqlalchemy"].engine.dispose()

            # The brute-force limit is one count across both instances (Redis).
            wrong = {"Authorization": "Token not-a-real-token"}
            statuses = [
                requests.get(
                    bases[n % 2] + "/api/v2/tickets/", headers=wrong, timeout=10
                ).status_code
                for n in range(6)
            ]
            assert statuses == [401] * 5 + [429]
        assert sent == TICKETS, f"{sent} of {TICKETS} delivered"
        assert retried > 0, "the tracker never went down while tickets came in"
        issues = tracker.issues[7]
        found = [marker for issue in issues for marker in markers if marker in issue["description"]]
        assert len(issues) == TICKETS, f"{len(issues)} issues for {TICKETS} tickets"
        assert sorted(found) == sorted(markers)  # each ticket's marker in exactly one issue


def _keys(env: dict[str, str]) -> dict[str, str]:
    return {key: env[key] for key in ("SECRET_KEY", "CONNECTOR_SECRETS_KEY", "INSTANCE_PATH")}
