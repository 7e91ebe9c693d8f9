"""Gitea and Forgejo: REST API v1 with an access token (``Authorization: token …``).

One module holds the whole tracker: its client (the staged check and the tickets) and
its two declarations. Forgejo is a fork of Gitea that kept its API, so both systems share
the client and differ only in names, default server and documentation.
"""

from __future__ import annotations

import re
from typing import Any

from webapp.trackers.plugin import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    CREATED,
    EXISTS,
    FAILED,
    TICKETS_GROUP,
    CreatedIssue,
    DeliveryFailed,
    Field,
    FieldGroup,
    LabelOutcome,
    Reply,
    RepositoryClient,
    Stage,
    StageResult,
    StageStatus,
    System,
    connection_fields,
    override,
    title_format_field,
)

API_PATH = "/api/v1"
#: Labels and issues are listed this many at a time (Gitea's default page size is 30).
PAGE_SIZE = 50
#: At most this many label pages are read: a repository with more labels is unusual.
MAX_LABEL_PAGES = 20
#: How many of the newest issues are scanned for a marker the search has not indexed yet.
RECENT_ISSUES = 50
#: A validation error names its field as ``[Title]: Required``.
_FIELD_ERROR = re.compile(r"\[(?P<field>\w+)\]:\s*(?P<text>[^\[]+)")


class GiteaClient(RepositoryClient):
    """``GET /api/v1/user``, then ``/api/v1/repos/{owner}/{repo}``; issues and labels there."""

    user_path = "/user"
    owner_param, repo_param = "gitea_repo_owner", "gitea_repo_name"
    auth_scheme = "token"
    key_advice = "check the access token was copied whole and has not been deleted."
    extra_headers = {"Accept": "application/json"}
    field_names = {"title": "title", "body": "description", "labels": "labels"}
    #: Gitea pages with ``limit`` (at most 50 by default), not ``per_page``.
    page_size_param = "limit"
    repositories_per_page = 50
    #: An issue's comments and a repository's assignees come whole: the API documents no
    #: paging for them (comments take only ``since`` and ``before``).
    unpaged_lists = frozenset({"comments", "assignees"})

    @property
    def api_prefix(self) -> str:
        return API_PATH

    def signed_in_message(self, body: dict[str, Any]) -> str:
        return f"Signed in as {body.get('login') or body.get('username') or 'an unnamed user'}."

    def check_permission(self, target: Reply) -> StageResult:
        """Issues on (and not in an external tracker), not archived, and the user's access."""
        repo = target.body
        name = repo.get("full_name") or self.target_name()
        if repo.get("has_issues") is False:
            return _failed(
                f"Issues are turned off for {name}.",
                "Turn them on under the repository's Settings > Repository > Issues.",
            )
        external = repo.get("external_tracker")
        if isinstance(external, dict) and external.get("external_tracker_url"):
            where = external["external_tracker_url"]
            return _failed(f"{name} sends its issues to an external tracker ({where}).")
        if repo.get("archived"):
            return _failed(f"{name} is archived: {self.name} accepts no new issues in it.")
        permissions = repo.get("permissions")
        if not isinstance(permissions, dict):
            message = f"Not checked: {self.name} did not say what this user may do in {name}."
            return StageResult(Stage.PERMISSION, StageStatus.WARNING, message)
        if permissions.get("admin") or permissions.get("push"):
            message = f"Issues are on in {name} and your write access may open issues with labels."
            return StageResult(Stage.PERMISSION, StageStatus.OK, message)
        if permissions.get("pull"):
            message = (
                f"You have read access only to {name}: {self.name} lets you open issues "
                "but drops their labels and assignees."
            )
            return StageResult(Stage.PERMISSION, StageStatus.WARNING, message)
        return _failed(f"This user has no access to {name}: it cannot open issues there.")

    # ---- tickets ---------------------------------------------------------
    def find_issue(self, marker: str, target: str | None) -> CreatedIssue | None:
        """Search for ``marker``, then scan the newest issues: the search index may lag."""
        path = self.target_path(self.issue_target(target)) + "/issues"
        found = self.call(
            "GET",
            path,
            params={"state": "all", "type": "issues", "q": marker, "limit": PAGE_SIZE},
            action="search issues",
        )
        hit = _with_marker(found, marker)
        if hit is None:
            recent = self.call(
                "GET",
                path,
                params={"state": "all", "type": "issues", "limit": RECENT_ISSUES},
                action="list recent issues",
            )
            hit = _with_marker(recent, marker)
        return None if hit is None else self.created(hit)

    def ensure_label(self, name: str, colour: str, target: str | None) -> LabelOutcome:
        """Look the label up by name (Gitea allows two of a name), create it if missing."""
        try:
            repo = self.issue_target(target)
            if name in self._labels(repo):
                return LabelOutcome(name, EXISTS)
            self._create_label(repo, name, colour)
        except DeliveryFailed as failure:
            return LabelOutcome(name, FAILED, failure.message)
        return LabelOutcome(name, CREATED)

    def _labels(self, repo: str) -> dict[str, int]:
        """The repository's labels, name to id (first of a name wins), read page by page."""
        labels: dict[str, int] = {}
        for page in range(1, MAX_LABEL_PAGES + 1):
            batch = self.call(
                "GET",
                self.target_path(repo) + "/labels",
                params={"page": page, "limit": PAGE_SIZE},
                action="list labels",
            )
            rows = (
                [row for row in batch if isinstance(row, dict)] if isinstance(batch, list) else []
            )
            for row in rows:
                if isinstance(row.get("id"), int):
                    labels.setdefault(str(row.get("name")), row["id"])
            if len(rows) < PAGE_SIZE:
                break
        return labels

    def _create_label(self, repo: str, name: str, colour: str) -> int:
        payload = {"name": name, "color": "#" + (colour.strip().lstrip("#").lower() or "ededed")}
        label = self.call(
            "POST", self.target_path(repo) + "/labels", json=payload, action=f"create label {name}"
        )
        if not isinstance(label, dict) or not isinstance(label.get("id"), int):
            raise self.failed(f"{self.name} created label {name} but did not say its id.")
        return label["id"]

    def label_values(self, repo: str, labels: tuple[str, ...]) -> list[Any]:
        """Gitea takes label ids, and makes no label itself: missing ones are created."""
        return self._label_ids(repo, labels)

    def _label_ids(self, repo: str, names: tuple[str, ...]) -> list[int]:
        known = self._labels(repo)
        return [known.get(name) or self._create_label(repo, name, "") for name in names]

    def field_errors(self, body: Any) -> dict[str, list[str]]:
        """A 422 ``{"message": "[Title]: Required"}`` names the field in brackets."""
        message = body.get("message") if isinstance(body, dict) else None
        fields: dict[str, list[str]] = {}
        for match in _FIELD_ERROR.finditer(message if isinstance(message, str) else ""):
            name = self.ticket_field(match["field"].lower())
            fields.setdefault(name, []).append(match["text"].strip().rstrip(","))
        return fields


