"""Bad input on the connector form gets a clear message on its field; nothing is lost."""

import pytest

from tests.factories import make_connector, make_user
from tests.support.connector_data import FORM_PARAMS
from webapp.extensions import db
from webapp.models import Connector


def submit_new(client, system_id="gitlab", **changes):
    data = {"name": "Tracker", **FORM_PARAMS[system_id], **changes}
    return client.submit(f"/connectors/new/{system_id}", data)


@pytest.mark.parametrize(
    ("system_id", "changes", "message"),
    [
        ("gitlab", {"name": ""}, "This field is required."),
        ("gitlab", {"name": "x" * 101}, "Use at most 100 characters (101 given)."),
        ("rt", {"issue_tracker_server": ""}, "This field is required."),
        ("gitlab", {"issue_tracker_server": "https://gitlab.example.com"}, "without"),
        ("gitlab", {"issue_tracker_server": "bad host name!"}, "host"),
        ("gitlab", {"issue_tracker_server": "gitlab.example.com:99999"}, "port"),
        ("gitlab", {"issue_tracker_method": "ftp"}, "Select a valid choice"),
        ("gitlab", {"gitlab_project": "not a project"}, "namespace/name"),
        ("gitlab", {"title_format": "$title $unknown"}, "Unknown variable $unknown"),
        ("gitlab", {"sde_min_priority": "11"}, "between 1 and 10"),
        ("gitlab", {"sde_min_priority": "seven"}, "whole number"),
        ("gitlab", {"issue_tracker_api_token": ""}, "This field is required."),
        ("github", {"github_repo_owner": ""}, "This field is required."),
        ("jira", {"issue_tracker_user": ""}, "This field is required."),
        ("jira", {"jira_project_key": "lower case"}, ""),
        ("rt", {"rt_custom_fields": "no separator here"}, ""),
        ("rt", {"rt_queue": "q" * 300}, "255"),
    ],
)
def test_bad_input_is_reported_on_the_form(admin_client, system_id, changes, message):
    response = submit_new(admin_client, system_id, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the errors below." in page
    assert 'class="invalid-feedback d-block"' in page
    assert message in page
    assert db.session.scalar(db.select(Connector)) is None


def test_emptied_server_falls_back_to_the_systems_default(admin_client):
    submit_new(admin_client, "gitlab", issue_tracker_server="")
    assert db.session.scalar(db.select(Connector)).params["issue_tracker_server"] == "gitlab.com"


def test_typed_values_survive_a_failed_submission(admin_client):
    page = submit_new(admin_client, name="Keep me", title_format="$nope").get_data(as_text=True)
    assert 'value="Keep me"' in page
    assert 'value="group/project"' in page


def test_duplicate_name_is_refused_case_insensitively(admin_client):
    make_connector("gitlab", name="Production")
    page = submit_new(admin_client, name="  production ").get_data(as_text=True)
    assert "A connector with this name already exists." in page


def test_name_is_trimmed(admin_client):
    submit_new(admin_client, name="  Spaced  ")
    assert db.session.scalar(db.select(Connector.name)) == "Spaced"


def test_failed_edit_keeps_the_stored_connector(admin_client):
    connector = make_connector("rt", name="Stable")
    data = {"name": "Stable", **FORM_PARAMS["rt"], "issue_tracker_server": "", "version": "1"}
    page = admin_client.submit(f"/connectors/{connector.id}/edit", data).get_data(as_text=True)
    assert "This field is required." in page
    assert connector.params["issue_tracker_server"] == "rt.example.com/rt"
    assert connector.version == 1


def test_stale_edit_does_not_overwrite_and_names_who_changed_it(app, admin_client):
    connector = make_connector("gitlab", name="Shared")
    other = make_user("colleague@example.com")
    other_client = app.test_client()
    other_client.submit(
        "/login", {"email": other.email, "password": "correct horse battery staple"}
    )
    theirs = {
        "name": "Shared",
        **FORM_PARAMS["gitlab"],
        "gitlab_project": "group/theirs",
        "version": "1",
    }
    assert other_client.submit(f"/connectors/{connector.id}/edit", theirs).status_code == 302
    mine = {
        "name": "Shared",
        **FORM_PARAMS["gitlab"],
        "gitlab_project": "group/mine",
        "version": "1",
    }
    page = admin_client.submit(f"/connectors/{connector.id}/edit", mine).get_data(as_text=True)
    assert "colleague@example.com changed this connector at" in page
    assert 'value="group/theirs"' in page
    assert connector.params["gitlab_project"] == "group/theirs"
    assert 'name="version" type="hidden" value="2"' in page


def test_unchecked_certificate_box_turns_validation_off(admin_client):
    data = dict(FORM_PARAMS["gitlab"])
    del data["issue_tracker_validate_cert"]
    admin_client.submit("/connectors/new/gitlab", {"name": "Self-signed", **data})
    assert db.session.scalar(db.select(Connector)).params["issue_tracker_validate_cert"] is False


def test_task_sync_group_is_collapsed_and_opens_on_error(admin_client):
    page = admin_client.get("/connectors/new/github").get_data(as_text=True)
    assert (
        "<details" in page
        and "Task sync (SD Elements)" in page
        and '<details class="mb-3 border rounded p-3" open' not in page
    )
    page = submit_new(admin_client, "github", sde_min_priority="99").get_data(as_text=True)
    assert '<details class="mb-3 border rounded p-3" open' in page


def test_basic_auth_fields_carry_their_visibility_rule(admin_client):
    page = admin_client.get("/connectors/new/jira").get_data(as_text=True)
    assert 'data-shown-when="{&#34;issue_tracker_auth_mode&#34;: [&#34;basic&#34;]}"' in page
