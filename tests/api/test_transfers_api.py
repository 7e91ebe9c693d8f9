"""The API's Argus import/export and bundle endpoints."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_connector
from tests.fakes import FakeGitLab
from tests.support.connector_data import GITLAB_TOKEN
from tests.support.fake_trackers import GITLAB_PROJECTS
from webapp.extensions import db
from webapp.models import AuditEntry, Connector

SNIPPET = """
TICKET_PLUGIN = "argus_ticket_gitlab.GitlabPlugin"
TICKET_ENDPOINT = "{url}/"
TICKET_AUTHENTICATION_SECRET = {{"token": "glpat-api-token"}}
TICKET_INFORMATION = {{"project_namespace_and_name": "group/project", "extra": 1}}
"""


@pytest.fixture
def gitlab_fake():
    with FakeGitLab("glpat-api-token", projects=GITLAB_PROJECTS) as fake:
        yield fake


def test_dry_run_shows_the_connector_and_unmapped_keys_and_creates_nothing(api, gitlab_fake):
    body = {"name": "From Argus", "settings": SNIPPET.format(url=gitlab_fake.url), "dry_run": True}
    response = api.post("/connectors/import/argus/", json=body)
    assert response.status_code == 200, response.json
    assert response.json["connector"]["params"]["gitlab_project"] == "group/project"
    assert response.json["unmapped"] == [
        {"key": "TICKET_INFORMATION.extra", "reason": "Not a setting of the GitLab plugin."}
    ]
    assert "glpat-api-token" not in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Connector)) is None


def test_import_creates_the_connector_and_runs_the_staged_test(api, gitlab_fake):
    body = {"name": "From Argus", "settings": SNIPPET.format(url=gitlab_fake.url), "test": True}
    response = api.post("/connectors/import/argus/", json=body)
    assert response.status_code == 201, response.json
    assert response.json["test"]["success"] is True
    connector = db.session.get(Connector, response.json["connector"]["id"])
    assert connector.health_status == "ok"


def test_settings_as_a_json_object_are_accepted(api):
    settings = {
        "TICKET_PLUGIN": "argus_ticket_rt.RequestTrackerPlugin",
        "TICKET_ENDPOINT": "https://rt.example.com/",
        "TICKET_AUTHENTICATION_SECRET": {"username": "argus", "password": "rt-password"},
        "TICKET_INFORMATION": {"queue": "General"},
    }
    response = api.post(
        "/connectors/import/argus/", json={"name": "RT", "settings": settings, "dry_run": True}
    )
    assert response.status_code == 200
    assert response.json["connector"]["params"]["issue_tracker_user"] == "argus"


def test_non_literal_snippet_is_a_400_naming_settings(api):
    body = {"name": "x", "settings": 'TICKET_PLUGIN = "a"\nTICKET_ENDPOINT = get_url()\n'}
    response = api.post("/connectors/import/argus/", json=body)
    assert response.status_code == 400
    assert response.json["errors"]["settings"][0].startswith("Line 2: TICKET_ENDPOINT")


def test_invalid_import_is_a_400_naming_the_argus_key(api):
    settings = SNIPPET.format(url="https://gitlab.example.com").replace("group/project", "x")
    response = api.post("/connectors/import/argus/", json={"name": "x", "settings": settings})
    assert response.status_code == 400
    assert "settings.TICKET_INFORMATION.project_namespace_and_name" in response.json["errors"]


def test_viewers_cannot_import(viewer_api):
    response = viewer_api.post("/connectors/import/argus/", json={"name": "x", "settings": "{}"})
    assert response.status_code == 403


def test_export_shows_placeholders(viewer_api, app):
    connector = make_connector("gitlab")
    response = viewer_api.get(f"/connectors/issue-tracker/{connector.id}/export/argus/")
    assert response.status_code == 200
    settings = response.json["settings"]
    assert settings["TICKET_AUTHENTICATION_SECRET"] == {"token": "<token>"}
    assert 'TICKET_PLUGIN = "argus_ticket_gitlab.GitlabPlugin"' not in response.json["python"]
    assert "TICKET_PLUGIN = 'argus_ticket_gitlab.GitlabPlugin'" in response.json["python"]
    assert GITLAB_TOKEN not in response.get_data(as_text=True)


def test_export_with_the_password_shows_secrets_and_is_audited(api):
    connector = make_connector("gitlab")
    url = f"/connectors/issue-tracker/{connector.id}/export/argus/"
    wrong = api.post(url, json={"password": "not my password"})
    assert wrong.status_code == 400
    assert list(wrong.json["errors"]) == ["password"]
    response = api.post(url, json={"password": PASSWORD})
    assert response.status_code == 200
    assert response.json["settings"]["TICKET_AUTHENTICATION_SECRET"] == {"token": GITLAB_TOKEN}
    actions = [entry.action for entry in db.session.scalars(db.select(AuditEntry))]
    assert actions.count("connector.export_secrets") == 1


def test_bundle_round_trip_through_the_api(api):
    make_connector("gitlab", name="Ops GitLab")
    exported = api.post(
        "/connectors/export/", json={"passphrase": "a long bundle passphrase", "password": PASSWORD}
    )
    assert exported.status_code == 200
    assert GITLAB_TOKEN not in exported.get_data(as_text=True)
    body = {"bundle": exported.json, "passphrase": "a long bundle passphrase", "dry_run": True}
    planned = api.post("/connectors/import/", json=body)
    assert planned.status_code == 200
    assert planned.json["counts"] == {"create": 0, "update": 0, "unchanged": 1}
    wrong = api.post("/connectors/import/", json={**body, "passphrase": "wrong passphrase!!"})
    assert wrong.status_code == 400
    assert list(wrong.json["errors"]) == ["passphrase"]


def test_bundle_export_without_secrets_and_bad_bundles(api):
    make_connector("gitlab", name="Ops GitLab")
    exported = api.get("/connectors/export/")
    assert exported.json["secrets"] is None
    assert api.post("/connectors/import/", json={}).json["errors"] == {
        "bundle": ["Give the bundle (an object, or its JSON text)."]
    }
    assert api.post("/connectors/import/", json={"bundle": "nope"}).status_code == 400
