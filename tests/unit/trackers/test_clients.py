"""What each tracker client does differently: addresses, auth headers, permission rules."""

from __future__ import annotations

import base64

import pytest
import responses
from responses import matchers

from tests.unit.trackers.specs import GITHUB_REPO, GITLAB_PROJECT, RT_QUEUE, SPECS, Spec
from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import Stage, StageStatus
from webapp.trackers import check_connection
from webapp.trackers.github import GITHUB, GitHubClient
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT

SPEC = {spec.id: spec for spec in SPECS}


def client_for(system, settings: OutboundSettings, **params):
    return system.client_class(system, params, {"issue_tracker_api_token": "t"}, settings)


@pytest.mark.parametrize(
    ("server", "method", "expected"),
    [
        ("api.github.com", "https", "https://api.github.com"),
        ("API.GitHub.com:443", "https", "https://API.GitHub.com:443"),
        ("github.example.com", "https", "https://github.example.com/api/v3"),
        ("github.example.com:8443/", "https", "https://github.example.com:8443/api/v3"),
        ("github.example.com/api/v3", "https", "https://github.example.com/api/v3"),
        ("127.0.0.1:8080", "http", "http://127.0.0.1:8080/api/v3"),
    ],
)
def test_github_api_lives_at_api_github_com_or_under_api_v3(server, method, expected, settings):
    client = client_for(GITHUB, settings, issue_tracker_server=server, issue_tracker_method=method)

    assert client.api_url("") == expected


@pytest.mark.parametrize(
    ("system", "server", "expected"),
    [
        (GITLAB, "gitlab.example.com/gitlab", "https://gitlab.example.com/gitlab"),
        (JIRA, "jira.example.com:8443/jira/", "https://jira.example.com:8443/jira"),
        (RT, "rt.example.com/rt", "https://rt.example.com/rt"),
        (RT, "https://rt.example.com", "https://rt.example.com"),
    ],
)
def test_other_trackers_keep_the_servers_port_and_path(system, server, expected, settings):
    assert client_for(system, settings, issue_tracker_server=server).api_url("") == expected


def test_jira_personal_access_token_is_sent_as_bearer(settings) -> None:
    client = JIRA.client_class(
        JIRA, {"issue_tracker_auth_mode": "api_token"}, {"issue_tracker_api_token": "pat"}, settings
    )

    assert client.auth_headers() == {"Authorization": "Bearer pat"}


def test_rt_basic_auth_sends_user_and_password(settings) -> None:
    params = {"issue_tracker_auth_mode": "basic", "issue_tracker_user": "root"}
    client = RT.client_class(RT, params, {"issue_tracker_pass": "pä:ss"}, settings)

    expected = base64.b64encode("root:pä:ss".encode()).decode()
    assert client.auth_headers() == {"Authorization": f"Basic {expected}"}


def test_token_that_cannot_be_a_header_fails_before_sending(api, settings) -> None:
    spec = SPEC["gitlab"]
    secrets = {"issue_tracker_api_token": "glpat-abc\n"}

    result = check_connection(GITLAB, spec.params, secrets, settings)

    auth = result.stage(Stage.AUTHENTICATE)
    assert auth.status is StageStatus.FAILED
    assert "cannot be sent in an HTTP header" in auth.message
    assert len(api.calls) == 0


def test_client_repr_of_config_hides_secrets(settings) -> None:
    client = client_for(GITHUB, settings)

    assert "'t'" not in repr(client.config)


# ---- GitHub -----------------------------------------------------------------


def test_github_without_repository_checks_the_owner(api, settings) -> None:
    spec = SPEC["github"]
    spec.serve(api)
    api.add(responses.GET, spec.url("/users/acme"), json={"login": "acme", "type": "Organization"})

    result = spec.check(settings, github_repo_name="")

    target = result.stage(Stage.TARGET)
    assert target.status is StageStatus.OK
    assert target.message == "Found organisation acme; no repository set: tickets will ask for one."
    assert result.stage(Stage.PERMISSION).message == "Not checked: no repository is set."


