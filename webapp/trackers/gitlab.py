"""GitLab.com and self-managed GitLab: REST API v4 with a ``PRIVATE-TOKEN``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from webapp.outbound.diagnosis import flatten
from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers.base import Reply, StageFailed, TrackerClient
from webapp.trackers.choices import PAGE_SIZE, ChoicePage, choices_from, has_next_page, items
from webapp.trackers.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    override,
    task_sync_fields,
    title_format_field,
)
from webapp.trackers.system import System
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft, LabelOutcome

GUEST = 10  # the lowest access level that may create issues
ACCESS_LEVELS = {
    5: "Minimal access",
    10: "Guest",
    15: "Planner",
    20: "Reporter",
    30: "Developer",
    40: "Maintainer",
    50: "Owner",
}


class GitLabClient(TrackerClient):
    """``GET /api/v4/user``, then ``/api/v4/projects/{id or url-encoded path}``."""

    user_path = "/api/v4/user"
    target_noun = "project"
    auth_header = "PRIVATE-TOKEN"
    auth_scheme = ""
    key_advice = "check it has the api scope and has not expired."
    field_names = {"title": "title", "description": "description", "labels": "labels"}
    pickers = ("projects", "labels")

    def signed_in_message(self, body: dict[str, Any]) -> str:
        return f"Signed in as {body.get('username') or 'an unnamed user'}."

    def error_text(self, body: dict[str, Any]) -> str:
        """GitLab says ``message`` (text or per field) or, for OAuth-style errors, ``error``."""
        return flatten(body.get("message") or body.get("error"))

    def target_path(self, name: str) -> str:
        return f"/api/v4/projects/{quote(name, safe='')}"

    def check_permission(self, target: Reply) -> StageResult:
        """Issues enabled, the token's scope, and a membership of Guest or higher."""
        project = target.body
        name = project.get("path_with_namespace") or self.target_name()
        if project.get("issues_enabled") is False:
            return StageResult(
                Stage.PERMISSION,
                StageStatus.FAILED,
                f"Issues are turned off in {name}.",
                hint="Turn them on under the project's Settings > General > Visibility.",
            )
        scope_problem = self._scope_problem()
        if scope_problem:
            return StageResult(Stage.PERMISSION, StageStatus.FAILED, scope_problem)
        permissions = project.get("permissions") or {}
        level = max(
            ((permissions.get(kind) or {}).get("access_level") or 0)
            for kind in ("project_access", "group_access")
        )
        if level >= GUEST:
            role = ACCESS_LEVELS.get(level, f"level {level}")
            message = f"Issues are on in {name} and your {role} access may create them."
            return StageResult(Stage.PERMISSION, StageStatus.OK, message)
        if project.get("visibility") in ("public", "internal"):
            message = (
                f"You are not a member of {name}: GitLab lets signed-in users open issues in "
                f"{project['visibility']} projects, but some fields may be ignored."
            )
            hint = "Ask for Guest access or higher to be sure."
            return StageResult(Stage.PERMISSION, StageStatus.WARNING, message, hint=hint)
        message = f"Your access to {name} does not allow creating issues: Guest or higher may."
        return StageResult(Stage.PERMISSION, StageStatus.FAILED, message)

    def _scope_problem(self) -> str | None:
        """A token without the api scope can read but not create issues (GitLab 15.5+ tells)."""
        try:
            reply = self.get_json(Stage.PERMISSION, "/api/v4/personal_access_tokens/self")
        except StageFailed:
            return None  # older GitLab, or a token type that cannot describe itself
        scopes = reply.body.get("scopes")
        if not isinstance(scopes, list) or "api" in scopes:
            return None
        listed = ", ".join(str(s) for s in scopes) or "none"
        return f"The token's scopes ({listed}) do not include api, which creating issues needs."

    # ---- pickers ---------------------------------------------------------
    def choices_projects(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /api/v4/projects?membership=true&simple=true&search=``: the user's projects."""
        params: dict[str, Any] = {"membership": "true", "simple": "true"}
        if search:
            params["search"] = search
            if "/" in search:  # group/proj: match the namespace too
                params["search_namespaces"] = "true"
        reply = self.fetch(
            "/api/v4/projects", {**params, "per_page": PAGE_SIZE, "page": page}, "projects"
        )
        found = choices_from(
            items(reply.body),
            "path_with_namespace",
            lambda p: p.get("name_with_namespace") or p.get("path_with_namespace"),
        )
        return ChoicePage(tuple(found), page, has_next_page(reply.headers))

    def choices_labels(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /api/v4/projects/{id}/labels?search=``: the ticket's project's labels."""
        project = self.issue_target(context.get("target"))
        params: dict[str, Any] = {"per_page": PAGE_SIZE, "page": page}
        if search:
            params["search"] = search
        reply = self.fetch(self.target_path(project) + "/labels", params, "labels")
        found = choices_from(items(reply.body), "name", lambda label: label.get("name"))
        return ChoicePage(tuple(found), page, has_next_page(reply.headers))

    # ---- tickets ---------------------------------------------------------
    def create_issue(self, draft: IssueDraft) -> CreatedIssue:
        """``POST /api/v4/projects/{id or url-encoded path}/issues``."""
        project = self.issue_target(draft.target)
        payload: dict[str, Any] = {"title": draft.title, "description": draft.body}
        if draft.labels:
            payload["labels"] = ",".join(draft.labels)
        payload["confidential"] = bool(draft.fields.get("confidential", False))
        issue = self.call(
            "POST",
            self.target_path(project) + "/issues",
            json=payload,
            action="create the issue",
            creates=True,
            not_found=self.no_target(project),
        )
        return self._created(issue)

    def find_issue(self, marker: str, target: str | None) -> CreatedIssue | None:
        """Search descriptions for ``marker``; a hit counts only if it really holds it."""
        project = self.issue_target(target)
        issues = self.call(
            "GET",
            self.target_path(project) + "/issues",
            params={"search": marker, "in": "description"},
            action="search issues",
        )
        for issue in issues if isinstance(issues, list) else []:
            if isinstance(issue, dict) and marker in str(issue.get("description") or ""):
                return self._created(issue)
        return None

    def ensure_label(self, name: str, colour: str, target: str | None) -> LabelOutcome:
        """``POST /api/v4/projects/{id}/labels``; 409 means it is already there."""
        try:
            project = self.issue_target(target)
        except DeliveryFailed as failure:
            return LabelOutcome(name, "failed", failure.message)
        payload = {"name": name, "color": "#" + (colour.strip().lstrip("#") or "428bca")}
        path = self.target_path(project) + "/labels"
        return self.create_label(name, path, payload, _exists)

    def _created(self, issue: Any) -> CreatedIssue:
        try:
            iid = int(issue["iid"])
            return CreatedIssue(f"#{iid}", str(issue["web_url"]), str(iid))
        except (TypeError, KeyError, ValueError):
            raise self.failed(
                "GitLab accepted the issue but its answer has no number or link.",
                ambiguous=True,
            ) from None

    def field_errors(self, body: Any) -> dict[str, list[str]]:
        """``{"message": {"title": ["is too long"]}}`` or ``{"error": "title is missing"}``."""
        if not isinstance(body, dict):
            return {}
        message = body.get("message")
        if isinstance(message, dict):
            return {
                self.ticket_field(str(name)): [flatten(texts)]
                for name, texts in message.items()
                if texts
            }
        error = body.get("error")
        name = str(error).split(" ", 1)[0] if isinstance(error, str) else ""
        return {self.ticket_field(name): [str(error)]} if name in self.field_names else {}


def _exists(status: int, body: Any) -> bool:
    """GitLab answers 409 Conflict (``{"message": "Label already exists"}``)."""
    return status == 409


# ---- the declaration: fields, groups and ticket fields --------------------

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
            picker="projects",
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
        Field(
            "labels",
            "Labels",
            help="Extra labels, comma-separated.",
            picker="labels",
            picker_adds=True,
        ),
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
