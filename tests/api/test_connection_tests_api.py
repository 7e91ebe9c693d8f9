"""Testing connections through the API, against a fake GitLab (nothing is mocked)."""

from __future__ import annotations

import pytest

from tests.factories import make_connector
from tests.fakes import FakeGitLab
from tests.support.connector_data import GITLAB_TOKEN, api_params
from webapp.extensions import db
from webapp.models import Connector

UNSAVED = "/connectors/test-issue-tracker/"
WRONG_TOKEN = "glpat-SECRET-wrong-token-123"


@pytest.fixture
def gitlab():
    project = {
        "id": 7,
        "issues_enabled": True,
        "permissions": {"project_access": {"access_level": 30}},
    }
    with FakeGitLab(
        token=GITLAB_TOKEN, projects={"group/project": project}, echo_credentials_in_errors=True
    ) as fake:
        yield fake


def body(fake, **params) -> dict:
    values = {
        **api_params("gitlab"),
        "issue_tracker_server": fake.host_port,
        "issue_tracker_method": "http",
        **params,
    }
    return {"name": "Fake GitLab", "system": {"id": "gitlab"}, "params": values}


def test_unsaved_settings_that_work_report_success_and_save_nothing(api, gitlab):
    response = api.post(UNSAVED, json=body(gitlab))
    assert response.status_code == 200
    result = response.get_json()
    assert result["success"] is True and result["failed_stage"] is None
    assert {stage["stage"] for stage in result["stages"]} >= {"reach", "authenticate", "target"}
    assert db.session.scalar(db.select(Connector)) is None


def test_a_wrong_token_reports_the_failing_stage_without_the_token(api, gitlab):
    response = api.post(UNSAVED, json=body(gitlab, issue_tracker_api_token=WRONG_TOKEN))
    assert response.status_code == 200
    assert response.get_json()["success"] is False
    assert response.get_json()["failed_stage"] == "authenticate"
    assert WRONG_TOKEN not in response.get_data(as_text=True)


def test_invalid_settings_are_400_and_contact_nobody(api, gitlab):
    response = api.post(UNSAVED, json=body(gitlab, issue_tracker_server="https://x"))
    assert response.status_code == 400
    assert "params.issue_tracker_server" in response.get_json()["errors"]
    assert gitlab.requests == []


def test_a_saved_connector_is_tested_by_id(api, gitlab):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    response = api.post(f"/connectors/issue-tracker/{connector.id}/test/")
    assert response.status_code == 200
    assert response.get_json()["success"] is True
    assert GITLAB_TOKEN not in response.get_data(as_text=True)


def test_viewers_may_test_saved_connectors_but_not_unsaved_settings(viewer_api, gitlab):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    assert viewer_api.post(f"/connectors/issue-tracker/{connector.id}/test").status_code == 200
    requests_so_far = len(gitlab.requests)
    response = viewer_api.post(UNSAVED.rstrip("/"), json=body(gitlab))
    assert response.status_code == 403
    assert "test unsaved settings" in response.get_json()["detail"]
    assert len(gitlab.requests) == requests_so_far


def test_testing_an_unknown_connector_is_404(api):
    assert api.post("/connectors/issue-tracker/999999/test/").status_code == 404


def test_a_test_refused_by_the_deny_list_reports_not_contacted(app, api, gitlab):
    app.config["OUTBOUND_DENY_NETWORKS"] = "127.0.0.0/8"

    result = api.post(UNSAVED, json=body(gitlab)).get_json()

    assert result["success"] is False and result["contacted"] is False
    assert result["failed_stage"] == "reach" and "denied network" in result["summary"]
    assert gitlab.requests == []