def test_github_unknown_owner_fails_target(api, settings) -> None:
    spec = SPEC["github"]
    spec.serve(api)
    api.add(responses.GET, spec.url("/users/acme"), status=404, json={"message": "Not Found"})

    target = spec.check(settings, github_repo_name="").stage(Stage.TARGET)

    assert target.status is StageStatus.FAILED
    assert target.message == "GitHub has no user or organisation acme."


def test_github_read_access_only_is_a_warning(api, settings) -> None:
    spec = SPEC["github"]
    repo = {**GITHUB_REPO, "permissions": {"push": False, "pull": True}}
    spec.serve(api, **{spec.target_path: {"json": repo}})

    result = spec.check(settings)

    permission = result.stage(Stage.PERMISSION)
    assert permission.status is StageStatus.WARNING
    assert "read access only" in permission.message and "drops their labels" in permission.message
    assert result.ok


def test_github_classic_token_without_repo_scope_is_a_warning(api, settings) -> None:
    spec = SPEC["github"]
    spec.serve(api, **{"/user": {"json": spec.user_body, "headers": {"X-OAuth-Scopes": "gist"}}})

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.WARNING
    assert permission.message == (
        "The token's scopes (gist) do not include repo, "
        "which GitHub requires to create issues here."
    )


def test_github_fine_grained_token_gets_a_hint_about_its_own_permissions(api, settings) -> None:
    spec = SPEC["github"]
    spec.serve(api, **{"/user": {"json": spec.user_body}})  # no X-OAuth-Scopes header

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.OK
    assert "fine-grained token" in (permission.hint or "")


def test_github_com_is_used_for_api_github_com(api, settings) -> None:
    api.add(responses.GET, "https://api.github.com/user", json={"login": "octocat"})
    client = GitHubClient(
        GITHUB, {"github_repo_owner": "octocat"}, {"issue_tracker_api_token": "t"}, settings
    )

    assert client.authenticate().message == "Signed in as octocat."
    assert api.calls[0].request.headers["Accept"] == "application/vnd.github+json"


# ---- GitLab -----------------------------------------------------------------


def test_gitlab_issues_turned_off_fails_permission(api, settings) -> None:
    spec = SPEC["gitlab"]
    spec.serve(api, **{spec.target_path: {"json": {**GITLAB_PROJECT, "issues_enabled": False}}})

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.FAILED
    assert permission.message == "Issues are turned off in group/proj."


def test_gitlab_read_only_token_fails_permission(api, settings) -> None:
    spec = SPEC["gitlab"]
    scopes = {"json": {"scopes": ["read_api", "read_user"]}}
    spec.serve(api, **{"/api/v4/personal_access_tokens/self": scopes})

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.FAILED
    assert permission.message == (
        "The token's scopes (read_api, read_user) do not include api, which creating issues needs."
    )


def test_gitlab_without_token_self_endpoint_still_checks_access(api, settings) -> None:
    spec = SPEC["gitlab"]
    gone = {"status": 404, "json": {"error": "404 Not Found"}}
    spec.serve(api, **{"/api/v4/personal_access_tokens/self": gone})

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.OK
    assert permission.message == (
        "Issues are on in group/proj and your Developer access may create them."
    )


def test_gitlab_project_id_or_path_is_url_encoded(api, settings) -> None:
    spec = SPEC["gitlab"]
    spec.serve(api)
    api.add(responses.GET, spec.url("/api/v4/projects/a%2Fb%2Fc"), json=GITLAB_PROJECT)

    result = spec.check(settings, gitlab_project="a/b/c")

    assert result.stage(Stage.TARGET).status is StageStatus.OK


