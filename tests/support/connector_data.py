"""Valid connector settings per built-in system, with distinctive secret values."""

from __future__ import annotations

GITHUB_TOKEN = "ghp_SECRET_github_token_1f2e3d"
GITLAB_TOKEN = "glpat-SECRET-gitlab-token-9a8b7c"
JIRA_PASSWORD = "SECRET-jira-api-token-5d6e7f"
RT_PASSWORD = "SECRET-rt-password-4c3b2a"
ALL_SECRETS = (GITHUB_TOKEN, GITLAB_TOKEN, JIRA_PASSWORD, RT_PASSWORD)

#: What an admin types into each system's form (params only).
FORM_PARAMS: dict[str, dict[str, str]] = {
    "github": {
        "issue_tracker_server": "api.github.com",
        "issue_tracker_method": "https",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_auth_mode": "api_token",
        "issue_tracker_api_token": GITHUB_TOKEN,
        "github_repo_owner": "octo-org",
        "github_repo_name": "hello-world",
        "title_format": "$title",
    },
    "gitlab": {
        "issue_tracker_server": "gitlab.example.com",
        "issue_tracker_method": "https",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_auth_mode": "api_token",
        "issue_tracker_api_token": GITLAB_TOKEN,
        "gitlab_project": "group/project",
        "title_format": "[$category] $title",
    },
    "jira": {
        "issue_tracker_server": "example.atlassian.net",
        "issue_tracker_method": "https",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_auth_mode": "basic",
        "issue_tracker_user": "ops@example.com",
        "issue_tracker_pass": JIRA_PASSWORD,
        "jira_version": "cloud",
        "jira_project_key": "OPS",
        "jira_issue_type": "Task",
        "title_format": "$title",
    },
    "rt": {
        "issue_tracker_server": "rt.example.com/rt",
        "issue_tracker_method": "https",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_auth_mode": "basic",
        "issue_tracker_user": "root",
        "issue_tracker_pass": RT_PASSWORD,
        "rt_queue": "General",
        "rt_custom_fields": "Severity=High\nTeam=Ops",
        "title_format": "$title",
    },
}

SECRET_OF = {
    "github": ("issue_tracker_api_token", GITHUB_TOKEN),
    "gitlab": ("issue_tracker_api_token", GITLAB_TOKEN),
    "jira": ("issue_tracker_pass", JIRA_PASSWORD),
    "rt": ("issue_tracker_pass", RT_PASSWORD),
}


def api_params(system_id: str) -> dict:
    """The same settings as an API client would send them (typed JSON values)."""
    params = dict(FORM_PARAMS[system_id])
    params["issue_tracker_validate_cert"] = True
    if "rt_custom_fields" in params:
        params["rt_custom_fields"] = {"Severity": "High", "Team": "Ops"}
    return params
