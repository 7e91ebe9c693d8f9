"""`flask connectors import-argus`, `export` and `import`."""

from __future__ import annotations

import json

from tests.factories import make_connector
from tests.support.connector_data import GITLAB_TOKEN
from webapp.extensions import db
from webapp.models import Connector

ARGUS = """
TICKET_PLUGIN = "argus_ticket_jira.JiraPlugin"
TICKET_ENDPOINT = "https://jira.example.com/"
TICKET_AUTHENTICATION_SECRET = {"token": "jira-pat-from-cli"}
TICKET_INFORMATION = {
    "project_key_or_id": "OPS",
    "custom_fields_set": {"Team": "Ops"},
    "custom_fields_mapping": {"Severity": "level"},
}
"""


def test_import_argus_dry_run_lists_the_connector_and_unmapped_keys(app, runner, tmp_path):
    path = tmp_path / "argus.py"
    path.write_text(ARGUS)
    result = runner.invoke(
        args=["connectors", "import-argus", str(path), "--name", "Jira DC", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Would create Jira connector “Jira DC”." in result.output
    assert "jira_version = server" in result.output
    assert "jira_custom_fields = " in result.output and "Team" in result.output
    assert "Not mapped: TICKET_INFORMATION.custom_fields_mapping" in result.output
    assert "jira-pat-from-cli" not in result.output
    assert db.session.scalar(db.select(Connector)) is None


def test_import_argus_creates_the_connector(app, runner, tmp_path):
    path = tmp_path / "argus.py"
    path.write_text(ARGUS)
    result = runner.invoke(args=["connectors", "import-argus", str(path), "--name", "Jira DC"])
    assert result.exit_code == 0, result.output
    connector = db.session.scalar(db.select(Connector))
    assert (connector.name, connector.params["issue_tracker_auth_mode"]) == ("Jira DC", "api_token")


def test_import_argus_refuses_code_naming_the_line(app, runner, tmp_path):
    path = tmp_path / "argus.py"
    path.write_text('TICKET_PLUGIN = "argus_ticket_jira.JiraPlugin"\nX = __import__("os")\n')
    result = runner.invoke(args=["connectors", "import-argus", str(path), "--name", "x"])
    assert result.exit_code == 1
    assert "settings: Line 2: X is not a literal value" in result.output


def test_bundle_export_and_import_with_a_passphrase(app, runner, tmp_path):
    make_connector("gitlab", name="Ops GitLab")
    exported = runner.invoke(
        args=["connectors", "export", "--include-secrets", "--passphrase-stdin"],
        input="a long bundle passphrase\n",
    )
    assert exported.exit_code == 0, exported.output
    assert GITLAB_TOKEN not in exported.output
    path = tmp_path / "bundle.json"
    path.write_text(exported.output)
    assert json.loads(exported.output)["secrets"]["kdf"] == "scrypt"
    result = runner.invoke(
        args=["connectors", "import", str(path), "--dry-run", "--passphrase-stdin"],
        input="a long bundle passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "unchanged  gitlab   Ops GitLab" in result.output
    wrong = runner.invoke(
        args=["connectors", "import", str(path), "--passphrase-stdin"], input="wrong one\n"
    )
    assert wrong.exit_code == 1
    assert "passphrase: This passphrase does not open the bundle's secrets." in wrong.output


def test_include_secrets_needs_the_passphrase_from_stdin(app, runner):
    result = runner.invoke(args=["connectors", "export", "--include-secrets"])
    assert result.exit_code == 2
    assert "--include-secrets and --passphrase-stdin go together" in result.output


def test_import_argus_can_run_the_connection_test(app, runner, tmp_path):
    from tests.fakes import FakeRT

    with FakeRT(users={"argus": "rt-password"}) as fake:
        path = tmp_path / "argus.json"
        path.write_text(
            json.dumps(
                {
                    "TICKET_PLUGIN": "argus_ticket_rt.RequestTrackerPlugin",
                    "TICKET_ENDPOINT": f"{fake.url}/",
                    "TICKET_AUTHENTICATION_SECRET": {
                        "username": "argus",
                        "password": "rt-password",
                    },
                    "TICKET_INFORMATION": {"queue": "General"},
                }
            )
        )
        result = runner.invoke(
            args=["connectors", "import-argus", str(path), "--name", "RT", "--test"]
        )
    assert result.exit_code == 0, result.output
    assert "Connection test: ok" in result.output
