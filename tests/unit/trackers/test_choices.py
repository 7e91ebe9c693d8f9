"""Pickers: each tracker lists the choices of its fields page by page, with search.

Why exact query matchers: a page or search parameter spelt wrong is ignored by the
tracker, which then answers the first page of everything - plausible, and wrong.
"""

from __future__ import annotations

import json

import pytest
import requests
from responses import matchers

from tests.unit.trackers.specs import GITHUB_SPEC, GITLAB_SPEC, JIRA_SPEC, RT_SPEC
from webapp.trackers.choices import Choice, ChoicesFailed


def client(spec, settings, **params):
    return spec.system.client_class(spec.system, {**spec.params, **params}, spec.secrets, settings)


def query(**params):
    return [matchers.query_param_matcher({k: str(v) for k, v in params.items()}, strict_match=True)]


def test_gitlab_projects_are_searched_and_paged_with_the_next_page_header(api, settings):
    api.get(
        GITLAB_SPEC.base + "/api/v4/projects",
        json=[{"path_with_namespace": "ops/web", "name_with_namespace": "Ops / Web"}],
        headers={"X-Next-Page": "3", "X-Page": "2"},
        match=[
            *query(membership="true", simple="true", search="web", per_page=20, page=2),
            matchers.header_matcher(GITLAB_SPEC.credentials),
        ],
    )
    page = client(GITLAB_SPEC, settings).list_choices("projects", " web ", 2)
    assert page.choices == (Choice("ops/web", "Ops / Web"),)
    assert (page.page, page.has_next) == (2, True)


def test_gitlab_last_page_has_no_next(api, settings):
    api.get(
        GITLAB_SPEC.base + "/api/v4/projects",
        json=[{"path_with_namespace": "ops/web"}],
        headers={"X-Next-Page": ""},
    )
    page = client(GITLAB_SPEC, settings).list_choices("projects", "", 1)
    assert page.choices == (Choice("ops/web", "ops/web"),) and not page.has_next


def test_gitlab_labels_of_the_tickets_project(api, settings):
    api.get(
        GITLAB_SPEC.base + "/api/v4/projects/ops%2Fweb/labels",
        json=[{"name": "bug"}, {"name": "backend"}],
        match=query(search="b", per_page=20, page=1),
    )
    page = client(GITLAB_SPEC, settings).list_choices("labels", "b", 1, {"target": "ops/web"})
    assert [c.value for c in page.choices] == ["bug", "backend"]


def test_github_repositories_of_the_owner_with_the_link_header(api, settings):
    repos = [
        {"name": "app", "full_name": "acme/app", "owner": {"login": "acme"}},
        {"name": "api", "full_name": "acme/api", "owner": {"login": "Acme"}},
        {"name": "app", "full_name": "other/app", "owner": {"login": "other"}},
    ]
    link = f'<{GITHUB_SPEC.base}/user/repos?page=2>; rel="next", <…>; rel="last"'
    api.get(
        GITHUB_SPEC.base + "/user/repos",
        json=repos,
        headers={"Link": link},
        match=query(per_page=100, page=1),
    )
    page = client(GITHUB_SPEC, settings).list_choices("repositories", "ap", 1)
    assert page.choices == (Choice("app", "acme/app"), Choice("api", "acme/api"))
    assert page.has_next
    page = client(GITHUB_SPEC, settings).list_choices("repositories", "api", 1)
    assert page.choices == (Choice("api", "acme/api"),)


def test_github_assignees_of_the_connectors_repository(api, settings):
    api.get(
        GITHUB_SPEC.base + "/repos/acme/app/assignees",
        json=[{"login": "octocat"}, {"login": "hubot"}],
        match=query(per_page=20, page=1),
    )
    page = client(GITHUB_SPEC, settings).list_choices("assignees", "oct", 1)
    assert page.choices == (Choice("octocat", "octocat"),) and not page.has_next


