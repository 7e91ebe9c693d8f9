"""Each Argus ticket-plugin settings shape imports to a connector that passes the staged
connection test against a fake tracker (and the real RT), and exports back to the same
settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import PASSWORD
from tests.fakes import FakeGitHub, FakeGitLab, FakeJira, FakeRT, FakeServer
from tests.support.fake_trackers import GITLAB_PROJECTS
from tests.support.rt_server import RTServer
from webapp.services.argus_export import export_argus, export_argus_with_secrets
from webapp.services.argus_settings import import_argus
from webapp.services.connection_tests import test_saved as run_staged_test
from webapp.services.settings_snippets import python_snippet

Json = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """One Argus example: a fake tracker and the settings that reach it."""

    start: Callable[[], FakeServer]
    settings: Callable[[str], Json]  # the fake's URL -> the four settings


SHAPES = {
    "gitlab": Shape(
        lambda: FakeGitLab("glpat-argus-token", projects=GITLAB_PROJECTS),
        lambda url: {
            "TICKET_PLUGIN": "argus_ticket_gitlab.GitlabPlugin",
            "TICKET_ENDPOINT": f"{url}/",
            "TICKET_AUTHENTICATION_SECRET": {"token": "glpat-argus-token"},
            "TICKET_INFORMATION": {
                "project_namespace_and_name": "group/project",
                "labels_set": ["argus", "incident"],
                "labels_mapping": ["description", {"tag": "host"}],
            },
        },
    ),
    "gitlab old plugin path": Shape(
        lambda: FakeGitLab("glpat-argus-token", projects=GITLAB_PROJECTS),
        lambda url: {
            "TICKET_PLUGIN": "argus.incident.ticket.gitlab.GitlabPlugin",
            "TICKET_ENDPOINT": f"{url}/",
            "TICKET_AUTHENTICATION_SECRET": {"token": "glpat-argus-token"},
            "TICKET_INFORMATION": {"project_namespace_and_name": "group/project"},
        },
    ),
    "github": Shape(
        lambda: FakeGitHub("ghp_argus-token", prefix="/api/v3", repos={"octo/hello": {}}),
        lambda url: {
            "TICKET_PLUGIN": "argus_ticket_github.GithubPlugin",
            "TICKET_ENDPOINT": f"{url}/",
            "TICKET_AUTHENTICATION_SECRET": {"token": "ghp_argus-token"},
            "TICKET_INFORMATION": {
                "project_namespace_and_name": "octo/hello",
                "labels_set": ["argus"],
            },
        },
    ),
    "jira cloud basic": Shape(
        lambda: FakeJira({"me@example.com": "jira-api-token"}),
        lambda url: {
            "TICKET_PLUGIN": "argus_ticket_jira.JiraPlugin",
            "TICKET_ENDPOINT": f"{url}/",
            "TICKET_AUTHENTICATION_SECRET": {"email": "me@example.com", "token": "jira-api-token"},
            "TICKET_INFORMATION": {
                "project_key_or_id": "OPS",
                "type": "Bug",
                "custom_fields_set": {"customfield_10010": "High"},
            },
        },
    ),
    "jira data center personal access token": Shape(
        lambda: FakeJira({}, pat="jira-pat-token", deployment="Server", prefix="/jira"),
        lambda url: {
            "TICKET_PLUGIN": "argus_ticket_jira.JiraPlugin",
            "TICKET_ENDPOINT": f"{url}/jira/",
            "TICKET_AUTHENTICATION_SECRET": {"token": "jira-pat-token"},
            "TICKET_INFORMATION": {"project_key_or_id": "OPS", "type": "Task"},
        },
    ),
    "rt": Shape(
        lambda: FakeRT(users={"argus": "rt-password"}, queues={"Incidents": {}}, prefix="/rt"),
        lambda url: {
            "TICKET_PLUGIN": "argus_ticket_rt.RequestTrackerPlugin",
            "TICKET_ENDPOINT": f"{url}/rt/",
            "TICKET_AUTHENTICATION_SECRET": {"username": "argus", "password": "rt-password"},
            "TICKET_INFORMATION": {
                "queue": "Incidents",
                "custom_fields_set": {"Source": "Argus"},
            },
        },
    ),
}


@pytest.fixture(params=sorted(SHAPES))
def shape(request) -> Iterator[tuple[str, Json]]:
    with SHAPES[request.param].start() as fake:
        yield request.param, SHAPES[request.param].settings(fake.url)


def test_each_argus_shape_imports_to_a_connector_that_passes_the_staged_test(admin, shape):
    name, settings = shape
    plan = import_argus(admin, f"From Argus {name}", python_snippet(settings), dry_run=False)
    assert plan.unmapped == []
    result = run_staged_test(admin, plan.connector)
    assert result.ok, result.to_dict()


def test_each_argus_shape_exports_back_to_the_same_settings(admin, shape):
    name, settings = shape
    plan = import_argus(admin, "Round trip", settings, dry_run=False)
    exported = export_argus_with_secrets(admin, plan.connector, PASSWORD)
    expected = dict(settings)
    expected["TICKET_PLUGIN"] = plan.system.argus_plugins[0]  # the current class path
    assert exported.settings == expected
    assert exported.left_out == []


def test_export_without_the_password_shows_placeholders_for_secrets(admin, shape):
    _name, settings = shape
    plan = import_argus(admin, "Placeholders", settings, dry_run=False)
    exported = export_argus(plan.connector)
    secrets = exported.settings["TICKET_AUTHENTICATION_SECRET"]
    for key, value in settings["TICKET_AUTHENTICATION_SECRET"].items():
        if key in ("email", "username"):
            assert secrets[key] == value  # an account name, not a secret
        else:
            assert secrets[key] == f"<{key}>"
    assert not exported.secrets_included


def test_real_rt_imported_from_argus_settings_passes_the_staged_test(admin, rt_server: RTServer):
    settings = {
        "TICKET_PLUGIN": "argus_ticket_rt.RequestTrackerPlugin",
        "TICKET_ENDPOINT": f"{rt_server.url}/",
        "TICKET_AUTHENTICATION_SECRET": {
            "username": rt_server.username,
            "password": rt_server.password,
        },
        "TICKET_INFORMATION": {"queue": "General"},
    }
    plan = import_argus(admin, "Real RT from Argus", settings, dry_run=False)
    result = run_staged_test(admin, plan.connector)
    assert result.ok, result.to_dict()
