"""Webhook requests as GitLab, GitHub and Jira send them, signed like they sign them.

The payloads follow the trackers' webhook documentation (GitLab "Webhook events": Issue
and Comment events; GitHub "Webhook events and payloads": issues, issue_comment; Jira
"Webhooks": jira:issue_updated, comment_created), cut to the fields plus some of the
noise around them; the headers are the ones each tracker sends.  Projects match the test
connectors (tests/support/connector_data.py): group/project, octo-org/hello-world, OPS.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass
class Delivery:
    """One request: the raw body and its headers, signed with ``secret``."""

    body: bytes
    headers: dict[str, str]


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _hmac(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ---- GitLab ---------------------------------------------------------------------

GITLAB_PROJECT = {
    "id": 15,
    "name": "project",
    "description": "Where the desk files its tickets",
    "web_url": "https://gitlab.example.com/group/project",
    "avatar_url": None,
    "git_ssh_url": "git@gitlab.example.com:group/project.git",
    "namespace": "group",
    "visibility_level": 0,
    "path_with_namespace": "group/project",
    "default_branch": "main",
}
GITLAB_USER = {
    "id": 1,
    "name": "Jane Doe",
    "username": "jane",
    "avatar_url": "https://gitlab.example.com/uploads/user/avatar/1/index.jpg",
    "email": "[REDACTED]",
}


def gitlab_issue(
    iid: int,
    action: str,
    *,
    state: str = "opened",
    labels: tuple[str, ...] = (),
    assignees: tuple[str, ...] = (),
    user: str = "jane",
    updated_at: str = "2026-11-01T12:00:00Z",
    title: str = "Printer on fire",
    project: str = "group/project",
) -> dict[str, Any]:
    """An "Issue Hook" payload (action open, close, reopen or update)."""
    label_objects = [
        {
            "id": 200 + n,
            "title": name,
            "color": "#dc143c",
            "project_id": 15,
            "created_at": "2026-10-01T10:00:00Z",
            "updated_at": "2026-10-01T10:00:00Z",
            "template": False,
            "description": None,
            "type": "ProjectLabel",
            "group_id": None,
        }
        for n, name in enumerate(labels)
    ]
    return {
        "object_kind": "issue",
        "event_type": "issue",
        "user": {**GITLAB_USER, "username": user, "name": user.title()},
        "project": {**GITLAB_PROJECT, "path_with_namespace": project},
        "object_attributes": {
            "author_id": 1,
            "closed_at": updated_at if state == "closed" else None,
            "confidential": False,
            "created_at": "2026-10-31T09:00:00Z",
            "description": "It smokes.\n\n<!-- connector-desk:marker -->",
            "discussion_locked": None,
            "due_date": None,
            "id": 9000 + iid,
            "iid": iid,
            "last_edited_at": None,
            "milestone_id": None,
            "project_id": 15,
            "state_id": 2 if state == "closed" else 1,
            "title": title,
            "updated_at": updated_at,
            "updated_by_id": 1,
            "url": f"https://gitlab.example.com/group/project/-/issues/{iid}",
            "labels": label_objects,
            "state": state,
            "severity": "unknown",
            "action": action,
            "assignee_ids": list(range(len(assignees))),
        },
        "repository": {
            "name": "project",
            "url": "git@gitlab.example.com:group/project.git",
            "description": "",
            "homepage": "https://gitlab.example.com/group/project",
        },
        "assignees": [
            {"id": n, "name": name.title(), "username": name, "avatar_url": None}
            for n, name in enumerate(assignees)
        ],
        "labels": label_objects,
        "changes": {"updated_at": {"previous": "2026-10-31T09:00:00Z", "current": updated_at}},
    }


def gitlab_note(
    iid: int, note_id: int, note: str, *, user: str = "bob", noteable: str = "Issue"
) -> dict[str, Any]:
    """A "Note Hook" payload: a comment on an issue (or on something else)."""
    payload: dict[str, Any] = {
        "object_kind": "note",
        "event_type": "note",
        "user": {**GITLAB_USER, "username": user, "name": user.title()},
        "project_id": 15,
        "project": GITLAB_PROJECT,
        "object_attributes": {
            "id": note_id,
            "note": note,
            "noteable_type": noteable,
            "author_id": 2,
            "created_at": "2026-11-01T12:05:00Z",
            "updated_at": "2026-11-01T12:05:00Z",
            "project_id": 15,
            "attachment": None,
            "line_code": None,
            "commit_id": "",
            "noteable_id": 9000 + iid,
            "system": False,
            "st_diff": None,
            "internal": False,
            "url": f"https://gitlab.example.com/group/project/-/issues/{iid}#note_{note_id}",
            "action": "create",
        },
        "repository": {"name": "project", "url": "git@gitlab.example.com:group/project.git"},
    }
    if noteable == "Issue":
        payload["issue"] = {
            "id": 9000 + iid,
            "iid": iid,
            "title": "Printer on fire",
            "state": "opened",
            "labels": [],
            "updated_at": "2026-11-01T12:05:00Z",
        }
    else:
        payload["merge_request"] = {"id": 77, "iid": 3, "title": "Fix the printer"}
    return payload


def gitlab_delivery(
    secret: str | None, payload: dict[str, Any], *, event: str | None = None, **extra: str
) -> Delivery:
    """Headers as GitLab 17 sends them: the secret token as is, and the event's UUIDs."""
    event = event or ("Note Hook" if payload.get("object_kind") == "note" else "Issue Hook")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitLab/17.5.0",
        "X-Gitlab-Event": event,
        "X-Gitlab-Webhook-UUID": "2f5e0f6c-3b53-4c0e-a1c5-4f5b0b8a0f11",
        "X-Gitlab-Instance": "https://gitlab.example.com",
        "X-Gitlab-Event-UUID": str(uuid.uuid4()),
        "Idempotency-Key": str(uuid.uuid4()),
    }
    if secret is not None:
        headers["X-Gitlab-Token"] = secret
    headers.update(extra)
    return Delivery(_json(payload), headers)


