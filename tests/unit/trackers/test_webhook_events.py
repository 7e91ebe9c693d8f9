"""Each tracker's webhook declaration: signatures, delivery ids, and events as snapshots."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support import webhook_samples as samples
from webapp.trackers.github import GITHUB
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT
from webapp.trackers.webhooks import parse_time

SECRET = "s3cret-value-for-tests"


def test_request_tracker_declares_no_webhooks():
    assert RT.webhooks is None
    assert all(system.webhooks is not None for system in (GITHUB, GITLAB, JIRA))


@pytest.mark.parametrize(
    ("system", "delivery"),
    [
        (GITLAB, samples.gitlab_delivery(SECRET, samples.gitlab_issue(1, "open"))),
        (GITHUB, samples.github_delivery(SECRET, samples.github_issue(1, "opened"))),
        (JIRA, samples.jira_delivery(SECRET, samples.jira_issue_updated("OPS-1", done=False))),
    ],
    ids=["gitlab", "github", "jira"],
)
def test_signatures(system, delivery):
    hooks = system.webhooks
    assert hooks.verify(SECRET, delivery.body, delivery.headers)
    assert not hooks.verify("other-secret", delivery.body, delivery.headers)
    assert not hooks.verify("", delivery.body, delivery.headers)
    if system is not GITLAB:  # an HMAC covers the body; GitLab's token does not
        assert not hooks.verify(SECRET, delivery.body + b" ", delivery.headers)
    missing = {k: v for k, v in delivery.headers.items() if k != hooks.signature_header}
    assert not hooks.verify(SECRET, delivery.body, missing)
    assert hooks.delivery_id(delivery.headers, delivery.body) == next(
        delivery.headers[name] for name in hooks.delivery_headers if name in delivery.headers
    )


def test_gitlab_prefers_the_idempotency_key():
    delivery = samples.gitlab_delivery(SECRET, {})
    assert (
        GITLAB.webhooks.delivery_id(delivery.headers, b"{}") == delivery.headers["Idempotency-Key"]
    )


def test_gitlab_issue_hook():
    payload = samples.gitlab_issue(
        7, "close", state="closed", labels=("API", "bug"), assignees=("user1",)
    )
    event = GITLAB.webhooks.parse({"X-Gitlab-Event": "Issue Hook"}, payload)
    assert (event.name, event.kind, event.targets) == (
        "Issue Hook: close",
        "issue",
        ("group/project", "15"),
    )
    snapshot = event.snapshot
    assert (snapshot.key, snapshot.state, snapshot.changed_by) == ("#7", "closed", "jane")
    assert snapshot.labels == ("API", "bug") and snapshot.assignees == ("user1",)
    assert snapshot.updated_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert snapshot.author is None  # only "open" says who opened it


def test_gitlab_opened_issue_names_its_author_and_empty_lists_clear():
    payload = samples.gitlab_issue(8, "open", user="support-bot")
    snapshot = GITLAB.webhooks.parse({"X-Gitlab-Event": "Issue Hook"}, payload).snapshot
    assert snapshot.author == "support-bot" and snapshot.state == "open"
    assert snapshot.labels == () and snapshot.assignees == ()
    del payload["labels"], payload["object_attributes"]["labels"], payload["assignees"]
    snapshot = GITLAB.webhooks.parse({"X-Gitlab-Event": "Issue Hook"}, payload).snapshot
    assert snapshot.labels is None and snapshot.assignees is None  # not told: kept


def test_gitlab_note_hook():
    event = GITLAB.webhooks.parse(
        {"X-Gitlab-Event": "Note Hook"}, samples.gitlab_note(7, 99, "Looks fixed")
    )
    assert event.kind == "comment"
    (comment,) = event.snapshot.comments
    assert (comment.external_id, comment.author, comment.body) == ("99", "bob", "Looks fixed")
    assert comment.created_at == datetime(2026, 11, 1, 12, 5, tzinfo=UTC)


def test_gitlab_unknown_events_are_not_used():
    event = GITLAB.webhooks.parse({"X-Gitlab-Event": "Push Hook"}, {"object_kind": "push"})
    assert event.kind is None and "not used" in event.reason


def test_github_issues_and_comments():
    payload = samples.github_issue(3, "labeled", labels=("bug",), assignees=("a", "b"))
    event = GITHUB.webhooks.parse({"X-GitHub-Event": "issues"}, payload)
    assert event.name == "issues.labeled" and event.snapshot.key == "#3"
    assert event.snapshot.labels == ("bug",) and event.snapshot.assignees == ("a", "b")
    assert event.snapshot.author == "desk-bot"
    assert event.targets == ("octo-org/hello-world", "hello-world")
    comment = GITHUB.webhooks.parse(
        {"X-GitHub-Event": "issue_comment"}, samples.github_comment(3, 42, "Hi")
    )
    assert comment.kind == "comment" and comment.snapshot.comments[0].author == "hubot"
    edited = samples.github_comment(3, 42, "Hi!")
    edited["action"] = "edited"
    assert GITHUB.webhooks.parse({"X-GitHub-Event": "issue_comment"}, edited).kind is None


def test_jira_status_category_decides_the_state():
    done = samples.jira_issue_updated("OPS-4", done=True, assignee="Ann")
    event = JIRA.webhooks.parse({}, done)
    assert (event.snapshot.key, event.snapshot.state) == ("OPS-4", "closed")
    assert event.snapshot.assignees == ("Ann",) and event.targets == ("OPS", "OPS")
    open_again = samples.jira_issue_updated("OPS-4", done=False)
    assert JIRA.webhooks.parse({}, open_again).snapshot.state == "open"
    assert JIRA.webhooks.parse({}, open_again).snapshot.assignees == ()


def test_jira_comments_in_wiki_markup_or_a_document():
    plain = samples.jira_comment_created("OPS-4", "100", "Toner *ordered*")
    assert JIRA.webhooks.parse({}, plain).snapshot.comments[0].body == "Toner *ordered*"
    adf = samples.jira_comment_created("OPS-4", "101", "")
    adf["comment"]["body"] = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "First line"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Second"}]},
        ],
    }
    assert JIRA.webhooks.parse({}, adf).snapshot.comments[0].body == "First line\nSecond"


@pytest.mark.parametrize("garbage", [None, [], "text", {"issue": "nope"}, {"issue": {"key": 5}}])
def test_garbage_never_raises(garbage):
    for system, headers in (
        (GITLAB, {"X-Gitlab-Event": "Issue Hook"}),
        (GITHUB, {"X-GitHub-Event": "issues"}),
        (JIRA, {}),
    ):
        event = system.webhooks.parse(headers, garbage)
        assert event.snapshot is None or event.snapshot.key


@pytest.mark.parametrize(
    "text",
    ["2013-12-03 17:15:43 UTC", "2013-12-03T17:15:43Z", "2013-12-03T17:15:43.000+0000"],
)
def test_tracker_times(text):
    assert parse_time(text) == datetime(2013, 12, 3, 17, 15, 43, tzinfo=UTC)
    assert parse_time("yesterday") is None and parse_time(None) is None
