"""GitLab issues, on gitlab.com or a self-managed instance."""

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
from webapp.systems.fields import Field, FieldGroup, FieldKind
from webapp.trackers.gitlab import GitLabClient

PROJECT_GROUP = FieldGroup("project", "Project")
# A numeric project id, or a path with at least one namespace: group/sub/project.
_PROJECT_PATTERN = r"[0-9]+|[A-Za-z0-9_.][A-Za-z0-9_.-]*(/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+"

GITLAB = System(
    id="gitlab",
    short_name="GitLab",
    name="GitLab",
    description="Issues in GitLab projects on gitlab.com or a self-managed GitLab.",
    docs_url="https://docs.gitlab.com/ee/api/issues.html",
    fields=(
        *override(
            connection_fields(default_server="gitlab.com"),
            issue_tracker_server={
                "help": "gitlab.com, or the host of your self-managed GitLab "
                "(with /path if it is not at the root), without https://.",
            },
            issue_tracker_api_token={
                "label": "Access token",
                "help": "A project or personal access token with the api scope.",
            },
        ),
        Field(
            "gitlab_project",
            "Project",
            group=PROJECT_GROUP.id,
            pattern=_PROJECT_PATTERN,
            pattern_message="Enter namespace/name (e.g. group/project) or a numeric project id.",
            help="namespace/name (e.g. group/project) or numeric id of the project for new "
            "issues; leave empty to choose one per ticket.",
        ),
        title_format_field(),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, PROJECT_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="gitlab_project",
    client_class=GitLabClient,
    ticket_fields=(
        Field("labels", "Labels", help="Extra labels, comma-separated."),
        Field(
            "confidential",
            "Confidential",
            FieldKind.BOOL,
            default=False,
            help="Only project members with Planner access or higher see confidential issues.",
        ),
    ),
    category_mapping="label",
)
