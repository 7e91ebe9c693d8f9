"""Jira Cloud and Jira Data Center / Server: REST API v2."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from webapp.outbound.diagnosis import flatten
from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers import webhooks as hooks
from webapp.trackers.argus_mapping import ArgusAuth, ArgusInformation, ArgusMapping
from webapp.trackers.base import Reply, TrackerClient
from webapp.trackers.common import (
    AUTH_GROUP,
    CONNECTION_GROUP,
    TASK_SYNC_GROUP,
    TICKETS_GROUP,
    connection_fields,
    default_labels_field,
    override,
    task_sync_fields,
    title_format_field,
)
from webapp.trackers.system import System
from webapp.trackers.tickets import (
    CLOSED,
    OPEN,
    CreatedIssue,
    IssueDraft,
    IssueSnapshot,
    LabelOutcome,
    RemoteComment,
    tracker_time,
)

CREATE_ISSUES = "CREATE_ISSUES"
#: Comments scanned for a marker: the newest ones (a retry follows its attempt closely).
RECENT_COMMENTS = 100
#: The status categories a transition may lead to, per wanted state (Jira's own keys).
STATE_CATEGORIES = {CLOSED: ("done",), "open": ("new", "indeterminate")}
#: What a sync reads of an issue: the rest (description, history) is not mirrored.
SYNC_FIELDS = "status,labels,assignee,updated,comment"
#: Jira's status category for finished work: every "done" status counts as closed.
DONE = "done"
LABEL_NOTE = "Jira creates labels when first used."
_SPACES = re.compile(r"\s+")


def jira_label(name: str) -> str:
    """Jira labels cannot contain spaces: ``"needs triage"`` becomes ``"needs-triage"``."""
    return _SPACES.sub("-", name.strip())


def jql_string(text: str) -> str:
    """``text`` as a double-quoted JQL string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class JiraClient(TrackerClient):
    """``GET /rest/api/2/myself``, ``project/{key}``, then ``mypermissions``."""

    product = "Jira"
    user_path = "/rest/api/2/myself"
    target_noun = "project"
    key_advice = "check the personal access token has not expired or been revoked."
    basic_advice = (
        "check them; Jira Cloud needs your account email and an API token, not your password."
    )
    field_names = {
        "summary": "title",
        "description": "description",
        "issuetype": "issue_type",
        "labels": "labels",
        "priority": "priority",
    }

    def signed_in_message(self, body: dict[str, Any]) -> str:
        who = body.get("displayName") or body.get("name") or "an unnamed user"
        email = body.get("emailAddress")
        shown = f"{who} ({email})" if email and email != who else who
        return f"Signed in as {shown}."

    def target_path(self, name: str) -> str:
        return f"/rest/api/2/project/{quote(name, safe='')}"

    def check_target(self) -> StageResult:
        """Also check that the configured issue type exists in the project."""
        result = super().check_target()
        if self.target_reply is None:
            return result
        issue_type = self.config.text("jira_issue_type")
        types = [t.get("name") for t in self.target_reply.body.get("issueTypes") or []]
        project = self.target_reply.body.get("name")
        if project:
            result = replace(result, message=f"Found project {self.target_name()} ({project}).")
        if issue_type and types and issue_type not in types:
            message = (
                f"Project {self.target_name()} has no issue type {issue_type} "
                f"(it has {', '.join(str(t) for t in types)}): Jira would refuse new tickets."
            )
            return replace(result, status=StageStatus.WARNING, message=message)
        return result

    def check_permission(self, target: Reply) -> StageResult:
        """Jira's own answer to "may I create issues here": ``mypermissions``."""
        key = self.target_name()
        reply = self.get_json(
            Stage.PERMISSION,
            "/rest/api/2/mypermissions",
            params={"projectKey": key, "permissions": CREATE_ISSUES},
        )
        permission = (reply.body.get("permissions") or {}).get(CREATE_ISSUES) or {}
        have = permission.get("havePermission")
        if have is True:
            return self.passed(Stage.PERMISSION, f"You may create issues in {key}.", reply)
        if have is False:
            message = (
                f"You may not create issues in {key}: the Create Issues permission is missing."
            )
            return self.passed(Stage.PERMISSION, message, reply, StageStatus.FAILED)
        message = "Not checked: Jira did not report the Create Issues permission."
        return self.passed(Stage.PERMISSION, message, reply, StageStatus.WARNING)

    def error_text(self, body: dict[str, Any]) -> str:
        """Jira puts messages in ``errorMessages`` and per-field ones in ``errors``."""
        parts = [flatten(body.get("errorMessages")), flatten(body.get("errors"))]
        return "; ".join(p for p in parts if p)

    # ---- tickets ---------------------------------------------------------
    def create_issue(self, draft: IssueDraft) -> CreatedIssue:
        """``POST /rest/api/2/issue`` with ``fields``; Jira answers ``{"id", "key", "self"}``."""
        project = self.issue_target(draft.target)
        issue_type = str(draft.fields.get("issue_type") or "").strip()
        fields: dict[str, Any] = {
            "project": {"key": project},
            "summary": draft.title,
            "description": draft.body,
            "issuetype": {"name": issue_type or self.config.text("jira_issue_type") or "Task"},
        }
        labels = list(dict.fromkeys(jira_label(label) for label in draft.labels if label.strip()))
        if labels:
            fields["labels"] = labels
        priority = str(draft.fields.get("priority") or "").strip()
        if priority:
            fields["priority"] = {"name": priority}
        issue = self.call(
            "POST",
            "/rest/api/2/issue",
            json={"fields": fields},
            action="create the issue",
            creates=True,
        )
        try:
            return self._created(str(issue["key"]), str(issue.get("id") or ""))
        except (TypeError, KeyError):
            raise self.failed(
                "Jira accepted the issue but its answer has no key.", ambiguous=True
            ) from None

    def find_issue(self, marker: str, target: str | None) -> CreatedIssue | None:
        """JQL phrase search for ``marker``; a hit counts only if its description holds it."""
        project = self.issue_target(target)
        jql = f"project = {jql_string(project)} AND text ~ {jql_string(jql_string(marker))}"
        found = self.call(
            "GET",
            self.search_path,
            params={"jql": jql, "fields": "summary,description"},
            action="search issues",
        )
        issues = found.get("issues") if isinstance(found, dict) else None
        for issue in issues if isinstance(issues, list) else []:
            fields = issue.get("fields") if isinstance(issue, dict) else None
            if isinstance(fields, dict) and marker in str(fields.get("description") or ""):
                return self._created(str(issue["key"]), str(issue.get("id") or ""))
        return None

    @property
    def cloud(self) -> bool:
        """Jira Cloud (REST v3 and ADF bodies there) rather than Data Center / Server."""
        return self.config.text("jira_version") in ("", "cloud")

    @property
    def search_path(self) -> str:
        """Jira Cloud retired ``/search`` for ``/search/jql``; Data Center has only ``/search``."""
        return "/rest/api/2/search/jql" if self.cloud else "/rest/api/2/search"

    # ---- conversations -----------------------------------------------------
    def add_comment(
        self, issue_key: str, target: str | None, body: str, *, internal: bool = False
    ) -> RemoteComment:
        """Cloud: ``POST /rest/api/3/issue/{key}/comment`` with an ADF body; Data Center /
        Server: ``/rest/api/2/…`` with the plain text (all comments are public here)."""
        key = quote(issue_key.strip(), safe="")
        version, payload = (3, adf_document(body)) if self.cloud else (2, body)
        comment = self.call(
            "POST",
            f"/rest/api/{version}/issue/{key}/comment",
            json={"body": payload},
            action="add the comment",
            creates=True,
            made="the comment",
            not_found=f"Jira has no issue {issue_key}, or you may not see it.",
        )
        return self._comment(comment, ambiguous=True)

    def find_comment(self, issue_key: str, target: str | None, marker: str) -> RemoteComment | None:
        """The newest comments (REST v2: plain text bodies on Cloud too), searched for
        ``marker``."""
        found = self.call(
            "GET",
            f"/rest/api/2/issue/{quote(issue_key.strip(), safe='')}/comment",
            params={"orderBy": "-created", "maxResults": RECENT_COMMENTS},
            action="list the issue's comments",
        )
        comments = found.get("comments") if isinstance(found, dict) else None
        for comment in comments if isinstance(comments, list) else []:
            # Cloud shows an ADF comment on v2 as wiki markup, which may escape its dashes.
            text = body_text(comment.get("body")) if isinstance(comment, dict) else ""
            if marker in text.replace("\\", ""):
                return self._comment(comment)
        return None

    def set_state(self, issue_key: str, target: str | None, state: str) -> None:
        """Jira has no "close": take the issue's transition that leads to a done status
        (close) or a to-do / in-progress one (reopen), from those it offers now."""
        path = f"/rest/api/2/issue/{quote(issue_key.strip(), safe='')}/transitions"
        offered = self.call("GET", path, action="list the issue's transitions")
        transitions = offered.get("transitions") if isinstance(offered, dict) else None
        transitions = [t for t in transitions or [] if isinstance(t, dict) and t.get("id")]
        verb = "close" if state == CLOSED else "reopen"
        chosen = None
        for category in STATE_CATEGORIES[CLOSED if state == CLOSED else "open"]:
            chosen = next((t for t in transitions if _leads_to(t) == category), None)
            if chosen is not None:
                break
        if chosen is None:
            names = ", ".join(str(t.get("name")) for t in transitions) or "none"
            raise self.failed(
                f"Jira offers no transition to {verb} {issue_key} (it offers: {names}); "
                "check the project's workflow.",
                retryable=False,
            )
        self.call(
            "POST",
            path,
            json={"transition": {"id": str(chosen["id"])}},
            action=f"{verb} the issue ({chosen.get('name')})",
        )

    def _comment(self, comment: Any, ambiguous: bool = False) -> RemoteComment:
        if not isinstance(comment, dict) or comment.get("id") is None:
            raise self.failed(
                "Jira accepted the comment but its answer has no id.", ambiguous=ambiguous
            )
        author = comment.get("author") if isinstance(comment.get("author"), dict) else {}
        return RemoteComment(
            external_id=str(comment["id"]),
            author=str(author.get("displayName") or author.get("name") or ""),
            body=body_text(comment.get("body")),
            created_at=tracker_time(comment.get("created")),
        )

    def ensure_label(self, name: str, colour: str, target: str | None) -> LabelOutcome:
        """Nothing to create: Jira labels exist once an issue uses them (and have no colour)."""
        return LabelOutcome(jira_label(name), "exists", LABEL_NOTE)

    def field_errors(self, body: Any) -> dict[str, list[str]]:
        """Jira's ``errors`` object names the field of each complaint."""
        errors = body.get("errors") if isinstance(body, dict) else None
        if not isinstance(errors, dict):
            return {}
        return {
            self.ticket_field(str(name)): [flatten(text)] for name, text in errors.items() if text
        }

    def fetch_issue(self, key: str, target: str | None, etag: str | None = None) -> IssueSnapshot:
        """``GET /rest/api/2/issue/{key}?fields=…``: a status whose category is "done"
        (Done, Resolved, Closed, Won't do …) is closed, any other open."""
        issue = self.call(
            "GET",
            f"/rest/api/2/issue/{quote(key, safe='')}",
            params={"fields": SYNC_FIELDS},
            action="read the issue",
            not_found=f"Jira has no issue {key}, or this user cannot see it.",
        )
        fields = issue.get("fields") if isinstance(issue, dict) else None
        if not isinstance(fields, dict):
            raise self.failed("Jira's answer does not describe an issue.")
        status = fields.get("status") if isinstance(fields.get("status"), dict) else {}
        category = status.get("statusCategory") if isinstance(status, dict) else None
        done = isinstance(category, dict) and category.get("key") == DONE
        assignee = _person(fields.get("assignee"))
        found = fields.get("comment")
        listed = found.get("comments") if isinstance(found, dict) else None
        comments = tuple(
            RemoteComment(
                str(comment["id"]),
                _person(comment.get("author")),
                str(comment.get("body") or ""),
                tracker_time(comment.get("created")),
            )
            for comment in (listed if isinstance(listed, list) else [])
            if isinstance(comment, dict) and comment.get("id") is not None
        )
        return IssueSnapshot(
            key=str(issue.get("key") or key),
            state=CLOSED if done else OPEN,
            labels=tuple(str(label) for label in fields.get("labels") or []),
            assignees=(assignee,) if assignee else (),
            updated_at=tracker_time(fields.get("updated")),
            comments=comments,
        )

    def _created(self, key: str, issue_id: str) -> CreatedIssue:
        return CreatedIssue(key, self.config.url(f"/browse/{quote(key, safe='')}"), issue_id)