# ---- GitHub ---------------------------------------------------------------------

GITHUB_REPOSITORY = {
    "id": 1296269,
    "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    "name": "hello-world",
    "full_name": "octo-org/hello-world",
    "private": False,
    "owner": {"login": "octo-org", "id": 6811672, "type": "Organization"},
    "html_url": "https://github.com/octo-org/hello-world",
}


def _github_user(login: str) -> dict[str, Any]:
    return {
        "login": login,
        "id": 583231,
        "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
        "type": "User",
        "site_admin": False,
    }


def github_issue(
    number: int,
    action: str,
    *,
    state: str = "open",
    labels: tuple[str, ...] = (),
    assignees: tuple[str, ...] = (),
    sender: str = "octocat",
    updated_at: str = "2026-11-01T12:00:00Z",
) -> dict[str, Any]:
    """An ``issues`` event (opened, closed, reopened, labeled, assigned, edited, …)."""
    return {
        "action": action,
        "issue": {
            "url": f"https://api.github.com/repos/octo-org/hello-world/issues/{number}",
            "html_url": f"https://github.com/octo-org/hello-world/issues/{number}",
            "id": 1000000 + number,
            "node_id": "I_kwDOABCD",
            "number": number,
            "title": "Printer on fire",
            "user": _github_user("desk-bot"),
            "labels": [
                {"id": 208045946 + n, "name": name, "color": "f29513", "default": False}
                for n, name in enumerate(labels)
            ],
            "state": state,
            "state_reason": "completed" if state == "closed" else None,
            "locked": False,
            "assignee": _github_user(assignees[0]) if assignees else None,
            "assignees": [_github_user(login) for login in assignees],
            "comments": 0,
            "created_at": "2026-10-31T09:00:00Z",
            "updated_at": updated_at,
            "closed_at": updated_at if state == "closed" else None,
            "author_association": "NONE",
            "body": "It smokes.\n\n<!-- connector-desk:marker -->",
        },
        "repository": GITHUB_REPOSITORY,
        "organization": {"login": "octo-org", "id": 6811672},
        "sender": _github_user(sender),
    }


