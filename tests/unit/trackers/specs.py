"""One healthy tracker per system, as ``responses`` answers, for the stage tests.

Why a table: every stage failure must be tested for every system, so the
tests are written once and parametrised over these specs; each spec says
where its tracker's API lives, what a healthy answer looks like, how its
errors are shaped and how it says "you may not create issues".  Secrets are
distinctive (with characters that URL-encode) so leaks are easy to spot.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import responses

from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import CheckResult
from webapp.trackers import check_connection
from webapp.trackers.github import GITHUB
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT
from webapp.trackers.system import System

Json = dict[str, Any]


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass(frozen=True)
class Spec:
    system: System
    host: str
    params: Json
    secrets: dict[str, str]
    base: str
    credentials: dict[str, str]  # the header(s) that must carry the secret
    auth_path: str
    user_body: Json
    target_path: str
    target_body: Json
    error_body: Callable[[str], Any]
    tracker_401: str  # the tracker's own words in its 401 body
    extra: dict[str, Json] = field(default_factory=dict)  # further healthy GETs by path
    no_permission: dict[str, Json] = field(default_factory=dict)  # bodies that deny creation
    user_headers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.system.id

    @property
    def target_param(self) -> str:
        assert self.system.target_field is not None
        return self.system.target_field

    @property
    def unset_target(self) -> Json:
        """Params that name no target, so tickets would ask for one."""
        if self.system.id == "github":  # the owner alone is still looked up
            return {"github_repo_owner": "", "github_repo_name": ""}
        return {self.target_param: ""}

    @property
    def secret_values(self) -> list[str]:
        return list(self.secrets.values())

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, api: responses.RequestsMock, **by_path: Json) -> None:
        """Register healthy answers; ``by_path`` replaces a path's ``responses`` kwargs."""
        healthy: dict[str, Json] = {
            self.auth_path: {"json": self.user_body, "headers": self.user_headers},
            self.target_path: {"json": self.target_body},
            **{path: {"json": body} for path, body in self.extra.items()},
        }
        for path, kwargs in {**healthy, **by_path}.items():
            api.add(responses.GET, self.url(path), **kwargs)

    def check(self, settings: OutboundSettings, **params: Any) -> CheckResult:
        return check_connection(self.system, {**self.params, **params}, self.secrets, settings)


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

SPECS = [
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
        no_permission={"/repos/acme/app": {**GITHUB_REPO, "has_issues": False}},
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
        credentials={"Authorization": _basic("me@example.com", JIRA_PASSWORD)},
        auth_path="/rest/api/2/myself",
        user_body={"displayName": "Me", "emailAddress": "me@example.com"},
        target_path="/rest/api/2/project/OPS",
        target_body={"key": "OPS", "name": "Operations", "issueTypes": [{"name": "Task"}]},
        error_body=lambda message: {"errorMessages": [message], "errors": {}},
        tracker_401="Client must be authenticated to access this resource.",
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
        no_permission={"/REST/2.0/queue/General": {**RT_QUEUE, "_hyperlinks": [{"ref": "self"}]}},
    ),
]