def _failed(message: str, hint: str | None = None) -> StageResult:
    return StageResult(Stage.PERMISSION, StageStatus.FAILED, message, hint=hint)


def _with_marker(issues: Any, marker: str) -> dict[str, Any] | None:
    """The first issue whose body really holds ``marker`` (search matches loosely)."""
    for issue in issues if isinstance(issues, list) else []:
        if isinstance(issue, dict) and marker in str(issue.get("body") or ""):
            return issue
    return None


# ---- the declarations ------------------------------------------------------

REPOSITORY_GROUP = FieldGroup("repository", "Repository")


def declaration(
    system_id: str, name: str, description: str, docs_url: str, default_server: str | None
) -> System:
    """Gitea's fields and behaviour under ``name``: Gitea and Forgejo differ in nothing else."""
    return System(
        id=system_id,
        short_name=name,
        name=name,
        description=description,
        docs_url=docs_url,
        fields=(
            *override(
                connection_fields(auth_modes=("api_token", "basic"), default_server=default_server),
                issue_tracker_server={
                    "help": f"Host of your {name} (with /path if it is not at the root), "
                    "without https://, e.g. git.example.com.",
                },
                issue_tracker_api_token={
                    "label": "Access token",
                    "help": f"Create one under {name}'s Settings > Applications with the "
                    "write:issue and read:repository scopes.",
                },
            ),
            Field(
                "gitea_repo_owner",
                "Repository owner",
                required=True,
                group=REPOSITORY_GROUP.id,
                help="User or organisation that owns the repository.",
            ),
            Field(
                "gitea_repo_name",
                "Repository",
                group=REPOSITORY_GROUP.id,
                picker="repositories",
                max_length=100,
                pattern=r"[A-Za-z0-9._-]+",
                pattern_message="Use the repository name only: letters, digits, '.', '_' and '-'.",
                help="Repository for new issues; leave empty to choose one per ticket.",
            ),
            title_format_field(),
        ),
        groups=(CONNECTION_GROUP, AUTH_GROUP, REPOSITORY_GROUP, TICKETS_GROUP),
        target_field="gitea_repo_name",
        client_class=GiteaClient,
        ticket_fields=(
            Field("labels", "Labels", help="Extra labels, comma-separated; missing ones are made."),
            Field(
                "assignees",
                "Assignees",
                help=f"{name} user names, comma-separated, e.g. alice, bob.",
            ),
        ),
        category_mapping="label",
    )


GITEA = declaration(
    "gitea",
    "Gitea",
    "Issues in repositories on a Gitea server.",
    "https://docs.gitea.com/development/api-usage",
    None,
)
FORGEJO = declaration(
    "forgejo",
    "Forgejo",
    "Issues in repositories on a Forgejo server, such as Codeberg.",
    "https://forgejo.org/docs/latest/user/api-usage/",
    "codeberg.org",
)