def github_comment(number: int, comment_id: int, body: str, *, login: str = "hubot"):
    """An ``issue_comment`` event with action created."""
    issue = github_issue(number, "created")["issue"]
    return {
        "action": "created",
        "issue": issue,
        "comment": {
            "url": f"https://api.github.com/repos/octo-org/hello-world/issues/comments/{comment_id}",
            "html_url": f"https://github.com/octo-org/hello-world/issues/{number}"
            f"#issuecomment-{comment_id}",
            "id": comment_id,
            "node_id": "IC_kwDOABCD",
            "user": _github_user(login),
            "created_at": "2026-11-01T12:05:00Z",
            "updated_at": "2026-11-01T12:05:00Z",
            "author_association": "MEMBER",
            "body": body,
        },
        "repository": GITHUB_REPOSITORY,
        "sender": _github_user(login),
    }


def github_delivery(secret: str | None, payload: dict[str, Any], *, event: str = "issues"):
    """Headers as GitHub sends them: HMAC-SHA256 of the body in X-Hub-Signature-256."""
    body = _json(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "292430182",
        "X-GitHub-Hook-Installation-Target-ID": "79929171",
        "X-GitHub-Hook-Installation-Target-Type": "repository",
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = _hmac(secret, body)
    return Delivery(body, headers)


# ---- Jira -----------------------------------------------------------------------


def _jira_user(name: str) -> dict[str, Any]:
    return {
        "self": "https://example.atlassian.net/rest/api/2/user?accountId=5b10ac8d82e05b22cc7d4ef5",
        "accountId": "5b10ac8d82e05b22cc7d4ef5",
        "displayName": name,
        "active": True,
        "timeZone": "Europe/Berlin",
        "accountType": "atlassian",
    }


def jira_issue_updated(
    key: str,
    *,
    done: bool,
    labels: tuple[str, ...] = (),
    assignee: str | None = None,
    user: str = "Jane Doe",
    updated: str = "2026-11-01T12:00:00.000+0000",
) -> dict[str, Any]:
    """A ``jira:issue_updated`` event (the status in the "done" category: closed)."""
    status = (
        {"name": "Done", "id": "10002", "statusCategory": {"id": 3, "key": "done", "name": "Done"}}
        if done
        else {
            "name": "In Progress",
            "id": "3",
            "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"},
        }
    )
    return {
        "timestamp": 1793534400000,
        "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_generic",
        "user": _jira_user(user),
        "issue": {
            "id": "10012",
            "self": "https://example.atlassian.net/rest/api/2/10012",
            "key": key,
            "fields": {
                "summary": "Printer on fire",
                "issuetype": {"name": "Task", "id": "10001"},
                "project": {"id": "10000", "key": key.split("-")[0], "name": "Operations"},
                "status": status,
                "labels": list(labels),
                "assignee": _jira_user(assignee) if assignee else None,
                "reporter": _jira_user("Desk Bot"),
                "resolutiondate": updated if done else None,
                "created": "2026-10-31T09:00:00.000+0000",
                "updated": updated,
            },
        },
        "changelog": {
            "id": "10101",
            "items": [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "from": "3",
                    "fromString": "In Progress",
                    "to": "10002",
                    "toString": "Done",
                }
            ],
        },
    }


def jira_comment_created(key: str, comment_id: str, body: str, *, author: str = "Bob Smith"):
    """A ``comment_created`` event."""
    issue = copy.deepcopy(jira_issue_updated(key, done=False)["issue"])
    return {
        "timestamp": 1793534700000,
        "webhookEvent": "comment_created",
        "comment": {
            "self": f"https://example.atlassian.net/rest/api/2/issue/10012/comment/{comment_id}",
            "id": comment_id,
            "author": _jira_user(author),
            "body": body,
            "updateAuthor": _jira_user(author),
            "created": "2026-11-01T12:05:00.000+0000",
            "updated": "2026-11-01T12:05:00.000+0000",
            "jsdPublic": True,
        },
        "issue": issue,
    }


def jira_delivery(secret: str | None, payload: dict[str, Any]) -> Delivery:
    """Headers as Jira sends them for an admin webhook with a secret."""
    body = _json(payload)
    headers = {
        "Content-Type": "application/json; charset=UTF-8",
        "User-Agent": "Atlassian Webhook HTTP Client",
        "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
        "X-Atlassian-Webhook-Retry": "0",
    }
    if secret is not None:
        headers["X-Hub-Signature"] = _hmac(secret, body)
    return Delivery(body, headers)
