"""GitHub.com and GitHub Enterprise Server: REST API v3 with a personal access token."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup
from webapp.trackers import webhooks as hooks
from webapp.trackers.argus_mapping import ArgusAuth, ArgusInformation, ArgusMapping
from webapp.trackers.base import Reply
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
from webapp.trackers.repositories import RepositoryClient
from webapp.trackers.system import System
from webapp.trackers.tickets import (
    CLOSED,
    OPEN,
    CreatedIssue,
    DeliveryFailed,
    IssueSnapshot,
    LabelOutcome,
    RemoteComment,
)

GITHUB_COM_API = "api.github.com"
ENTERPRISE_API_PATH = "/api/v3"
#: Repository roles that may open issues *and* set their labels and assignees.
TRIAGE_ROLES = ("admin", "maintain", "push", "triage")
FINE_GRAINED_HINT = (
    "GitHub does not show a fine-grained token's own permissions: it also needs read and "
    "write access to Issues on this repository."
)
#: How many of the newest issues are scanned for a marker that search has not indexed yet.
RECENT_ISSUES = 50
#: What GitHub's 422 ``errors[].code`` values mean, for field messages without a text.
ERROR_CODES = {
    "missing": "does not exist",
    "missing_field": "is required",
    "invalid": "is not valid",
    "already_exists": "already exists",
    "unprocessable": "could not be processed",
}


class GitHubClient(RepositoryClient):
    """``GET /user``, then ``/repos/{owner}/{repo}`` (or ``/users/{owner}``)."""

    user_path = "/user"
    owner_param, repo_param = "github_repo_owner", "github_repo_name"
    key_advice = "check it is a current personal access token, not expired or revoked."
    extra_headers = {"Accept": "application/vnd.github+json"}
    field_names = {"title": "title", "body": "description"}

    @property
    def api_prefix(self) -> str:
        """api.github.com is the API itself; Enterprise Server serves it under /api/v3."""
        address = self.config.address
        if address.host.lower() == GITHUB_COM_API or address.path.endswith(ENTERPRISE_API_PATH):
            return ""
        return ENTERPRISE_API_PATH

    def signed_in_message(self, body: dict[str, Any]) -> str:
        return f"Signed in as {body.get('login') or 'an unnamed user'}."

    def check_target(self) -> StageResult:
        """Without a repository, check at least that the owner exists."""
        if self.target_name() is not None or not self.owner:
            return super().check_target()
        reply = self.get_json(
            Stage.TARGET,
            f"/users/{quote(self.owner, safe='')}",
            not_found=f"GitHub has no user or organisation {self.owner}.",
        )
        kind = "organisation" if reply.body.get("type") == "Organization" else "user"
        message = f"Found {kind} {self.owner}; no repository set: tickets will ask for one."
        return self.passed(Stage.TARGET, message, reply)

    def check_permission(self, target: Reply) -> StageResult:
        """Issues enabled, and the user's role on the repository (plus classic token scopes)."""
        repo = target.body
        name = repo.get("full_name") or self.target_name()
        if repo.get("has_issues") is False:
            return StageResult(
                Stage.PERMISSION,
                StageStatus.FAILED,
                f"Issues are turned off for {name}.",
                hint="Turn on Issues under the repository's Settings > General > Features.",
            )
        permissions = repo.get("permissions")
        if not isinstance(permissions, dict):
            message = f"Not checked: GitHub did not say what this token may do in {name}."
            return StageResult(Stage.PERMISSION, StageStatus.WARNING, message)
        scope_problem = self._scope_problem(bool(repo.get("private")))
        if scope_problem:
            return StageResult(Stage.PERMISSION, StageStatus.WARNING, scope_problem)
        role = next((r for r in TRIAGE_ROLES if permissions.get(r)), None)
        hint = None if self._scopes() is not None else FINE_GRAINED_HINT
        if role:
            message = f"Issues are on in {name} and your {role} access may open issues with labels."
            return StageResult(Stage.PERMISSION, StageStatus.OK, message, hint=hint)
        if permissions.get("pull"):
            message = (
                f"You have read access only to {name}: GitHub lets you open issues, "
                "but silently drops their labels and assignees."
            )
            return StageResult(Stage.PERMISSION, StageStatus.WARNING, message, hint=hint)
        message = f"This token has no access to {name}: it cannot open issues there."
        return StageResult(Stage.PERMISSION, StageStatus.FAILED, message)

    def _scopes(self) -> set[str] | None:
        """A classic token's scopes (``X-OAuth-Scopes``); ``None`` for fine-grained tokens."""
        header = self.signed_in.headers.get("X-OAuth-Scopes") if self.signed_in else None
        return None if header is None else {s.strip() for s in header.split(",") if s.strip()}

    def _scope_problem(self, private: bool) -> str | None:
        scopes = self._scopes()
        needed = {"repo"} if private else {"repo", "public_repo"}
        if scopes is None or scopes & needed:
            return None
        wanted = " or ".join(sorted(needed, reverse=True))
        return (
            f"The token's scopes ({', '.join(sorted(scopes)) or 'none'}) do not include "
            f"{wanted}, which GitHub requires to create issues here."
        )

    # ---- tickets ---------------------------------------------------------
    def find_issue(self, marker: str, target: str | None) -> CreatedIssue | None:
        """Search bodies for ``marker``, then scan the newest issues: search lags behind."""
        repo = self.issue_target(target)
        search_failure: DeliveryFailed | None = None
        try:
            found = self.call(
                "GET",
                "/search/issues",
                params={"q": f'"{marker}" in:body repo:{repo}'},
                action="search issues",
            )
        except DeliveryFailed as failure:  # the listing below may still find it
            search_failure, found = failure, {}
        hit = _with_marker(found.get("items") if isinstance(found, dict) else None, marker)
        if hit is None:
            recent = self.call(
                "GET",
                self.target_path(repo) + "/issues",
                params={
                    "state": "all",
                    "sort": "created",
                    "direction": "desc",
                    "per_page": RECENT_ISSUES,
                },
                action="list recent issues",
            )
            hit = _with_marker(recent, marker)
        if hit is None and search_failure is not None:
            raise search_failure  # not found in the newest issues, and search could not say
        return None if hit is None else self.created(hit)

    def ensure_label(self, name: str, colour: str, target: str | None) -> LabelOutcome:
        """``POST /repos/{owner}/{repo}/labels``; a 422 ``already_exists`` is success."""
        try:
            repo = self.issue_target(target)
        except DeliveryFailed as failure:
            return LabelOutcome(name, "failed", failure.message)
        payload = {"name": name, "color": colour.strip().lstrip("#").lower() or "ededed"}
        return self.create_label(name, self.target_path(repo) + "/labels", payload, _exists)

    def rate_limited(self, response: requests.Response) -> bool:
        """GitHub answers an exhausted or secondary rate limit with 403 as well as 429."""
        if response.status_code == 403:
            said = (self.tracker_message(response) or "").lower()
            return response.headers.get("X-RateLimit-Remaining") == "0" or "rate limit" in said
        return super().rate_limited(response)

    def field_errors(self, body: Any) -> dict[str, list[str]]:
        """422 ``{"errors": [{"field", "code", "message", "value"}]}`` per field."""
        errors = body.get("errors") if isinstance(body, dict) else None
        fields: dict[str, list[str]] = {}
        for error in errors if isinstance(errors, list) else []:
            if not isinstance(error, dict) or not error.get("field"):
                continue
            text = error.get("message") or ERROR_CODES.get(error.get("code"), "is not valid")
            if error.get("value") not in (None, "") and not error.get("message"):
                text = f"{error['value']} {text}"
            fields.setdefault(self.ticket_field(str(error["field"])), []).append(str(text))
        return fields


