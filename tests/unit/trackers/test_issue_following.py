"""Reading an issue back (sync), listing open issues and labelling them (triage), per tracker.

Each client asks the request its tracker documents and reads state, labels, assignees and
comments from the documented answer; failures are ``DeliveryFailed`` in the same words
as a delivery's.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from responses import matchers

from tests.unit.trackers.specs import GITHUB_SPEC, GITLAB_SPEC, JIRA_SPEC, RT_SPEC
from webapp.trackers.tickets import DeliveryFailed, IssueSnapshot, NotModified, RemoteComment

T1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def client(spec, settings):
    return spec.system.client_class(spec.system, spec.params, spec.secrets, settings)


def creds(spec, **extra):
    return [matchers.header_matcher({**spec.credentials, **extra})]


# ---- GitLab ------------------------------------------------------------------
GITLAB_ISSUE = "/api/v4/projects/group%2Fproj/issues/12"


def gitlab_issue(**changes):
    return {
        "iid": 12,
        "title": "Service Desk (from john.doe@mail.com): [Hardware] Buying a new screen",
        "state": "closed",
        "labels": ["bug", "hardware"],
        "author": {"username": "support-bot"},
        "assignees": [{"username": "jane"}, {"username": "bo"}],
        "updated_at": "2026-11-02T09:30:00.000Z",
        "closed_at": "2026-11-02T09:29:00.000Z",
        "closed_by": {"username": "jane"},
        **changes,
    }


def test_gitlab_issue_is_read_with_state_labels_assignees_and_its_notes(api, settings):
    spec = GITLAB_SPEC
    api.get(spec.url(GITLAB_ISSUE), json=gitlab_issue(), match=creds(spec))
    api.get(
        spec.url(GITLAB_ISSUE + "/notes"),
        json=[
            {
                "id": 501,
                "body": "Ordered.",
                "author": {"username": "jane"},
                "system": False,
                "created_at": "2026-11-02T09:00:00Z",
                "internal": False,
            },
            {"id": 502, "body": "closed", "author": {"username": "jane"}, "system": True},
            {"id": 503, "body": "Team only", "author": {"username": "bo"}, "internal": True},
        ],
        match=[
            *creds(spec),
            matchers.query_param_matcher(
                {"sort": "asc", "order_by": "created_at", "per_page": "100", "page": "1"}
            ),
        ],
    )

    with client(spec, settings) as gitlab:
        snapshot = gitlab.fetch_issue("#12", None)

    assert (snapshot.key, snapshot.state, snapshot.author) == ("#12", "closed", "support-bot")
    assert snapshot.labels == ("bug", "hardware") and snapshot.assignees == ("jane", "bo")
    assert (snapshot.changed_by, snapshot.updated_at) == ("jane", T1)
    assert snapshot.comments == (
        RemoteComment("501", "jane", "Ordered.", datetime(2026, 11, 2, 9, tzinfo=UTC)),
        RemoteComment("503", "bo", "Team only", None, internal=True),
    )


def test_gitlab_notes_are_read_page_after_page(api, settings):
    spec = GITLAB_SPEC
    api.get(spec.url(GITLAB_ISSUE), json=gitlab_issue())
    for page, following in (("1", "2"), ("2", "")):
        api.get(
            spec.url(GITLAB_ISSUE + "/notes"),
            json=[{"id": int(page), "body": f"note {page}", "author": {"username": "jane"}}],
            headers={"X-Next-Page": following},
            match=[matchers.query_param_matcher({"page": page}, strict_match=False)],
        )
    with client(spec, settings) as gitlab:
        snapshot = gitlab.fetch_issue("#12", None)
    assert [c.body for c in snapshot.comments] == ["note 1", "note 2"]


def test_gitlab_open_issue_has_no_closer(api, settings):
    spec = GITLAB_SPEC
    api.get(spec.url(GITLAB_ISSUE), json=gitlab_issue(state="opened", closed_by=None))
    api.get(spec.url(GITLAB_ISSUE + "/notes"), json=[])
    with client(spec, settings) as gitlab:
        snapshot = gitlab.fetch_issue("#12", "group/proj")
    assert snapshot.state == "open" and snapshot.changed_by is None


def test_gitlab_rejected_token_fails_without_retry_and_names_the_token(api, settings):
    spec = GITLAB_SPEC
    api.get(spec.url(GITLAB_ISSUE), status=401, json={"message": "401 Unauthorized"})
    with client(spec, settings) as gitlab, pytest.raises(DeliveryFailed) as caught:
        gitlab.fetch_issue("#12", None)
    assert caught.value.http_status == 401 and not caught.value.retryable
    assert "401 Unauthorized" in caught.value.message
    assert spec.secrets["issue_tracker_api_token"] not in caught.value.message


def test_gitlab_lists_open_issues_a_page_at_a_time(api, settings):
    spec = GITLAB_SPEC
    api.get(
        spec.url("/api/v4/projects/group%2Fproj/issues"),
        json=[gitlab_issue(state="opened", iid=3), gitlab_issue(state="opened", iid=2)],
        headers={"X-Next-Page": "3"},
        match=[matchers.query_param_matcher({"state": "opened", "per_page": "2", "page": "2"})],
    )
    with client(spec, settings) as gitlab:
        page = gitlab.list_open_issues(None, 2, 2)
    assert [issue.key for issue in page.issues] == ["#3", "#2"] and page.more
    assert page.issues[0].author == "support-bot"


def test_gitlab_last_page_says_no_more(api, settings):
    spec = GITLAB_SPEC
    api.get(
        spec.url("/api/v4/projects/group%2Fproj/issues"),
        json=[gitlab_issue(state="opened")],
        headers={"X-Next-Page": ""},
    )
    with client(spec, settings) as gitlab:
        assert not gitlab.list_open_issues(None, 1, 1).more


def test_gitlab_labels_are_added_with_add_labels(api, settings):
    spec = GITLAB_SPEC
    api.put(
        spec.url(GITLAB_ISSUE),
        json=gitlab_issue(),
        match=[*creds(spec), matchers.json_params_matcher({"add_labels": "hardware,urgent"})],
    )
    with client(spec, settings) as gitlab:
        gitlab.add_labels("#12", ("hardware", "urgent"), None)
    assert len(api.calls) == 1


def test_a_key_that_is_no_number_is_refused_before_any_request(api, settings):
    with client(GITLAB_SPEC, settings) as gitlab, pytest.raises(DeliveryFailed) as caught:
        gitlab.fetch_issue("OPS-1", None)
    assert not caught.value.retryable and not api.calls


# ---- GitHub ------------------------------------------------------------------
GITHUB_ISSUE = "/repos/acme/app/issues/7"


def github_issue(**changes):
    return {
        "number": 7,
        "title": "[Hardware] New screen",
        "state": "closed",
        "user": {"login": "octocat"},
        "labels": [{"name": "bug"}, {"name": "hardware"}],
        "assignees": [{"login": "hubot"}],
        "updated_at": "2026-11-02T09:30:00Z",
        "closed_at": "2026-11-02T09:30:00Z",
        "closed_by": {"login": "hubot"},
        **changes,
    }


def test_github_issue_is_read_with_its_etag_and_comments(api, settings):
    spec = GITHUB_SPEC
    api.get(spec.url(GITHUB_ISSUE), json=github_issue(), headers={"ETag": 'W/"abc"'})
    api.get(
        spec.url(GITHUB_ISSUE + "/comments"),
        json=[
            {
                "id": 9001,
                "user": {"login": "hubot"},
                "body": "Done.",
                "created_at": "2026-11-02T09:29:00Z",
            }
        ],
        match=[matchers.query_param_matcher({"per_page": "100", "page": "1"})],
    )
    with client(spec, settings) as github:
        snapshot = github.fetch_issue("#7", None)
    assert isinstance(snapshot, IssueSnapshot)
    assert (snapshot.state, snapshot.labels, snapshot.assignees) == (
        "closed",
        ("bug", "hardware"),
        ("hubot",),
    )
    assert (snapshot.changed_by, snapshot.etag, snapshot.author) == ("hubot", 'W/"abc"', "octocat")
    assert [(c.external_id, c.author, c.body) for c in snapshot.comments] == [
        ("9001", "hubot", "Done.")
    ]


def test_github_unchanged_issue_is_not_modified_and_comments_are_not_read(api, settings):
    spec = GITHUB_SPEC
    api.get(
        spec.url(GITHUB_ISSUE),
        status=304,
        match=creds(spec, **{"If-None-Match": 'W/"abc"'}),
    )
    with client(spec, settings) as github:
        assert github.fetch_issue("#7", None, etag='W/"abc"') == NotModified("#7", 'W/"abc"')
    assert len(api.calls) == 1


def test_github_bad_credentials_fail_without_retry(api, settings):
    spec = GITHUB_SPEC
    api.get(spec.url(GITHUB_ISSUE), status=401, json={"message": "Bad credentials"})
    with client(spec, settings) as github, pytest.raises(DeliveryFailed) as caught:
        github.fetch_issue("#7", None, etag='W/"old"')
    assert caught.value.http_status == 401 and not caught.value.retryable
    assert "Bad credentials" in caught.value.message


def test_github_list_leaves_out_pull_requests(api, settings):
    spec = GITHUB_SPEC
    api.get(
        spec.url("/repos/acme/app/issues"),
        json=[
            github_issue(state="open"),
            github_issue(number=8, state="open", pull_request={"url": "https://x/pulls/8"}),
        ],
        headers={"Link": '<https://x/issues?page=2>; rel="next"'},
        match=[matchers.query_param_matcher({"state": "open", "per_page": "50", "page": "1"})],
    )
    with client(spec, settings) as github:
        page = github.list_open_issues(None, 1, 50)
    assert [issue.key for issue in page.issues] == ["#7"] and page.more


def test_github_labels_are_added_by_name(api, settings):
    spec = GITHUB_SPEC
    api.post(
        spec.url(GITHUB_ISSUE + "/labels"),
        json=[{"name": "hardware"}],
        match=[matchers.json_params_matcher({"labels": ["hardware"]})],
    )
    with client(spec, settings) as github:
        github.add_labels("#7", ("hardware",), None)
    assert len(api.calls) == 1


# ---- Jira --------------------------------------------------------------------
def jira_issue(category: str, status: str):
    return {
        "key": "OPS-12",
        "fields": {
            "status": {"name": status, "statusCategory": {"key": category}},
            "labels": ["ops", "hardware"],
            "assignee": {"displayName": "Jane Doe", "name": "jane"},
            "updated": "2026-11-02T09:30:00.000+0000",
            "comment": {
                "comments": [
                    {
                        "id": "10001",
                        "author": {"displayName": "Bo"},
                        "body": "On it.",
                        "created": "2026-11-02T09:00:00.000+0000",
                    }
                ]
            },
        },
    }


def test_jira_done_category_is_closed_with_labels_assignee_and_comments(api, settings):
    spec = JIRA_SPEC
    api.get(
        spec.url("/rest/api/2/issue/OPS-12"),
        json=jira_issue("done", "Resolved"),
        match=[
            *creds(spec),
            matchers.query_param_matcher({"fields": "status,labels,assignee,updated,comment"}),
        ],
    )
    with client(spec, settings) as jira:
        snapshot = jira.fetch_issue("OPS-12", None)
    assert (snapshot.state, snapshot.labels, snapshot.assignees) == (
        "closed",
        ("ops", "hardware"),
        ("Jane Doe",),
    )
    assert snapshot.updated_at == T1
    assert [(c.external_id, c.author, c.body) for c in snapshot.comments] == [
        ("10001", "Bo", "On it.")
    ]


def test_jira_status_in_progress_is_open(api, settings):
    spec = JIRA_SPEC
    api.get(spec.url("/rest/api/2/issue/OPS-12"), json=jira_issue("indeterminate", "In Progress"))
    with client(spec, settings) as jira:
        assert jira.fetch_issue("OPS-12", None).state == "open"


def test_jira_rejected_login_fails_without_retry(api, settings):
    spec = JIRA_SPEC
    api.get(
        spec.url("/rest/api/2/issue/OPS-12"),
        status=401,
        json={"errorMessages": ["You are not authenticated."], "errors": {}},
    )
    with client(spec, settings) as jira, pytest.raises(DeliveryFailed) as caught:
        jira.fetch_issue("OPS-12", None)
    assert caught.value.http_status == 401 and not caught.value.retryable


# ---- Request Tracker ---------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("resolved", "closed"),
        ("rejected", "closed"),
        ("deleted", "closed"),
        ("new", "open"),
        ("open", "open"),
        ("stalled", "open"),
    ],
)
def test_rt_status_maps_to_open_or_closed(api, settings, status, state):
    spec = RT_SPEC
    api.get(spec.url("/REST/2.0/ticket/12"), json={"id": 12, "Status": status})
    api.get(spec.url("/REST/2.0/ticket/12/history"), json={"items": [], "page": 1, "pages": 1})
    with client(spec, settings) as rt:
        assert rt.fetch_issue("12", None).state == state


def test_rt_correspondence_and_comments_come_from_the_history(api, settings):
    spec = RT_SPEC
    api.get(
        spec.url("/REST/2.0/ticket/12"),
        json={
            "id": 12,
            "Status": "resolved",
            "Subject": "Printer on fire",
            "Owner": {"id": "jane", "type": "user"},
            "Creator": {"id": "root", "type": "user"},
            "LastUpdated": "2026-11-02T09:30:00Z",
        },
    )
    history = [
        {"id": 40, "Type": "Create", "Creator": {"id": "root"}},
        {
            "id": 41,
            "Type": "Correspond",
            "Creator": {"id": "jane"},
            "Created": "2026-11-02T09:00:00Z",
        },
        {"id": 42, "Type": "Comment", "Creator": {"id": "bo"}},
        {
            "id": 43,
            "Type": "Status",
            "Creator": {"id": "jane"},
            "Field": "Status",
            "NewValue": "resolved",
            "Created": "2026-11-02T09:30:00Z",
        },
    ]
    api.get(
        spec.url("/REST/2.0/ticket/12/history"),
        json={"items": history, "page": 1, "pages": 1},
        match=[
            matchers.query_param_matcher(
                {"fields": "Type,Creator,Created,Field,NewValue", "per_page": "100", "page": "1"}
            )
        ],
    )
    api.get(
        spec.url("/REST/2.0/ticket/12/attachments"),
        json={
            "items": [
                {"TransactionId": "40", "ContentType": "text/plain", "Content": "Our body"},
                {"TransactionId": "41", "ContentType": "text/html", "Content": "<p>x</p>"},
                {"TransactionId": "41", "ContentType": "text/plain", "Content": "Fire is out.\n"},
                {"TransactionId": {"id": "42"}, "ContentType": "text/plain", "Content": "Internal"},
            ],
            "page": 1,
            "pages": 1,
        },
        match=[
            matchers.query_param_matcher(
                {"fields": "Content,ContentType,TransactionId", "per_page": "100", "page": "1"}
            )
        ],
    )
    with client(spec, settings) as rt:
        snapshot = rt.fetch_issue("12", None)
    assert (snapshot.state, snapshot.assignees, snapshot.changed_by) == (
        "closed",
        ("jane",),
        "jane",
    )
    assert [(c.external_id, c.author, c.body, c.internal) for c in snapshot.comments] == [
        ("41", "jane", "Fire is out.", False),
        ("42", "bo", "Internal", True),
    ]


def test_rt_rejected_token_fails_without_retry(api, settings):
    spec = RT_SPEC
    api.get(spec.url("/REST/2.0/ticket/12"), status=401, json={"message": "Unauthorized"})
    with client(spec, settings) as rt, pytest.raises(DeliveryFailed) as caught:
        rt.fetch_issue("12", None)
    assert caught.value.http_status == 401 and not caught.value.retryable
    assert spec.secrets["issue_tracker_api_token"] not in caught.value.message


def test_rt_unknown_ticket_fails_without_retry(api, settings):
    spec = RT_SPEC
    api.get(
        spec.url("/REST/2.0/ticket/12"), status=404, json={"message": "Resource does not exist"}
    )
    with client(spec, settings) as rt, pytest.raises(DeliveryFailed) as caught:
        rt.fetch_issue("12", None)
    assert caught.value.http_status == 404 and not caught.value.retryable
    assert "RT has no ticket 12" in caught.value.message
