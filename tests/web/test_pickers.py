"""Pickers on the connector and ticket forms, against a fake GitLab: choices fetched by
the server with the connector's credentials, paged, cached, and a note when they fail."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_connector, make_user
from tests.fakes import FakeGitLab, HangingServer
from tests.support.connector_data import FORM_PARAMS, GITLAB_TOKEN

HTMX = {"HX-Request": "true"}
PROJECTS = {f"ops/service-{n:02}": {"id": 100 + n} for n in range(25)} | {
    "group/project": {"id": 7, "labels": ["bug", "backend", "docs"]}
}


@pytest.fixture
def gitlab():
    """Echoes the credentials it gets in its errors: they must never show."""
    with FakeGitLab(token=GITLAB_TOKEN, projects=PROJECTS, echo_credentials_in_errors=True) as fake:
        yield fake


def form(fake, **changes):
    return {
        "name": "Fake GitLab",
        **FORM_PARAMS["gitlab"],
        "issue_tracker_server": fake.host_port,
        "issue_tracker_method": "http",
        **changes,
    }


def choices(html: str) -> list[str]:
    return re.findall(r'data-pick-value="([^"]*)"', html)


def project_lists(fake) -> int:
    return sum(1 for r in fake.requests if r.path.split("?")[0] == "/api/v4/projects")


def post_choices(client, fake, url="/connectors/new/gitlab/choices/gitlab_project", **changes):
    response = client.submit(url, form(fake, **changes), headers=HTMX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_new_form_lists_projects_matching_what_is_typed(admin_client, gitlab):
    html = post_choices(admin_client, gitlab, gitlab_project="service-0")
    assert choices(html) == [f"ops/service-{n:02}" for n in range(10)]
    assert "picker-next" not in html
    assert GITLAB_TOKEN not in html
    sent = next(r for r in gitlab.requests if r.path.startswith("/api/v4/projects?"))
    assert "membership=true" in sent.path and "search=service-0" in sent.path
    assert sent.headers.get("PRIVATE-TOKEN") == GITLAB_TOKEN  # from the server, not the browser


def test_projects_come_in_pages_with_next_and_previous(admin_client, gitlab):
    first = post_choices(admin_client, gitlab, gitlab_project="")
    assert len(choices(first)) == 20 and 'data-testid="picker-next"' in first
    assert "picker-previous" not in first
    second = admin_client.submit(
        "/connectors/new/gitlab/choices/gitlab_project",
        {**form(gitlab, gitlab_project=""), "picker_page": "2"},
        headers=HTMX,
    ).get_data(as_text=True)
    assert choices(second) == [f"ops/service-{n:02}" for n in range(19, 25)]
    assert "picker-previous" in second and "picker-next" not in second


def test_a_second_identical_ask_is_answered_from_the_cache(admin_client, gitlab):
    post_choices(admin_client, gitlab, gitlab_project="service")
    post_choices(admin_client, gitlab, gitlab_project="service")
    assert project_lists(gitlab) == 1
    # Another token is another connector: never served another token's answer.
    html = post_choices(
        admin_client, gitlab, gitlab_project="service", issue_tracker_api_token="glpat-other-1234"
    )
    assert project_lists(gitlab) == 2 and "picker-note" in html


def test_a_wrong_token_is_a_note_under_the_field_without_the_token(admin_client, gitlab):
    wrong = "glpat-SECRET-wrong-token-000"
    html = post_choices(admin_client, gitlab, issue_tracker_api_token=wrong)
    assert 'data-testid="picker-note"' in html and "You can still type the value" in html
    assert wrong not in html and GITLAB_TOKEN not in html
    assert choices(html) == []


def test_a_slow_tracker_times_out_into_a_note(app, admin_client):
    app.config["TRACKER_READ_TIMEOUT"] = 0.3
    with HangingServer() as hung:
        response = admin_client.submit(
            "/connectors/new/gitlab/choices/gitlab_project",
            {**form(hung), "issue_tracker_server": hung.host_port},
            headers=HTMX,
        )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    note = html.split('data-testid="picker-note">')[1].split("</div>")[0]
    assert f"No answer from {hung.host_port} within 0.3 s." in note
    assert GITLAB_TOKEN not in html


def test_missing_connection_fields_are_a_note_not_an_error(admin_client, gitlab):
    html = post_choices(admin_client, gitlab, issue_tracker_server="not a host!")
    assert "Fill in the connection fields first" in html and "Server" in html
    assert project_lists(gitlab) == 0


def test_the_edit_form_uses_the_stored_token(admin_client, gitlab):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    html = post_choices(
        admin_client,
        gitlab,
        url=f"/connectors/{connector.id}/edit/choices/gitlab_project",
        issue_tracker_api_token="",
        gitlab_project="group/pro",
    )
    assert choices(html) == ["group/project"] and GITLAB_TOKEN not in html


def test_viewers_cannot_list_with_unsaved_settings(client, auth, gitlab):
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    response = client.submit(
        "/connectors/new/gitlab/choices/gitlab_project", form(gitlab), headers=HTMX
    )
    assert response.status_code == 403 and project_lists(gitlab) == 0


def test_the_connector_form_keeps_a_plain_text_field_with_the_typeahead(admin_client):
    html = admin_client.get("/connectors/new/gitlab").get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"gitlab_project\"[^>]*>", html).group(0)
    assert 'type="text"' in field
    assert 'hx-post="/connectors/new/gitlab/choices/gitlab_project"' in field
    assert 'data-picker-for="gitlab_project"' in html
    assert "list=" not in field  # typing by hand is never limited to the choices


def test_the_ticket_form_lists_labels_of_the_saved_connectors_project(admin_client, gitlab):
    connector = make_connector(
        "gitlab",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        gitlab_project="group/project",
    )
    page = admin_client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    assert f"/connectors/{connector.id}/ticket-choices/labels" in page
    html = admin_client.get(
        f"/connectors/{connector.id}/ticket-choices/labels?labels=urgent,%20b", headers=HTMX
    ).get_data(as_text=True)
    assert choices(html) == ["bug", "backend"]  # what follows the last comma is the search
    assert "data-pick-adds" in html and GITLAB_TOKEN not in html


def test_the_ticket_form_target_lists_projects_when_the_connector_has_none(client, auth, gitlab):
    connector = make_connector(
        "gitlab",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        gitlab_project="",
    )
    make_user("viewer@example.com", role="viewer")
    auth.login("viewer@example.com")
    html = client.get(
        f"/connectors/{connector.id}/ticket-choices/target?target=proj", headers=HTMX
    ).get_data(as_text=True)
    assert choices(html) == ["group/project"]


def test_a_field_without_a_picker_is_not_found(admin_client, gitlab):
    response = admin_client.submit(
        "/connectors/new/gitlab/choices/title_format", form(gitlab), headers=HTMX
    )
    assert response.status_code == 404 and project_lists(gitlab) == 0


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_jira_projects_and_priorities_against_the_fake(admin_client, deployment):
    from tests.fakes import FakeJira
    from tests.support.connector_data import JIRA_PASSWORD

    projects = {"OPS": {"name": "Operations"}, "SEC": {"name": "Security"}}
    with FakeJira(
        users={"ops@example.com": JIRA_PASSWORD}, projects=projects, deployment=deployment
    ) as jira:
        data = {
            "name": "Jira",
            **FORM_PARAMS["jira"],
            "issue_tracker_server": jira.host_port,
            "issue_tracker_method": "http",
            "jira_version": "cloud" if deployment == "Cloud" else "server",
            "jira_project_key": "secu",
        }
        html = admin_client.submit(
            "/connectors/new/jira/choices/jira_project_key", data, headers=HTMX
        ).get_data(as_text=True)
        assert choices(html) == ["SEC"] and "SEC: Security" in html
        assert JIRA_PASSWORD not in html
        connector = make_connector(
            "jira",
            issue_tracker_server=jira.host_port,
            issue_tracker_method="http",
            jira_version=data["jira_version"],
        )
        html = admin_client.get(
            f"/connectors/{connector.id}/ticket-choices/priority?priority=hi", headers=HTMX
        ).get_data(as_text=True)
        assert choices(html) == ["Highest", "High"]


def test_github_repositories_and_assignees_against_the_fake(admin_client):
    from tests.fakes import FakeGitHub
    from tests.support.connector_data import GITHUB_TOKEN

    repos = {f"acme/app-{n:03}": {} for n in range(120)} | {"other/app-001": {}}
    with FakeGitHub(token=GITHUB_TOKEN, repos=repos, prefix="/api/v3") as github:
        data = {
            "name": "GitHub",
            **FORM_PARAMS["github"],
            "issue_tracker_server": github.host_port,
            "issue_tracker_method": "http",
            "github_repo_owner": "acme",
            "github_repo_name": "app-1",
        }
        url = "/connectors/new/github/choices/github_repo_name"
        # /user/repos has no search: each page of 100 is filtered by owner and search.
        first = admin_client.submit(
            url, {**data, "github_repo_name": "app-01"}, headers=HTMX
        ).get_data(as_text=True)
        assert choices(first) == [f"app-{n:03}" for n in range(10, 20)]
        assert "picker-next" in first  # 120 + 1 repositories: a second page
        none_yet = admin_client.submit(url, data, headers=HTMX).get_data(as_text=True)
        assert choices(none_yet) == [] and "try the next page" in none_yet
        second = admin_client.submit(url, {**data, "picker_page": "2"}, headers=HTMX).get_data(
            as_text=True
        )
        assert choices(second) == [f"app-{n:03}" for n in range(100, 120)]
        assert "picker-next" not in second
        assert GITHUB_TOKEN not in first + second
        connector = make_connector(
            "github",
            issue_tracker_server=github.host_port,
            issue_tracker_method="http",
            github_repo_owner="acme",
            github_repo_name="app-001",
        )
        html = admin_client.get(
            f"/connectors/{connector.id}/ticket-choices/assignees?assignees=x,%20oct", headers=HTMX
        ).get_data(as_text=True)
        assert choices(html) == ["octocat"]