def _with_marker(issues: Any, marker: str) -> dict[str, Any] | None:
    """The first issue whose body really holds ``marker`` (search may match loosely)."""
    for issue in issues if isinstance(issues, list) else []:
        if isinstance(issue, dict) and marker in str(issue.get("body") or ""):
            return issue
    return None


def _exists(status: int, body: Any) -> bool:
    """GitHub answers 422 with an ``already_exists`` error for a label it has."""
    errors = body.get("errors") if isinstance(body, dict) else None
    return status == 422 and any(
        isinstance(e, dict) and e.get("code") == "already_exists"
        for e in (errors if isinstance(errors, list) else [])
    )


# ---- webhooks ---------------------------------------------------------------


class GitHubWebhooks(hooks.Webhooks):
    """Repository webhooks signed ``X-Hub-Signature-256: sha256=<hex HMAC of the body>``;
    ``X-GitHub-Event`` says ``issues`` (opened, closed, reopened, labeled, assigned, …) or
    ``issue_comment`` (created)."""

    signature_header = "X-Hub-Signature-256"
    delivery_headers = ("X-GitHub-Delivery",)
    setup = hooks.WebhookSetup(
        place="In the GitHub repository: Settings → Webhooks → Add webhook.",
        fields=(
            ("Payload URL", hooks.URL),
            ("Content type", "application/json"),
            ("Secret", hooks.SECRET),
        ),
        events=("Issues", "Issue comments"),
        note='Choose "Let me select individual events" to pick them.',
    )

    def verify(self, secret, body, headers) -> bool:
        return hooks.hmac_sha256_matches(secret, body, headers.get(self.signature_header))

    def parse(self, headers, payload) -> hooks.InboundEvent:
        payload = hooks.mapping(payload)
        event = str(headers.get("X-GitHub-Event") or "unknown")
        action = hooks.text(payload.get("action")) or ""
        name = f"{event}.{action}" if action else event
        issue = hooks.mapping(payload.get("issue"))
        number = hooks.text(issue.get("number"))
        repository = hooks.mapping(payload.get("repository"))
        where = hooks.targets(repository.get("full_name"), repository.get("name"))
        actor = hooks.text(hooks.mapping(payload.get("sender")).get("login"))
        if event not in ("issues", "issue_comment"):
            return hooks.InboundEvent(name, reason=f"{event} events are not used")
        if number is None:
            return hooks.InboundEvent(name, reason="the event names no issue")
        if event == "issue_comment":
            comment = hooks.mapping(payload.get("comment"))
            comment_id = hooks.text(comment.get("id"))
            if action != "created" or comment_id is None:
                return hooks.InboundEvent(name, reason=f"comments {action} are not mirrored")
            remote = RemoteComment(
                external_id=comment_id,
                author=hooks.text(hooks.mapping(comment.get("user")).get("login")) or "",
                body=str(comment.get("body") or ""),
                created_at=hooks.parse_time(comment.get("created_at")),
            )
            snapshot = IssueSnapshot(f"#{number}", comments=(remote,))
            return hooks.InboundEvent(name, hooks.COMMENT, snapshot, where)
        state = {"open": OPEN, "closed": CLOSED}.get(str(issue.get("state")))
        updated_at = hooks.parse_time(issue.get("updated_at"))
        closed_at = hooks.parse_time(issue.get("closed_at")) if state == CLOSED else None
        snapshot = IssueSnapshot(
            key=f"#{number}",
            state=state,
            title=hooks.text(issue.get("title")),
            author=hooks.text(hooks.mapping(issue.get("user")).get("login")),
            labels=hooks.names(issue.get("labels"), "name"),
            assignees=hooks.names(issue.get("assignees"), "login"),
            updated_at=updated_at,
            changed_by=actor,
            changed_at=closed_at or updated_at,
        )
        return hooks.InboundEvent(name, hooks.ISSUE, snapshot, where)


