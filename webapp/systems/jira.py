"""Jira Cloud and Jira Data Center / Server issues."""

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
from webapp.trackers.jira import JiraClient

PROJECT_GROUP = FieldGroup("project", "Project")

JIRA = System(
    id="jira",
    short_name="Jira",
    name="Jira",
    api_names=("JIRA", "JIRA"),
    description="Issues in Jira Cloud or Jira Data Center / Server projects.",
    docs_url="https://developer.atlassian.com/cloud/jira/platform/rest/v2/",
    fields=(
        *override(
            connection_fields(auth_modes=("basic", "api_token")),
            issue_tracker_server={
                "help": "e.g. my-company.atlassian.net, or jira.example.com/jira for "
                "Data Center / Server; without https://.",
            },
            issue_tracker_auth_mode={
                "choices": (
                    ("basic", "User/email and password or API token"),
                    ("api_token", "Personal access token (Data Center / Server)"),
                ),
                "help": "Jira Cloud: your email and an API token. Data Center / Server: "
                "a personal access token (sent as Bearer), or user name and password.",
            },
            issue_tracker_api_token={
                "label": "Personal access token",
                "help": "Created under Profile > Personal Access Tokens in Jira "
                "Data Center / Server.",
            },
            issue_tracker_user={
                "label": "User name or email",
                "help": "Jira Cloud: your Atlassian account email. "
                "Data Center / Server: your user name.",
            },
            issue_tracker_pass={
                "label": "Password or API token",
                "help": "Jira Cloud: an API token from id.atlassian.com (passwords are refused). "
                "Data Center / Server: your password.",
            },
        ),
        Field(
            "jira_version",
            "Jira version",
            FieldKind.CHOICE,
            default="cloud",
            group=CONNECTION_GROUP.id,
            choices=(
                ("cloud", "Jira Cloud"),
                ("server", "Jira Data Center / Server"),
                ("5", "Jira 5 or later (SD Elements value; same as Data Center / Server)"),
            ),
            help="Decides which REST API flavour is used.",
        ),
        Field(
            "jira_project_key",
            "Project key",
            group=PROJECT_GROUP.id,
            pattern=r"^[A-Z][A-Z0-9_]+$",
            pattern_message="Enter the project key: capital letters, digits and _, e.g. SEC.",
            help="Key of the project for new issues, e.g. SEC; "
            "leave empty to choose one per ticket.",
        ),
        Field(
            "jira_issue_type",
            "Issue type",
            default="Task",
            group=TICKETS_GROUP.id,
            help="Name of the issue type new issues get, e.g. Task or Bug.",
        ),
        title_format_field(),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, PROJECT_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="jira_project_key",
    client_class=JiraClient,
    ticket_fields=(
        Field(
            "issue_type",
            "Issue type",
            required=True,
            default="Task",
            help="Name of an issue type of the project, e.g. Task or Bug.",
        ),
        Field(
            "labels",
            "Labels",
            help="Extra labels, comma-separated. Jira labels cannot contain spaces: "
            "spaces become hyphens.",
        ),
        Field("priority", "Priority", help="Name of a priority, e.g. High; empty: Jira's default."),
    ),
    ticket_defaults_from={"issue_type": "jira_issue_type"},
    category_mapping="label",
    label_colours=False,
    label_note="Jira labels have no colour and cannot contain spaces: spaces become hyphens.",
)