def _leads_to(transition: dict[str, Any]) -> str | None:
    """The status category key (new, indeterminate, done) a transition leads to."""
    to = transition.get("to") if isinstance(transition.get("to"), dict) else {}
    category = to.get("statusCategory") if isinstance(to.get("statusCategory"), dict) else {}
    return category.get("key")


def adf_document(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document: a paragraph per block, line breaks kept."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        content: list[dict[str, Any]] = []
        for number, line in enumerate(block.split("\n")):
            if number:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def body_text(body: Any) -> str:
    """A comment body as text: v2 gives a string, v3 an Atlassian Document."""
    if isinstance(body, str):
        return body
    if not isinstance(body, dict):
        return ""
    if body.get("type") == "text":
        return str(body.get("text") or "")
    if body.get("type") == "hardBreak":
        return "\n"
    parts = [body_text(node) for node in body.get("content") or []]
    joiner = "\n\n" if body.get("type") == "doc" else ""
    return joiner.join(parts)


# ---- webhooks ---------------------------------------------------------------

#: The status category of finished work; every other category is open.
DONE_CATEGORY = "done"


class JiraWebhooks(hooks.Webhooks):
    """Admin webhooks (System → WebHooks) with a secret: ``X-Hub-Signature: sha256=<hex>``.

    ``jira:issue_updated`` / ``jira:issue_created`` tell the issue (a status in the "done"
    category is closed), ``comment_created`` a comment.
    """

    signature_header = "X-Hub-Signature"
    delivery_headers = ("X-Atlassian-Webhook-Identifier",)
    setup = hooks.WebhookSetup(
        place="In Jira, as an administrator: System → WebHooks → Create a WebHook.",
        fields=(("URL", hooks.URL), ("Secret", hooks.SECRET)),
        events=("Issue: updated", "Issue: created", "Comment: created"),
        note="Narrow it with JQL to the project(s) this connector files into, e.g. project = OPS.",
    )

    def verify(self, secret, body, headers) -> bool:
        return hooks.hmac_sha256_matches(secret, body, headers.get(self.signature_header))

    def parse(self, headers, payload) -> hooks.InboundEvent:
        payload = hooks.mapping(payload)
        name = str(payload.get("webhookEvent") or "unknown")
        issue = hooks.mapping(payload.get("issue"))
        fields = hooks.mapping(issue.get("fields"))
        key = hooks.text(issue.get("key"))
        if key is None:
            return hooks.InboundEvent(name, reason="the event names no issue")
        project = hooks.mapping(fields.get("project"))
        where = hooks.targets(project.get("key"), key.rsplit("-", 1)[0])
        user = hooks.mapping(payload.get("user"))
        actor = _person(user)
        if name.startswith("comment_"):
            comment = hooks.mapping(payload.get("comment"))
            comment_id = hooks.text(comment.get("id"))
            if name != "comment_created" or comment_id is None:
                return hooks.InboundEvent(name, reason=f"{name} events are not mirrored")
            remote = RemoteComment(
                external_id=comment_id,
                author=_person(hooks.mapping(comment.get("author"))) or actor or "",
                body=_plain(comment.get("body")),
                created_at=hooks.parse_time(comment.get("created")),
                internal=bool(comment.get("jsdPublic") is False),
            )
            snapshot = IssueSnapshot(key, comments=(remote,))
            return hooks.InboundEvent(name, hooks.COMMENT, snapshot, where)
        if name not in ("jira:issue_updated", "jira:issue_created"):
            return hooks.InboundEvent(name, reason=f"{name} events are not used")
        status = hooks.mapping(fields.get("status"))
        category = hooks.mapping(status.get("statusCategory")).get("key")
        state = None if not status else CLOSED if category == DONE_CATEGORY else OPEN
        assignee = hooks.mapping(fields.get("assignee"))
        updated_at = hooks.parse_time(fields.get("updated"))
        snapshot = IssueSnapshot(
            key=key,
            state=state,
            title=hooks.text(fields.get("summary")),
            author=_person(hooks.mapping(fields.get("reporter") or fields.get("creator"))),
            labels=hooks.names(fields.get("labels")) if "labels" in fields else None,
            assignees=((_person(assignee),) if _person(assignee) else ())
            if "assignee" in fields
            else None,
            updated_at=updated_at,
            changed_by=actor,
            changed_at=hooks.parse_time(fields.get("resolutiondate")) or updated_at,
        )
        return hooks.InboundEvent(name, hooks.ISSUE, snapshot, where)


def _person(user: dict[str, Any]) -> str | None:
    return next((str(user[k]) for k in ("displayName", "name", "accountId") if user.get(k)), None)


def _plain(body: Any) -> str:
    """A comment's text: wiki markup as is, or the text nodes of a document (ADF)."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict):
        if body.get("type") == "text":
            return str(body.get("text") or "")
        parts = [_plain(child) for child in body.get("content") or []]
        joiner = "\n" if body.get("type") == "doc" else ""
        return joiner.join(parts)
    return ""


def _person(user: Any) -> str:
    """How Jira names a user: display name, else user name (Data Center), else account id."""
    if not isinstance(user, dict):
        return ""
    return str(user.get("displayName") or user.get("name") or user.get("accountId") or "")


# ---- the declaration: fields, groups and ticket fields --------------------

ARGUS = ArgusMapping(
    plugins=("argus_ticket_jira.JiraPlugin",),
    auth=(
        # Jira Cloud: the account's email and an API token, sent as basic authentication.
        ArgusAuth(
            {"email": "issue_tracker_user", "token": "issue_tracker_pass"},
            {"issue_tracker_auth_mode": "basic", "jira_version": "cloud"},
        ),
        # Jira Data Center / Server: a personal access token, sent as Bearer.
        ArgusAuth(
            {"token": "issue_tracker_api_token"},
            {"issue_tracker_auth_mode": "api_token", "jira_version": "server"},
        ),
        # Data Center with user name and password: Argus's plugin sends them as basic too.
        ArgusAuth(
            {"email": "issue_tracker_user", "token": "issue_tracker_pass"},
            {"issue_tracker_auth_mode": "basic"},
        ),
    ),
    information=(
        ArgusInformation("project_key_or_id", ("jira_project_key",)),
        ArgusInformation("type", ("jira_issue_type",)),
    ),
    labels_param="default_labels",
)

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
        default_labels_field(),
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
    ticket_defaults_from={"issue_type": "jira_issue_type", "labels": "default_labels"},
    argus=ARGUS,
    category_mapping="label",
    label_colours=False,
    label_note="Jira labels have no colour and cannot contain spaces: spaces become hyphens.",
    webhooks=JiraWebhooks(),
)