def test_jira_cloud_projects_search_pages_with_start_at(api, settings):
    api.get(
        JIRA_SPEC.base + "/rest/api/2/project/search",
        json={"values": [{"key": "OPS", "name": "Operations"}], "isLast": False, "total": 45},
        match=query(query="op", startAt=20, maxResults=20),
    )
    page = client(JIRA_SPEC, settings).list_choices("projects", "op", 2)
    assert page.choices == (Choice("OPS", "OPS: Operations"),) and page.has_next


def test_jira_data_center_projects_are_one_list_filtered_and_sliced(api, settings):
    projects = [{"key": f"P{n:02}", "name": f"Project {n}"} for n in range(30)]
    api.get(JIRA_SPEC.base + "/rest/api/2/project", json=projects)
    jira = client(JIRA_SPEC, settings, jira_version="server")
    first = jira.list_choices("projects", "", 1)
    assert len(first.choices) == 20 and first.has_next
    second = jira.list_choices("projects", "", 2)
    assert [c.value for c in second.choices] == [f"P{n:02}" for n in range(20, 30)]
    assert not second.has_next
    assert [c.value for c in jira.list_choices("projects", "project 7", 1).choices] == ["P07"]


def test_jira_issue_types_of_the_project_and_priorities(api, settings):
    api.get(
        JIRA_SPEC.base + "/rest/api/2/issue/createmeta/OPS/issuetypes",
        json={"values": [{"id": "1", "name": "Bug"}, {"id": "3", "name": "Task"}], "isLast": True},
    )
    api.get(JIRA_SPEC.base + "/rest/api/2/priority", json=[{"name": "High"}, {"name": "Low"}])
    jira = client(JIRA_SPEC, settings)
    assert [c.value for c in jira.list_choices("issue_types", "", 1).choices] == ["Bug", "Task"]
    assert [c.value for c in jira.list_choices("priorities", "hi", 1).choices] == ["High"]


def test_rt_queues_all_then_searched_by_name(api, settings):
    api.get(
        RT_SPEC.base + "/REST/2.0/queues/all",
        json={"items": [{"id": 1, "Name": "General"}], "page": 1, "pages": 2, "total": 21},
        match=query(fields="Name,Description", page=1, per_page=20),
    )
    search = json.dumps([{"field": "Name", "operator": "LIKE", "value": "sec"}])
    api.get(
        RT_SPEC.base + "/REST/2.0/queues",
        json={"items": [{"id": 4, "Name": "Security", "Description": "Incidents"}], "pages": 1},
        match=query(fields="Name,Description", page=1, per_page=20, query=search),
    )
    rt = client(RT_SPEC, settings)
    first = rt.list_choices("queues", "", 1)
    assert first.choices == (Choice("General", "General"),) and first.has_next
    found = rt.list_choices("queues", "sec", 1)
    assert found.choices == (Choice("Security", "Security: Incidents"),) and not found.has_next


def test_a_refused_token_is_a_failure_in_words_without_the_token(api, settings):
    api.get(GITLAB_SPEC.base + "/api/v4/projects", status=401, json={"message": "401 Unauthorized"})
    with pytest.raises(ChoicesFailed) as failed:
        client(GITLAB_SPEC, settings).list_choices("projects", "", 1)
    assert failed.value.message.startswith("GitLab rejected the access token (401)")
    assert GITLAB_SPEC.secrets["issue_tracker_api_token"] not in failed.value.message


def test_a_slow_tracker_times_out_in_words(api, settings):
    api.get(GITLAB_SPEC.base + "/api/v4/projects", body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(ChoicesFailed) as failed:
        client(GITLAB_SPEC, settings).list_choices("projects", "", 1)
    assert failed.value.message == "No answer from gitlab.example.com:443 within 10 s."


def test_an_unknown_picker_is_refused_without_a_request(api, settings):
    with pytest.raises(ChoicesFailed, match="cannot list"):
        client(RT_SPEC, settings).list_choices("projects", "", 1)
    assert not api.calls
