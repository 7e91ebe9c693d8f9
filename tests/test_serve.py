"""`flask serve` (what `make run` starts) really serves, and explains the first start."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests
from cryptography.fernet import Fernet

from tests.factories import make_connector
from tests.support.fake_trackers import GITLAB_PROJECT_ID, fake_gitlab
from tests.support.live_server import free_port
from webapp import create_app
from webapp.extensions import db
from webapp.models import Ticket
from webapp.models.base import utcnow
from webapp.services.delivery import deliver
from webapp.services.tickets import TicketRequest, create_ticket

ROOT = Path(__file__).resolve().parent.parent


def test_serve_prints_the_setup_link_and_serves_the_login_page(tmp_path):
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "FLASK_APP": "webapp"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/serve.db"
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen(
        [*flask, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "flask serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert 'name="email"' in response.text
        # `flask setup-url` links to the running server, whatever port it chose.
        setup_url = subprocess.run(
            [*flask, "setup-url"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        assert f"http://127.0.0.1:{port}/setup?token=" in setup_url.stdout
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "No user exists yet" in output
    link = next(word for word in output.split() if "/setup?token=" in word)
    assert link.startswith(f"http://127.0.0.1:{port}/setup?token=")


def test_serve_runs_the_delivery_loop_so_a_failed_ticket_is_retried(tmp_path):
    """Issue 12.3: under `make run` nothing retried a failed ticket; `flask serve` now
    delivers due tickets from a background thread."""
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "CONNECTOR_SECRETS_KEY": Fernet.generate_key().decode(),
        "EMBEDDED_WORKER": "1",
        "DELIVERY_INTERVAL_SECONDS": "0.3",
    }
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "CONNECTOR_SECRETS_KEY": env["CONNECTOR_SECRETS_KEY"],
        }
    )
    with fake_gitlab() as gitlab, app.app_context():
        connector = make_connector(
            "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
        )
        ticket, _ = create_ticket(None, TicketRequest(connector.id, "Printer on fire"))
        gitlab.fail_next(503, times=5)
        ticket = deliver(ticket.id)
        assert ticket.status == "failed"
        gitlab._faults.clear()  # the tracker is back, and the backoff has passed:
        ticket.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        ticket_id = ticket.id
        db.session.remove()
        server = subprocess.Popen(
            [*flask, "serve", "--port", str(free_port())],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while (ticket := db.session.get(Ticket, ticket_id)).status != "sent":
                assert time.monotonic() < deadline, "flask serve did not deliver the ticket"
                db.session.remove()
                time.sleep(0.3)
            assert [attempt.outcome for attempt in ticket.delivery_attempts] == ["failed", "sent"]
            assert len(gitlab.issues[GITLAB_PROJECT_ID]) == 1
        finally:
            server.terminate()
            output = server.communicate(timeout=20)[0]
            db.session.remove()
            db.engine.dispose()
    assert "Delivering due tickets every 0.3 s" in output


def serve_once(tmp_path, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "serve", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_without_a_database_says_so_in_one_line(tmp_path):
    url = f"postgresql+psycopg://desk:s3cret-pw@127.0.0.1:{free_port()}/desk"
    result = serve_once(tmp_path, url)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"Cannot reach the database {url.replace('s3cret-pw', '***')}" in lines[0]
    assert "s3cret-pw" not in result.stderr


def test_serve_on_an_empty_database_asks_for_the_migration(tmp_path):
    result = serve_once(tmp_path, f"sqlite:///{tmp_path}/empty.db")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"Error: The database sqlite:///{tmp_path}/empty.db has no tables yet: "
        "run `flask --app webapp db upgrade` first."
    ]
