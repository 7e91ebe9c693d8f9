"""Pages under load: Connector Desk against a bare Flask "hello" app, same server, same load.

Both run under gunicorn with ``gunicorn.conf.py`` and the same number of sync workers, and
wrk sends each the same load in turn; what counts is the ratio, which holds on a slower or
busier machine where absolute figures do not. The database is PostgreSQL when one answers at
``BENCH_DATABASE_URL`` (a throw-away database is made there), else SQLite.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.factories import ADMIN_EMAIL, PASSWORD
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BENCH_DATABASE = os.environ.get("BENCH_DATABASE_NAME", "connector_desk_bench")
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
DURATION = os.environ.get("BENCH_DURATION", "10s")


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    errors: int
    latency_p50_ms: float


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk).")
    return path


def load(url: str, headers: dict[str, str] | None = None) -> LoadResult:
    """wrk with the same threads, connections and duration for every target."""
    command = [wrk_path(), "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return LoadResult(
        rate, int(errors.group(1)) if errors else 0, float(p50.group(1)) * scale[p50.group(2)]
    )


def database_url(tmp: str) -> str:
    """A fresh PostgreSQL database for the run, or SQLite when PostgreSQL does not answer."""
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
        engine.dispose()
    except OperationalError:
        return f"sqlite:///{tmp}/bench.db"
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + BENCH_DATABASE


@contextlib.contextmanager
def gunicorn(env: dict[str, str], app: str | None = None) -> Iterator[str]:
    """Serve ``app`` (Connector Desk by default) with gunicorn.conf.py; yield its base URL."""
    port = free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(WORKERS)}
    env["GUNICORN_ACCESS_LOG"] = ""
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"]
    server = subprocess.Popen(
        [*command, *([app] if app else [])],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/", timeout=5)
                break
            except requests.RequestException:
                if server.poll() is not None or time.monotonic() > deadline:
                    message = f"gunicorn did not start for {app or 'Connector Desk'}"
                    raise SystemExit(message) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def session_cookie(base: str) -> str:
    """Log in as the seeded admin through the real login form; the session cookie."""
    browser = requests.Session()
    form = browser.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    reply = browser.post(
        base + "/login",
        data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code == 302, reply.text[:200]
    return f"session={browser.cookies['session']}"


def server_env(tmp: str, database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "INSTANCE_PATH": tmp,
        "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
        "CONNECTOR_SECRETS_KEY": Fernet.generate_key().decode(),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PROMETHEUS_MULTIPROC_DIR": str(Path(tmp) / "metrics"),
    }


def seed(env: dict[str, str], connectors: int) -> None:
    """Migrate the database, then add the admin and ``connectors`` connectors."""
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    script = (
        "from webapp import create_app\n"
        "from benchmarks.seeding import seed_connectors\n"
        "from tests.factories import make_user, ADMIN_EMAIL\n"
        "with create_app().app_context():\n"
        "    make_user(ADMIN_EMAIL)\n"
        f"    seed_connectors({connectors})\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)
    settle(env["DATABASE_URL"])


def settle(database: str) -> None:
    """Vacuum and analyze after the bulk insert, as autovacuum soon does on a live
    database: without it PostgreSQL plans and counts from a table it has never seen."""
    if not database.startswith("postgresql"):
        return
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


#: A signed-in page with the layout and nothing else (a 404): the floor under every page,
#: what loading the session, the user and the base template costs before any content.
FLOOR_PATH = "/bench-no-such-page"
#: A small file served by the app itself: what its request handling costs (session
#: cookie, hooks, security headers, metrics) with no database and no template.
STATIC_PATH = "/static/favicon.svg"


def connector_list(connectors: int) -> tuple[LoadResult, LoadResult, LoadResult, LoadResult, str]:
    """The connector list (first page) at ``connectors`` connectors, the signed-in floor
    (``FLOOR_PATH``), a static file (``STATIC_PATH``) and the hello app."""
    with tempfile.TemporaryDirectory() as tmp:
        database = database_url(tmp)
        env = server_env(tmp, database)
        seed(env, connectors)
        with gunicorn(env, "benchmarks.hello:app") as hello_base:
            hello = load(hello_base + "/")
        with gunicorn(env) as base:
            signed_in = {"Cookie": session_cookie(base)}
            page = load(base + "/connectors/", signed_in)
            floor = load(base + FLOOR_PATH, signed_in)
            static = load(base + STATIC_PATH, signed_in)
    return page, floor, static, hello, database.split(":", 1)[0]


def main(connectors: int = 10_000) -> None:
    page, floor, static, hello, backend = connector_list(connectors)
    print(
        f"## Connector list at {connectors:,} connectors vs a bare Flask app "
        f"({backend}, gunicorn {WORKERS} sync workers, wrk {CONNECTIONS} connections, "
        f"{DURATION})\n"
    )
    print("| target | requests/s | median latency | non-2xx |")
    print("| --- | --- | --- | --- |")
    print(
        f"| hello | {hello.requests_per_second:,.0f} | {hello.latency_p50_ms:.1f} ms | "
        f"{hello.errors} |"
    )
    print(
        f"| /connectors/ | {page.requests_per_second:,.0f} | {page.latency_p50_ms:.1f} ms | "
        f"{page.errors} |"
    )
    print(
        f"| signed-in layout only (404) | {floor.requests_per_second:,.0f} | "
        f"{floor.latency_p50_ms:.1f} ms | {floor.errors} (all 404, as meant) |"
    )
    print(
        f"| {STATIC_PATH} (no database, no template) | {static.requests_per_second:,.0f} | "
        f"{static.latency_p50_ms:.1f} ms | {static.errors} |"
    )
    ratio = {
        name: result.requests_per_second / hello.requests_per_second
        for name, result in (("page", page), ("floor", floor), ("static", static))
    }
    print(
        f"\nRatio list / hello: **{ratio['page']:.3f}×** (goal ≥ 0.25×). Floors: the "
        f"signed-in layout alone (session, user, base template) {ratio['floor']:.3f}×; a "
        f"static file through the same app {ratio['static']:.3f}×\n"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
