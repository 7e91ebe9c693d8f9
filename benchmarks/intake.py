"""Ticket intake under load: `POST /api/v2/tickets/` while the tracker refuses connections
and while it hangs, against the bare Flask "hello" app under the same gunicorn and wrk.

A request tries the tracker for at most TICKET_INTAKE_BUDGET_SECONDS and never when the
tracker is known to struggle, so both rates should be close to the cost of storing a
ticket. After each run the tickets in the database are counted against the requests wrk
saw answered: nothing may be lost.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.throughput import (
    CONNECTIONS,
    DURATION,
    ROOT,
    WORKERS,
    database_url,
    gunicorn,
    load,
    server_env,
    wrk_path,
)
from tests.fakes import HangingServer, refused_address

SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {key}"
wrk.body = '{{"connector": {{"id": {connector}}}, "title": "Disk full on db-2"}}'
"""


def seed(env: dict[str, str], servers: dict[str, str]) -> tuple[str, dict[str, int]]:
    """Migrate; add the admin, an API key and one GitLab connector per tracker address."""
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    script = (
        "import json\n"
        "from webapp import create_app\n"
        "from webapp.services.tokens import create_token\n"
        "from tests.factories import make_user, make_connector, ADMIN_EMAIL\n"
        "with create_app().app_context():\n"
        "    admin = make_user(ADMIN_EMAIL)\n"
        "    key = create_token(admin, admin, 'bench')[1]\n"
        "    ids = {}\n"
        f"    for name, server in {servers!r}.items():\n"
        "        ids[name] = make_connector('gitlab', name=name, issue_tracker_server=server,\n"
        "                                   issue_tracker_method='http').id\n"
        "    print(json.dumps({'key': key, 'ids': ids}))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    seeded = json.loads(output.strip().splitlines()[-1])
    return seeded["key"], seeded["ids"]


def post_load(url: str, key: str, connector: int, tmp: str) -> tuple[float, int, int]:
    """wrk POSTing new tickets; requests/s, answered requests and non-2xx answers."""
    script = Path(tmp) / f"post-{connector}.lua"
    script.write_text(SCRIPT.format(key=key, connector=connector))
    command = [wrk_path(), "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    answered = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, answered, int(errors.group(1)) if errors else 0


def stored(database: str, connector: int) -> int:
    engine = create_engine(database)
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM tickets WHERE connector_id = :id"), {"id": connector}
        ).scalar_one()
    engine.dispose()
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, HangingServer() as hung:
        database = database_url(tmp)
        env = server_env(tmp, database) | {"TICKET_INTAKE_BUDGET_SECONDS": "2"}
        key, ids = seed(env, {"refusing": refused_address(), "hung": hung.host_port})
        with gunicorn(env, "benchmarks.hello:app") as hello_base:
            hello = load(hello_base + "/")
        rows = []
        with gunicorn(env) as base:
            for name, connector in ids.items():
                rate, answered, errors = post_load(base + "/api/v2/tickets/", key, connector, tmp)
                rows.append((name, rate, answered, errors, stored(database, connector)))
            # The floor under intake: a token-authenticated read of one stored ticket.
            read = load(base + "/api/v2/tickets/1/", headers={"Authorization": f"Token {key}"})
    backend = database.split(":", 1)[0]
    print(
        f"## Ticket intake vs a bare Flask app ({backend}, gunicorn {WORKERS} sync workers, "
        f"wrk {CONNECTIONS} connections, {DURATION}, budget 2 s)\n"
    )
    print("| target | requests/s | ratio to hello | answered | non-2xx | tickets stored |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| hello (GET) | {hello.requests_per_second:,.0f} | 1 | | | |")
    read_ratio = read.requests_per_second / hello.requests_per_second
    print(
        f"| GET /api/v2/tickets/1/ (token, one ticket: the floor) | "
        f"{read.requests_per_second:,.0f} | {read_ratio:.3f}× | | {read.errors} | |"
    )
    for name, rate, answered, errors, count in rows:
        ratio = rate / hello.requests_per_second
        print(
            f"| POST /api/v2/tickets/, tracker {name} | {rate:,.0f} | **{ratio:.3f}×** | "
            f"{answered:,} | {errors} | {count:,} |"
        )
    print(
        "\nGoal ≥ 0.1×. Every answered request stored its ticket when *tickets stored* ≥ "
        "*answered* (wrk does not count requests cut off at the end of the run). The read "
        "row is the floor: checking a token and reading one row, where intake also writes "
        "the ticket and its audit entry and waits for a durable commit.\n"
    )


if __name__ == "__main__":
    main()
