"""`flask serve` (what `make run` starts) really serves, and explains the first start."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.live_server import free_port

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
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "No user exists yet" in output
    link = next(word for word in output.split() if "/setup?token=" in word)
    assert link.startswith(f"http://127.0.0.1:{port}/setup?token=")
