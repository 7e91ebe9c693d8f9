"""Jira Cloud and Jira Data Center / Server: REST API v2."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from webapp.outbound.diagnosis import RequestFailed, flatten
from webapp.outbound.results import Stage, StageResult, StageStatus
from webapp.schema.fields import Field, FieldGroup, FieldKind
from webapp.trackers import webhooks as hooks
from webapp.trackers.argus_mapping import ArgusAuth, ArgusInformation, ArgusMapping
from webapp.trackers.base import Reply, TrackerClient
from webapp.trackers.choices import (
    PAGE_SIZE,
    ChoicePage,
    choices_from,
    items,
    matching,
    page_of,
)
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
from webapp.trackers.issues import split_list
from webapp.trackers.system import System
from webapp.trackers.tickets import (
    CLOSED,
    OPEN,
    CreatedIssue,
    DeliveryFailed,
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
#: Fields the ticket form or the connector fills itself: never asked again.
HANDLED_FIELDS = frozenset(
    {"project", "issuetype", "summary", "description", "labels", "priority", "reporter"}
)
#: What a custom field mapping may take from the ticket (``jira_custom_fields_mapping``).
TICKET_ATTRIBUTES = ("category", "title")
#: Create metadata is read in pages of this size, at most this many pages.
META_PAGE_SIZE, META_PAGES = 50, 10
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
    pickers = ("projects", "issue_types", "priorities")

    @property
    def cloud(self) -> bool:
        """Jira Cloud (REST v3 and ADF bodies there) rather than Data Center / Server."""
        return self.config.text("jira_version") in ("", "cloud")

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

    # ---- pickers ---------------------------------------------------------
    def choices_projects(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """Cloud: ``GET /rest/api/2/project/search?query=&startAt=&maxResults=``; Data
        Center has no such search: ``GET /rest/api/2/project`` answers the whole list."""
        label = _named("key")
        if not self.cloud:
            reply = self.fetch("/rest/api/2/project", {}, "projects")
            return page_of(matching(choices_from(items(reply.body), "key", label), search), page)
        params: dict[str, Any] = {"startAt": (page - 1) * PAGE_SIZE, "maxResults": PAGE_SIZE}
        if search:
            params["query"] = search
        reply = self.fetch("/rest/api/2/project/search", params, "projects")
        found = choices_from(items(reply.body, "values"), "key", label)
        return ChoicePage(tuple(found), page, _more(reply.body, page))

    def choices_issue_types(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """The project's issue types (create metadata, paginated ``values``); without a
        project, every issue type (``GET /rest/api/2/issuetype``)."""
        project = str(context.get("target") or "").strip() or self.target_name()
        if not project:
            reply = self.fetch("/rest/api/2/issuetype", {}, "issue types")
            found = choices_from(items(reply.body), "name", _named("name"))
            return page_of(matching(found, search), page)
        reply = self.fetch(
            f"/rest/api/2/issue/createmeta/{quote(project, safe='')}/issuetypes",
            {"startAt": 0, "maxResults": 200},
            "issue types",
        )
        types = items(reply.body, "values", "issueTypes")
        found = choices_from(types, "name", lambda t: t.get("name"))
        return page_of(matching(found, search), page)

    def choices_priorities(self, search: str, page: int, context: dict[str, Any]) -> ChoicePage:
        """``GET /rest/api/2/priority``: a short list, answered whole."""
        reply = self.fetch("/rest/api/2/priority", {}, "priorities")
        found = choices_from(items(reply.body), "name", lambda p: p.get("name"))
        return page_of(matching(found, search), page)

    # ---- create metadata: the fields a project's issue type asks for ------
    def issue_type_name(self, fields: Mapping[str, Any]) -> str:
        """The ticket's issue type, else the connector's, else Task."""
        chosen = str(fields.get("issue_type") or "").strip()
        return chosen or self.config.text("jira_issue_type") or "Task"

    def create_meta(self, project: str, issue_type: str) -> list[dict[str, Any]]:
        """The fields of ``issue_type`` issues in ``project`` (Cloud, Data Center 8.4+):
        ``GET /rest/api/2/issue/createmeta/{project}/issuetypes`` for the type's id, then
        ``…/issuetypes/{id}``, each paged. ``RequestFailed``, or ``DeliveryFailed`` naming
        the issue type field when the project has no such type."""
        path = f"/rest/api/2/issue/createmeta/{quote(project, safe='')}/issuetypes"
        types = self._meta_pages(path, ("values", "issueTypes"), "the project's issue types")
        wanted = issue_type.strip().lower()
        found = next((t for t in types if str(t.get("name") or "").lower() == wanted), None)
        if found is None or found.get("id") in (None, ""):
            names = ", ".join(str(t.get("name")) for t in types if t.get("name")) or "none"
            message = f"Project {project} has no issue type {issue_type} (it has {names})."
            raise DeliveryFailed(message, field_errors={"issue_type": [message]}, retryable=False)
        field_path = f"{path}/{quote(str(found['id']), safe='')}"
        return self._meta_pages(field_path, ("values", "fields"), "the issue type's fields")

    def _meta_pages(self, path: str, keys: tuple[str, ...], what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(META_PAGES):
            params = {"startAt": len(found), "maxResults": META_PAGE_SIZE}
            body = self.fetch(path, params, what).body
            page = items(body, *keys)
            found += page
            total = body.get("total") if isinstance(body, dict) else None
            last = body.get("isLast") if isinstance(body, dict) else None
            if not page or last is True or (isinstance(total, int) and len(found) >= total):
                break
            if last is None and total is None:
                break  # no paging said: that was all
        return found

    def required_fields(self, values: Mapping[str, Any]) -> tuple[Field, ...]:
        """The required fields of the ticket's project and issue type that nothing else
        fills: not the summary, type, labels…, nor the connector's custom field defaults
        and mappings, nor fields Jira fills by default."""
        project = self.issue_target(values.get("target"))
        try:
            meta = self.create_meta(project, self.issue_type_name(values))
        except RequestFailed as failure:
            raise self.delivery_failed(failure) from failure.__cause__
        preset = {key.lower() for key in self._connector_fields({}, "")}
        return tuple(
            self._as_field(m)
            for m in meta
            if m.get("required")
            and not m.get("hasDefaultValue")
            and m.get("fieldId")
            and m["fieldId"] not in HANDLED_FIELDS
            and not {str(m["fieldId"]).lower(), str(m.get("name") or "").lower()} & preset
        )

    def _as_field(self, meta: dict[str, Any]) -> Field:
        """A field of the ticket form for one field of the create metadata."""
        schema = meta.get("schema") or {}
        kind, item = schema.get("type"), schema.get("items")
        name, label = str(meta["fieldId"]), str(meta.get("name") or meta["fieldId"])
        allowed = _allowed(meta)
        if allowed:
            if kind == "array":
                return Field(name, label, FieldKind.MULTICHOICE, required=True, choices=allowed)
            choose = (("", "— choose —"), *allowed)
            return Field(name, label, FieldKind.CHOICE, required=True, choices=choose)
        if kind == "number":
            return Field(
                name,
                label,
                required=True,
                pattern=r"-?[0-9]+(\.[0-9]+)?",
                pattern_message="Enter a number, e.g. 3 or 2.5.",
            )
        several = kind == "array"
        who = "account id" if self.cloud else "user name"
        helps = {
            "user": f"A Jira {who}{'s, comma-separated' if several else ''}.",
            "date": "A date as YYYY-MM-DD.",
            "datetime": "A date and time, e.g. 2024-05-01T09:30:00.000+0000.",
        }
        help_text = helps.get(item if several else kind, "Comma-separated." if several else "")
        return Field(name, label, required=True, help=help_text)

    def field_value(self, meta: dict[str, Any], raw: Any) -> Any:
        """A value as Jira's create request wants it for this field: options by id (or by
        value/name), users by account id on Cloud and by name on Data Center, numbers as
        numbers, arrays as lists."""
        schema = meta.get("schema") or {}
        kind, item = schema.get("type"), schema.get("items")
        allowed = meta.get("allowedValues") or []

        def option(text: str) -> dict[str, str]:
            for value in allowed:
                if not isinstance(value, dict) or value.get("id") is None:
                    continue
                named = str(value.get("value") or value.get("name") or "").lower()
                if text == str(value["id"]) or text.lower() == named:
                    return {"id": str(value["id"])}
            return {"value": text} if schema.get("custom") else {"name": text}

        def user(text: str) -> dict[str, str]:
            return {"accountId": text} if self.cloud else {"name": text}

        if kind == "array":
            parts = split_list(raw)
            if item == "user":
                return [user(part) for part in parts]
            if item == "string":
                return parts
            return [option(part) for part in parts]
        text = str(raw).strip()
        if kind == "user":
            return user(text)
        if kind == "number":
            try:
                number = float(text)
            except ValueError:
                message = f"{meta.get('name') or meta['fieldId']} must be a number."
                raise self.failed(message, retryable=False) from None
            return int(number) if number.is_integer() else number
        if allowed or kind in ("option", "priority", "version", "component", "resolution"):
            return option(text)
        return text

    def _connector_fields(self, fields: Mapping[str, Any], title: str) -> dict[str, Any]:
        """The connector's custom field defaults, then its mappings from the ticket."""
        chosen: dict[str, Any] = dict(self.params.get("jira_custom_fields") or {})
        ticket = {"category": fields.get("category") or "", "title": title}
        for key, attribute in (self.params.get("jira_custom_fields_mapping") or {}).items():
            value = ticket.get(str(attribute).strip().lower(), "")
            chosen[key] = value
        return chosen

    def extra_fields(self, draft: IssueDraft, project: str, issue_type: str) -> dict[str, Any]:
        """The custom fields of the create request: the connector's defaults and mappings
        and the ticket's required fields, by field id (names are looked up)."""
        wanted = self._connector_fields({"category": draft.category}, draft.title)
        typed = draft.fields.get("tracker_fields")
        if isinstance(typed, Mapping):
            wanted.update(typed)
        wanted = {key: value for key, value in wanted.items() if value not in (None, "", [])}
        if not wanted:
            return {}
        try:
            meta = self.create_meta(project, issue_type)
        except RequestFailed as failure:
            raise self.delivery_failed(failure) from failure.__cause__
        by_key = {str(m.get("fieldId")).lower(): m for m in meta if m.get("fieldId")}
        by_name = {str(m.get("name")).lower(): m for m in meta if m.get("name")}
        extra: dict[str, Any] = {}
        for key, raw in wanted.items():
            found = by_key.get(key.lower()) or by_name.get(key.lower())
            if found is None:
                message = (
                    f"Jira has no field {key} on {issue_type} issues in {project}: "
                    "check the connector's custom fields."
                )
                raise self.failed(message, retryable=False)
            extra[str(found["fieldId"])] = self.field_value(found, raw)
        return extra

    # ---- tickets ---------------------------------------------------------
    def create_issue(self, draft: IssueDraft) -> CreatedIssue:
        """``POST /rest/api/2/issue`` with ``fields``; Jira answers ``{"id", "key", "self"}``."""
        project = self.issue_target(draft.target)
        issue_type = self.issue_type_name(draft.fields)
        fields: dict[str, Any] = {
            "project": {"key": project},
            "summary": draft.title,
            "description": draft.body,
            "issuetype": {"name": issue_type},
            **self.extra_fields(draft, project, issue_type),
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


def _allowed(meta: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A field's allowed values as (id, what people read) pairs."""
    return tuple(
        (str(value["id"]), str(value.get("value") or value.get("name") or value["id"]))
        for value in meta.get("allowedValues") or []
        if isinstance(value, dict) and value.get("id") is not None
    )


def _check_mapping(mapping: Any) -> str | None:
    """Custom fields may take the ticket's category or title."""
    for key, attribute in (mapping or {}).items():
        if str(attribute).strip().lower() not in TICKET_ATTRIBUTES:
            return f"{key}: use {' or '.join(TICKET_ATTRIBUTES)}, not {attribute}."
    return None


def _named(key: str):
    """A label "KEY: Name" (or just the key)."""
    return lambda item: f"{item[key]}: {item['name']}" if item.get("name") else item.get(key)


def _more(body: Any, page: int) -> bool:
    """Whether a Jira page answer (``startAt``, ``maxResults``, ``total``, ``isLast``) has
    a next page."""
    if not isinstance(body, dict):
        return False
    if isinstance(body.get("isLast"), bool):
        return not body["isLast"]
    total = body.get("total")
    return isinstance(total, int) and total > page * PAGE_SIZE


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
    custom_fields_param="jira_custom_fields",
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
            picker="projects",
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
            picker="issue_types",
            help="Name of the issue type new issues get, e.g. Task or Bug.",
        ),
        title_format_field(),
        default_labels_field(),
        Field(
            "jira_custom_fields",
            "Custom fields",
            FieldKind.KEYVALUE,
            group=TICKETS_GROUP.id,
            help="Set on every new issue; one per line as field=value, the field by its id "
            "or name, e.g. customfield_10010=High or Severity=High.",
        ),
        Field(
            "jira_custom_fields_mapping",
            "Custom fields from the ticket",
            FieldKind.KEYVALUE,
            group=TICKETS_GROUP.id,
            validator=_check_mapping,
            help="Filled from each ticket; one per line as field=category or field=title, "
            "e.g. Component=category gives each ticket's category to that field.",
        ),
        *task_sync_fields(),
    ),
    groups=(CONNECTION_GROUP, AUTH_GROUP, PROJECT_GROUP, TICKETS_GROUP, TASK_SYNC_GROUP),
    target_field="jira_project_key",
    required_fields_from=("target", "issue_type"),
    client_class=JiraClient,
    ticket_fields=(
        Field(
            "issue_type",
            "Issue type",
            required=True,
            default="Task",
            picker="issue_types",
            help="Name of an issue type of the project, e.g. Task or Bug.",
        ),
        Field(
            "labels",
            "Labels",
            help="Extra labels, comma-separated. Jira labels cannot contain spaces: "
            "spaces become hyphens.",
        ),
        Field(
            "priority",
            "Priority",
            picker="priorities",
            help="Name of a priority, e.g. High; empty: Jira's default.",
        ),
    ),
    ticket_defaults_from={"issue_type": "jira_issue_type", "labels": "default_labels"},
    argus=ARGUS,
    category_mapping="label",
    label_colours=False,
    label_note="Jira labels have no colour and cannot contain spaces: spaces become hyphens.",
    webhooks=JiraWebhooks(),
)
