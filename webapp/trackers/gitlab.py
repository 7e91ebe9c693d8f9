"""GitLab.com and self-managed GitLab: REST API v4 with a ``PRIVATE-TOKEN``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from webapp.outbound.diagnosis import flatten
from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers.argus_mapping import ArgusAuth, ArgusInformation, ArgusMapping
from webapp.trackers.base import Reply, StageFailed, TrackerClient
from webapp.trackers.choices import PAGE_SIZE, ChoicePage, choices_from, has_next_page, items
from webapp.trackers.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    default_labels_field,
    labels_ticket_field,
    override,
    task_sync_fields,
    title_format_field,
    triage_field,
)
from webapp.trackers.issues import json_objects
from webapp.trackers.system import System
from webapp.trackers.tickets import (
    CLOSED,
    OPEN,
    CreatedIssue,
    DeliveryFailed,
    IssueDraft,
    IssuePage,
    IssueSnapshot,
    LabelOutcome,
    RemoteComment,
    tracker_time,
)
from webapp.trackers.webhooks import (
    COMMENT,
    ISSUE,
    SECRET,
    URL,
    InboundEvent,
    Webhooks,
    WebhookSetup,
    mapping,
    names,
    parse_time,
    targets,
    text,
    token_matches,
)

#: Notes scanned for a marker: the newest ones (a retry follows its attempt closely).
RECENT_NOTES = 100

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
    markdown_comments = True
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

    # ---- conversations -----------------------------------------------------

    def add_comment(
        self, issue_key: str, target: str | None, body: str, *, internal: bool = False
    ) -> RemoteComment:
        """``POST …/issues/{iid}/notes``; ``internal`` makes an internal note."""
        note = self.call(
            "POST",
            self.issue_path(issue_key, target) + "/notes",
            json={"body": body, "internal": bool(internal)},
            action="add the comment",
            creates=True,
            made="the comment",
            not_found=f"GitLab has no issue {issue_key}, or this token cannot see it.",
        )
        return self._note(note, ambiguous=True)

    def find_comment(self, issue_key: str, target: str | None, marker: str) -> RemoteComment | None:
        """The newest notes of the issue, searched for ``marker``."""
        notes = self.call(
            "GET",
            self.issue_path(issue_key, target) + "/notes",
            params={"sort": "desc", "order_by": "created_at", "per_page": RECENT_NOTES},
            action="list the issue's comments",
        )
        for note in notes if isinstance(notes, list) else []:
            if isinstance(note, dict) and marker in str(note.get("body") or ""):
                return self._note(note)
        return None

    def set_state(self, issue_key: str, target: str | None, state: str) -> None:
        """``PUT …/issues/{iid}`` with ``state_event`` close or reopen."""
        event = "close" if state == CLOSED else "reopen"
        self.call(
            "PUT",
            self.issue_path(issue_key, target),
            json={"state_event": event},
            action=f"{event} the issue",
            not_found=f"GitLab has no issue {issue_key}, or this token cannot see it.",
        )

    def _note(self, note: Any, ambiguous: bool = False) -> RemoteComment:
        if not isinstance(note, dict) or note.get("id") is None:
            raise self.failed(
                "GitLab accepted the comment but its answer has no id.", ambiguous=ambiguous
            )
        author = note.get("author") if isinstance(note.get("author"), dict) else {}
        return RemoteComment(
            external_id=str(note["id"]),
            author=str(author.get("username") or author.get("name") or ""),
            body=str(note.get("body") or ""),
            created_at=tracker_time(note.get("created_at")),
            internal=bool(note.get("internal") or note.get("confidential")),
        )

    # ---- following issues (sync, triage) -----------------------------------
    service_desk_authors = ("support-bot",)

    def fetch_issue(self, key: str, target: str | None, etag: str | None = None) -> IssueSnapshot:
        """``GET …/issues/{iid}`` and its notes (``…/notes?sort=asc``); system notes
        ("closed", "added label") are left out: the issue itself tells those."""
        project = self.issue_target(target)
        path = self.issue_path(key, target)
        issue = self.call(
            "GET",
            path,
            action="read the issue",
            not_found=f"GitLab has no issue {key} in {project}, or this token cannot see it.",
        )
        notes = self.call_pages(
            path + "/notes",
            {"sort": "asc", "order_by": "created_at"},
            action="read the issue's comments",
        )
        comments = tuple(
            RemoteComment(
                str(note["id"]),
                _username(note.get("author")),
                str(note.get("body") or ""),
                tracker_time(note.get("created_at")),
                internal=bool(note.get("internal") or note.get("confidential")),
            )
            for note in notes
            if note.get("id") is not None and not note.get("system")
        )
        return self._snapshot(issue, key, comments)

    def list_open_issues(self, target: str | None, page: int, per_page: int) -> IssuePage:
        """``GET …/issues?state=opened&per_page=&page=``; ``X-Next-Page`` says if more follow."""
        project = self.issue_target(target)
        reply = self.call_reply(
            "GET",
            self.target_path(project) + "/issues",
            params={"state": "opened", "per_page": per_page, "page": page},
            action="list open issues",
            not_found=self.no_target(project),
        )
        issues = json_objects(reply.body)
        return IssuePage(
            tuple(self._snapshot(issue, f"#{issue.get('iid')}") for issue in issues),
            self.next_page(reply, len(issues), per_page),
        )

    def next_page(self, reply: Reply, count: int, per_page: int) -> bool:
        """GitLab says ``X-Next-Page`` (empty on the last page; absent past 10,000 rows)."""
        following = reply.headers.get("X-Next-Page")
        if following is None:
            return super().next_page(reply, count, per_page)
        return bool(following.strip())

    def add_labels(self, key: str, labels: tuple[str, ...], target: str | None) -> None:
        """``PUT …/issues/{iid}`` with ``add_labels`` (the issue keeps its other labels)."""
        project = self.issue_target(target)
        self.call(
            "PUT",
            self.issue_path(key, target),
            json={"add_labels": ",".join(labels)},
            action="label the issue",
            not_found=f"GitLab has no issue {key} in {project}, or this token cannot see it.",
        )

    def _snapshot(
        self, issue: Any, key: str, comments: tuple[RemoteComment, ...] = ()
    ) -> IssueSnapshot:
        if not isinstance(issue, dict) or issue.get("state") not in ("opened", "closed"):
            raise self.failed("GitLab's answer does not describe an issue.")
        closed = issue["state"] == "closed"
        return IssueSnapshot(
            key=key,
            state=CLOSED if closed else OPEN,
            title=str(issue.get("title") or ""),
            author=_username(issue.get("author")) or None,
            labels=tuple(str(label) for label in issue.get("labels") or []),
            assignees=tuple(
                _username(person) for person in issue.get("assignees") or [] if _username(person)
            ),
            updated_at=tracker_time(issue.get("updated_at")),
            changed_by=(_username(issue.get("closed_by")) or None) if closed else None,
            changed_at=tracker_time(issue.get("closed_at")) if closed else None,
            comments=comments,
        )

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


def _username(person: Any) -> str:
    return str(person.get("username") or "") if isinstance(person, dict) else ""


def _exists(status: int, body: Any) -> bool:
    """GitLab answers 409 Conflict (``{"message": "Label already exists"}``)."""
    return status == 409


# ---- webhooks ---------------------------------------------------------------


class GitLabWebhooks(Webhooks):
    """Project webhooks: the secret token comes back as is in ``X-Gitlab-Token``.

    "Issue Hook" tells the issue's state, labels and assignees (``object_attributes.action``
    open, close, reopen, update); "Note Hook" a comment (only those on issues count).
    """

    signature_header = "X-Gitlab-Token"
    delivery_headers = ("Idempotency-Key", "X-Gitlab-Event-UUID")
    setup = WebhookSetup(
        place="In the GitLab project: Settings → Webhooks → Add new webhook.",
        fields=(("URL", URL), ("Secret token", SECRET)),
        events=("Issues events", "Comments"),
        note="Also tick Confidential issues events and Confidential comments to mirror those.",
    )

    def verify(self, secret, body, headers) -> bool:
        return token_matches(secret, headers.get(self.signature_header))

    def parse(self, headers, payload) -> InboundEvent:
        payload = mapping(payload)
        header = str(headers.get("X-Gitlab-Event") or payload.get("object_kind") or "")
        attributes = mapping(payload.get("object_attributes"))
        project = mapping(payload.get("project"))
        where = targets(project.get("path_with_namespace"), project.get("id"))
        user = mapping(payload.get("user"))
        actor = text(user.get("username")) or text(user.get("name"))
        if header.endswith("Issue Hook") or payload.get("object_kind") == "issue":
            action = text(attributes.get("action")) or "update"
            iid = text(attributes.get("iid"))
            if iid is None:
                return InboundEvent(f"{header}: {action}", reason="the event names no issue")
            state = {"opened": OPEN, "closed": CLOSED}.get(str(attributes.get("state")))
            updated_at = parse_time(attributes.get("updated_at"))
            changed_at = parse_time(attributes.get("closed_at")) if state == CLOSED else None
            labels = payload["labels"] if "labels" in payload else attributes.get("labels")
            snapshot = IssueSnapshot(
                key=f"#{iid}",
                state=state,
                title=text(attributes.get("title")),
                author=actor if action == "open" else None,
                labels=names(labels, "title", "name"),
                assignees=names(payload.get("assignees"), "username", "name"),
                updated_at=updated_at,
                changed_by=actor,
                changed_at=changed_at or updated_at,
            )
            return InboundEvent(f"{header}: {action}", ISSUE, snapshot, where)
        if header.endswith("Note Hook") or payload.get("object_kind") == "note":
            noteable = str(attributes.get("noteable_type") or "")
            name = f"{header}: {noteable or 'note'}"
            issue = mapping(payload.get("issue"))
            iid, note_id = text(issue.get("iid")), text(attributes.get("id"))
            if noteable != "Issue" or iid is None or note_id is None:
                return InboundEvent(
                    name, reason=f"a comment on a {noteable or 'thing'}, not an issue"
                )
            comment = RemoteComment(
                external_id=note_id,
                author=actor or "",
                body=str(attributes.get("note") or ""),
                created_at=parse_time(attributes.get("created_at")),
                internal=bool(attributes.get("internal") or attributes.get("confidential")),
            )
            return InboundEvent(name, COMMENT, IssueSnapshot(f"#{iid}", comments=(comment,)), where)
        return InboundEvent(header or "unknown", reason=f"{header or 'this'} event is not used")


# ---- the declaration: fields, groups and ticket fields --------------------

ARGUS = ArgusMapping(
    plugins=("argus_ticket_gitlab.GitlabPlugin", "argus.incident.ticket.gitlab.GitlabPlugin"),
    auth=(ArgusAuth({"token": "issue_tracker_api_token"}),),
    information=(ArgusInformation("project_namespace_and_name", ("gitlab_project",)),),
    labels_param="default_labels",
)

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
        default_labels_field(),
        triage_field(service_desk=True),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, PROJECT_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="gitlab_project",
    client_class=GitLabClient,
    ticket_fields=(
        labels_ticket_field(),
        Field(
            "confidential",
            "Confidential",
            FieldKind.BOOL,
            default=False,
            help="Only project members with Planner access or higher see confidential issues.",
        ),
    ),
    ticket_defaults_from={"labels": "default_labels"},
    category_mapping="label",
    internal_comment_label="Internal note",
    argus=ARGUS,
    webhooks=GitLabWebhooks(),
)
