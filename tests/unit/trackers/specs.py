"""The built-in systems' healthy trackers, as ``responses`` answers, for the stage tests.

``SPECS`` is not this table: it is one spec per REGISTERED system (built-ins and installed
plugins), each from the system's test material (``tests/support/material.py``), so a new
system runs every generic stage test and a system without material fails by name.
"""

from __future__ import annotations

from typing import Any

from tests.support.stage_spec import Spec, basic_auth
from webapp.trackers.github import GITHUB
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT

GITHUB_TOKEN = "ghp_SECRET+gh/0123456789=x"
GITLAB_TOKEN = "glpat-SECRET+gl/42=y"
JIRA_PASSWORD = "SECRET+jira/api=token"
RT_TOKEN = "1-99-SECRET+rt/abcdef"
GITHUB_REPO = {
    "full_name": "acme/app",
    "private": True,
    "has_issues": True,
    "permissions": {"admin": False, "push": True, "pull": True},
}
GITLAB_PROJECT = {
    "id": 7,
    "path_with_namespace": "group/proj",
    "visibility": "private",
    "issues_enabled": True,
    "permissions": {"project_access": {"access_level": 30}, "group_access": None},
}
RT_QUEUE = {
    "id": 1,
    "Name": "General",
    "Disabled": "0",
    "_hyperlinks": [{"ref": "self", "type": "queue", "id": "1"}, {"ref": "create"}],
}

#: The built-in systems' specs, which their test material (tests/support/builtin_material.py) names.
BUILTIN_SPECS = [
    Spec(
        system=GITHUB,
        host="github.example.com",
        params={
            "issue_tracker_server": "github.example.com",
            "github_repo_owner": "acme",
            "github_repo_name": "app",
        },
        secrets={"issue_tracker_api_token": GITHUB_TOKEN},
        base="https://github.example.com/api/v3",
        credentials={"Authorization": f"Bearer {GITHUB_TOKEN}"},
        auth_path="/user",
        user_body={"login": "octocat"},
        user_headers={"X-OAuth-Scopes": "repo, read:org"},
        target_path="/repos/acme/app",
        target_body=GITHUB_REPO,
        error_body=lambda message: {"message": message, "documentation_url": "https://docs"},
        tracker_401="Bad credentials",
        target_noun="repository",
        create_path="/repos/acme/app/issues",
        no_permission={"/repos/acme/app": {**GITHUB_REPO, "has_issues": False}},
        # the owner alone is still looked up
        unset_target_params={"github_repo_owner": "", "github_repo_name": ""},
    ),
    Spec(
        system=GITLAB,
        host="gitlab.example.com",
        params={"issue_tracker_server": "gitlab.example.com", "gitlab_project": "group/proj"},
        secrets={"issue_tracker_api_token": GITLAB_TOKEN},
        base="https://gitlab.example.com",
        credentials={"PRIVATE-TOKEN": GITLAB_TOKEN},
        auth_path="/api/v4/user",
        user_body={"id": 1, "username": "root"},
        target_path="/api/v4/projects/group%2Fproj",
        target_body=GITLAB_PROJECT,
        error_body=lambda message: {"message": message},
        tracker_401="401 Unauthorized",
        target_noun="project",
        create_path="/api/v4/projects/group%2Fproj/issues",
        extra={"/api/v4/personal_access_tokens/self": {"scopes": ["api"]}},
        no_permission={
            "/api/v4/projects/group%2Fproj": {
                **GITLAB_PROJECT,
                "permissions": {"project_access": {"access_level": 5}, "group_access": None},
            }
        },
    ),
    Spec(
        system=JIRA,
        host="jira.example.com",
        params={
            "issue_tracker_server": "jira.example.com/jira",
            "issue_tracker_auth_mode": "basic",
            "issue_tracker_user": "me@example.com",
            "jira_project_key": "OPS",
        },
        secrets={"issue_tracker_pass": JIRA_PASSWORD},
        base="https://jira.example.com/jira",
        credentials={"Authorization": basic_auth("me@example.com", JIRA_PASSWORD)},
        auth_path="/rest/api/2/myself",
        user_body={"displayName": "Me", "emailAddress": "me@example.com"},
        target_path="/rest/api/2/project/OPS",
        target_body={"key": "OPS", "name": "Operations", "issueTypes": [{"name": "Task"}]},
        error_body=lambda message: {"errorMessages": [message], "errors": {}},
        tracker_401="Client must be authenticated to access this resource.",
        target_noun="project",
        create_path="/rest/api/2/issue",
        extra={
            "/rest/api/2/mypermissions": {
                "permissions": {"CREATE_ISSUES": {"key": "CREATE_ISSUES", "havePermission": True}}
            }
        },
        no_permission={
            "/rest/api/2/mypermissions": {
                "permissions": {"CREATE_ISSUES": {"key": "CREATE_ISSUES", "havePermission": False}}
            }
        },
    ),
    Spec(
        system=RT,
        host="rt.example.com",
        params={"issue_tracker_server": "rt.example.com/rt", "rt_queue": "General"},
        secrets={"issue_tracker_api_token": RT_TOKEN},
        base="https://rt.example.com/rt",
        credentials={"Authorization": f"token {RT_TOKEN}"},
        auth_path="/REST/2.0/rt",
        user_body={"Version": "5.0.3", "Plugins": []},
        target_path="/REST/2.0/queue/General",
        target_body=RT_QUEUE,
        error_body=lambda message: {"message": message},
        tracker_401="Unauthorized",
        target_noun="queue",
        create_path="/REST/2.0/ticket",
        no_permission={"/REST/2.0/queue/General": {**RT_QUEUE, "_hyperlinks": [{"ref": "self"}]}},
    ),
]
GITHUB_SPEC, GITLAB_SPEC, JIRA_SPEC, RT_SPEC = BUILTIN_SPECS


def __getattr__(name: str) -> Any:
    """``SPECS``: the registered systems' specs, loaded on first use (PEP 562).

    Lazily, because loading test material imports the built-ins' material, which reads
    this module's table.
    """
    if name == "SPECS":
        from tests.support.material import registered_specs

        return registered_specs()
    raise AttributeError(name)
