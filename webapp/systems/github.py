"""GitHub and GitHub Enterprise Server issues."""

from __future__ import annotations

from webapp.systems.base import System
from webapp.systems.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    override,
    task_sync_fields,
    title_format_field,
)
from webapp.systems.fields import Field, FieldGroup
from webapp.trackers.github import GitHubClient

REPOSITORY_GROUP = FieldGroup("repository", "Repository")

GITHUB = System(
    id="github",
    short_name="GitHub",
    name="GitHub",
    description="Issues in GitHub.com or GitHub Enterprise Server repositories.",
    docs_url="https://docs.github.com/en/rest/issues/issues",
    fields=(
        *override(
            connection_fields(default_server="api.github.com"),
            issue_tracker_server={
                "help": "api.github.com for GitHub.com. For GitHub Enterprise Server enter its "
                "host name (e.g. github.example.com); the API is then https://HOST/api/v3.",
            },
            issue_tracker_api_token={
                "label": "Personal access token",
                "help": "Classic token with the repo scope, or a fine-grained token with "
                "read and write access to Issues.",
            },
        ),
        Field(
            "github_repo_owner",
            "Repository owner",
            required=True,
            group=REPOSITORY_GROUP.id,
            help="User or organisation that owns the repositories.",
        ),
        Field(
            "github_repo_name",
            "Repository",
            group=REPOSITORY_GROUP.id,
            max_length=100,
            pattern=r"[A-Za-z0-9._-]+",
            pattern_message="Use the repository name only: letters, digits, '.', '_' and '-'.",
            help="Repository for new issues; leave empty to choose one per ticket.",
        ),
        title_format_field(),
        Field(
            "github_duplicate_label",
            "Duplicate label",
            default="duplicate",
            group=TICKETS_GROUP.id,
            help="Issues carrying this label are treated as duplicates of another issue.",
        ),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, REPOSITORY_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="github_repo_name",
    client_class=GitHubClient,
    ticket_fields=(
        Field("labels", "Labels", help="Extra labels, comma-separated."),
        Field(
            "assignees",
            "Assignees",
            help="GitHub logins, comma-separated, e.g. octocat, hubot; "
            "they need access to the repository.",
        ),
    ),
    category_mapping="label",
)