# ---- the declaration: fields, groups and ticket fields --------------------

ARGUS = ArgusMapping(
    plugins=("argus_ticket_github.GithubPlugin",),
    auth=(ArgusAuth({"token": "issue_tracker_api_token"}),),
    information=(
        ArgusInformation("project_namespace_and_name", ("github_repo_owner", "github_repo_name")),
    ),
    # Argus's endpoint is the website; the connector talks to its API host.
    server_aliases={"github.com": GITHUB_COM_API, "www.github.com": GITHUB_COM_API},
    labels_param="default_labels",
)

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
            picker="repositories",
            max_length=100,
            pattern=r"[A-Za-z0-9._-]+",
            pattern_message="Use the repository name only: letters, digits, '.', '_' and '-'.",
            help="Repository for new issues; leave empty to choose one per ticket.",
        ),
        title_format_field(),
        default_labels_field(),
        Field(
            "github_duplicate_label",
            "Duplicate label",
            default="duplicate",
            group=TICKETS_GROUP.id,
            help="Issues carrying this label are treated as duplicates of another issue.",
        ),
        triage_field(service_desk=False),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, REPOSITORY_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="github_repo_name",
    client_class=GitHubClient,
    ticket_fields=(
        labels_ticket_field(),
        Field(
            "assignees",
            "Assignees",
            picker="assignees",
            picker_adds=True,
            help="GitHub logins, comma-separated, e.g. octocat, hubot; "
            "they need access to the repository.",
        ),
    ),
    ticket_defaults_from={"labels": "default_labels"},
    category_mapping="label",
    argus=ARGUS,
    webhooks=GitHubWebhooks(),
)