def test_gitlab_non_member_of_public_project_is_a_warning(api, settings) -> None:
    spec = SPEC["gitlab"]
    project = {**GITLAB_PROJECT, "visibility": "public", "permissions": {}}
    spec.serve(api, **{spec.target_path: {"json": project}})

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.WARNING
    assert permission.message.startswith("You are not a member of group/proj")


# ---- Jira -------------------------------------------------------------------


def test_jira_asks_mypermissions_for_create_issues_in_the_project(api, settings) -> None:
    spec = SPEC["jira"]
    spec.serve(api)
    api.replace(
        responses.GET,
        spec.url("/rest/api/2/mypermissions"),
        json=spec.extra["/rest/api/2/mypermissions"],
        match=[matchers.query_param_matcher({"projectKey": "OPS", "permissions": "CREATE_ISSUES"})],
    )

    result = spec.check(settings)

    assert result.stage(Stage.PERMISSION).message == "You may create issues in OPS."


def test_jira_unknown_issue_type_is_a_warning_on_the_target(api, settings) -> None:
    spec = SPEC["jira"]
    spec.serve(api)

    target = spec.check(settings, jira_issue_type="Epic").stage(Stage.TARGET)

    assert target.status is StageStatus.WARNING
    assert target.message == (
        "Project OPS has no issue type Epic (it has Task): Jira would refuse new tickets."
    )


def test_jira_error_text_joins_error_messages_and_field_errors(api, settings) -> None:
    spec = SPEC["jira"]
    body = {"errorMessages": ["Project is archived"], "errors": {"project": "read-only"}}
    spec.serve(api, **{spec.target_path: {"status": 400, "json": body}})

    target = spec.check(settings).stage(Stage.TARGET)

    assert target.message == "Jira refused GET /jira/rest/api/2/project/OPS (400)."
    assert target.tracker_message == "Project is archived; project: read-only"


def test_jira_basic_401_advises_an_api_token(api, settings) -> None:
    spec = SPEC["jira"]
    spec.serve(api, **{spec.auth_path: {"status": 401, "body": "Client must be authenticated"}})

    auth = spec.check(settings).stage(Stage.AUTHENTICATE)

    assert auth.message == (
        "Jira rejected the user name and password (401): check them; Jira Cloud needs your "
        "account email and an API token, not your password."
    )


# ---- RT ---------------------------------------------------------------------


def test_rt_queue_without_see_right_explains_seequeue(api, settings) -> None:
    spec = SPEC["rt"]
    spec.serve(api, **{spec.target_path: {"status": 403, "json": {"message": "Forbidden"}}})

    target = spec.check(settings).stage(Stage.TARGET)

    assert target.message == (
        "RT refused to show queue General (403): the user needs the SeeQueue right on it."
    )


def test_rt_disabled_queue_fails_permission(api, settings) -> None:
    spec = SPEC["rt"]
    spec.serve(api, **{spec.target_path: {"json": {**RT_QUEUE, "Disabled": "1"}}})

    permission = spec.check(settings).stage(Stage.PERMISSION)

    assert permission.status is StageStatus.FAILED
    assert permission.message == "Queue General is disabled: RT accepts no new tickets in it."


def test_rt_queue_names_are_url_encoded(api, settings) -> None:
    spec = SPEC["rt"]
    spec.serve(api)
    api.add(
        responses.GET, spec.url("/REST/2.0/queue/Sec%20Ops"), json={**RT_QUEUE, "Name": "Sec Ops"}
    )

    result = spec.check(settings, rt_queue="Sec Ops")

    assert result.stage(Stage.PERMISSION).message == "You may create tickets in Sec Ops."


def test_rt_signed_in_message_names_the_basic_user_and_version(api, settings) -> None:
    spec: Spec = SPEC["rt"]
    spec.serve(api)
    params = {"issue_tracker_auth_mode": "basic", "issue_tracker_user": "root"}
    client = RT.client_class(RT, {**spec.params, **params}, {"issue_tracker_pass": "pw"}, settings)

    assert client.authenticate().message == "Signed in as root to RT 5.0.3."
