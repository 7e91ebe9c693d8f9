"""Each tracker gets the request its API documents, and its answer becomes a key and a link.

Why exact matchers: a body key spelt wrong (``description`` for GitHub, a list for
GitLab's comma-separated labels) is silently ignored by the tracker, so only a
byte-for-byte comparison with the documented request catches it.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests
import responses
from responses import matchers

from tests.support.tracker_calls import create_issue, ensure_labels, find_issue
from tests.unit.trackers.specs import SPECS
from webapp.trackers.github import GITHUB
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft, LabelOutcome

SPEC = {spec.id: spec for spec in SPECS}
MARKER = "connector-desk-ticket-0123456789abcdef01234567"
BODY = f"Steps to reproduce.\n\n---\nCreated with Connector Desk · reference {MARKER}\n"


def draft(**kwargs) -> IssueDraft:
    return IssueDraft(title="Login fails", body=BODY, marker=MARKER, **kwargs)


def sent_with(spec, settings, body=None, **extra_headers):
    """Matchers for the credentials, the User-Agent and (optionally) the exact JSON body."""
    headers = {**spec.credentials, "User-Agent": settings.user_agent, **extra_headers}
    found = [matchers.header_matcher(headers)]
    if body is not None:
        found.append(matchers.json_params_matcher(body, strict_match=True))
    return found


def create(spec, settings, ticket: IssueDraft, **params) -> CreatedIssue:
    return create_issue(spec.system, {**spec.params, **params}, spec.secrets, settings, ticket)


def find(spec, settings, target=None, **params) -> CreatedIssue | None:
    params = {**spec.params, **params}
    return find_issue(spec.system, params, spec.secrets, settings, MARKER, target)


# ---- create ------------------------------------------------------------------


def test_github_issue_is_posted_with_labels_and_assignees(api, settings) -> None:
    spec = SPEC["github"]
    body = {
        "title": "Login fails",
        "body": BODY,
        "labels": ["security", "ui"],
        "assignees": ["octocat", "hubot"],
    }
    api.add(
        responses.POST,
        spec.url("/repos/acme/app/issues"),
        status=201,
        json={"number": 12, "html_url": "https://github.example.com/acme/app/issues/12"},
        match=sent_with(spec, settings, body, Accept="application/vnd.github+json"),
    )

    ticket = draft(labels=("security", "ui"), fields={"assignees": "octocat, @hubot"})
    issue = create(spec, settings, ticket)

    assert issue == CreatedIssue("#12", "https://github.example.com/acme/app/issues/12", "12")


def test_github_ticket_target_names_the_repository_of_the_connectors_owner(api, settings):
    spec = SPEC["github"]
    api.add(
        responses.POST,
        spec.url("/repos/acme/other/issues"),
        status=201,
        json={"number": 1, "html_url": "https://github.example.com/acme/other/issues/1"},
        match=sent_with(spec, settings, {"title": "Login fails", "body": BODY}),
    )

    issue = create(spec, settings, draft(target="other"), github_repo_name="")

    assert issue.key == "#1"


def test_gitlab_issue_sends_labels_comma_separated_and_confidential(api, settings) -> None:
    spec = SPEC["gitlab"]
    body = {
        "title": "Login fails",
        "description": BODY,
        "labels": "security,ui",
        "confidential": True,
    }
    api.add(
        responses.POST,
        spec.url("/api/v4/projects/group%2Fproj/issues"),
        status=201,
        json={"iid": 5, "id": 901, "web_url": "https://gitlab.example.com/group/proj/-/issues/5"},
        match=sent_with(spec, settings, body),
    )

    ticket = draft(labels=("security", "ui"), fields={"confidential": True})
    issue = create(spec, settings, ticket)

    assert issue == CreatedIssue("#5", "https://gitlab.example.com/group/proj/-/issues/5", "5")


def test_jira_issue_sends_fields_with_hyphenated_labels_and_priority(api, settings) -> None:
    spec = SPEC["jira"]
    fields = {
        "project": {"key": "OPS"},
        "summary": "Login fails",
        "description": BODY,
        "issuetype": {"name": "Bug"},
        "labels": ["needs-triage", "ui"],
        "priority": {"name": "High"},
    }
    api.add(
        responses.POST,
        spec.url("/rest/api/2/issue"),
        status=201,
        json={"id": "10001", "key": "OPS-12", "self": spec.url("/rest/api/2/issue/10001")},
        match=sent_with(spec, settings, {"fields": fields}),
    )

    ticket = draft(labels=("needs  triage", "ui"), fields={"issue_type": "Bug", "priority": "High"})
    issue = create(spec, settings, ticket)

    assert issue == CreatedIssue("OPS-12", "https://jira.example.com/jira/browse/OPS-12", "10001")


def test_jira_issue_type_defaults_to_the_connectors(api, settings) -> None:
    spec = SPEC["jira"]
    fields = {
        "project": {"key": "SEC"},
        "summary": "Login fails",
        "description": BODY,
        "issuetype": {"name": "Story"},
    }
    api.add(
        responses.POST,
        spec.url("/rest/api/2/issue"),
        status=201,
        json={"id": "10002", "key": "SEC-1"},
        match=sent_with(spec, settings, {"fields": fields}),
    )

    issue = create(spec, settings, draft(target="SEC"), jira_issue_type="Story")

    assert issue.key == "SEC-1"


def test_rt_ticket_sends_queue_custom_fields_and_requestor(api, settings) -> None:
    spec = SPEC["rt"]
    body = {
        "Queue": "General",
        "Subject": "[Security] Login fails",
        "Content": BODY,
        "ContentType": "text/plain",
        "CustomFields": {"Severity": "High"},
        "Requestor": "alice@example.com",
    }
    api.add(
        responses.POST,
        spec.url("/REST/2.0/ticket"),
        status=201,
        json={"id": "12", "type": "ticket", "_url": spec.url("/REST/2.0/ticket/12")},
        match=sent_with(spec, settings, body),
    )

    ticket = IssueDraft(
        "[Security] Login fails",
        BODY,
        MARKER,
        fields={"custom_fields": {"Severity": "High"}, "requestors": "alice@example.com"},
    )
    issue = create(spec, settings, ticket)

    assert issue == CreatedIssue("12", "https://rt.example.com/rt/Ticket/Display.html?id=12", "12")


# ---- find by marker ----------------------------------------------------------


def github_search(api, spec, items) -> None:
    query = {"q": f'"{MARKER}" in:body repo:acme/app'}
    api.add(
        responses.GET,
        spec.url("/search/issues"),
        json={"total_count": len(items), "items": items},
        match=[matchers.query_param_matcher(query)],
    )


def github_recent(api, spec, issues, **kwargs) -> None:
    query = {"state": "all", "sort": "created", "direction": "desc", "per_page": "50"}
    api.add(
        responses.GET,
        spec.url("/repos/acme/app/issues"),
        json=issues,
        match=[matchers.query_param_matcher(query)],
        **kwargs,
    )


GH_ISSUE = {"number": 7, "body": BODY, "html_url": "https://github.example.com/acme/app/issues/7"}


def test_github_finds_the_issue_by_searching_its_body(api, settings) -> None:
    spec = SPEC["github"]
    github_search(api, spec, [GH_ISSUE])

    assert find(spec, settings) == CreatedIssue("#7", GH_ISSUE["html_url"], "7")


def test_github_scans_the_newest_issues_when_search_has_not_indexed_it(api, settings) -> None:
    spec = SPEC["github"]
    github_search(api, spec, [])
    github_recent(api, spec, [{"number": 8, "body": "other"}, GH_ISSUE])

    assert find(spec, settings).key == "#7"


def test_github_reports_no_issue_when_neither_search_nor_listing_has_the_marker(api, settings):
    spec = SPEC["github"]
    github_search(api, spec, [{**GH_ISSUE, "body": "mentions connector-desk-ticket-"}])
    github_recent(api, spec, [{"number": 8, "body": "other"}])

    assert find(spec, settings) is None


def test_github_listing_still_finds_the_issue_when_search_is_rate_limited(api, settings):
    spec = SPEC["github"]
    api.add(
        responses.GET,
        spec.url("/search/issues"),
        status=403,
        json={"message": "API rate limit exceeded for user ID 1."},
        headers={"X-RateLimit-Remaining": "0"},
    )
    github_recent(api, spec, [GH_ISSUE])

    assert find(spec, settings).key == "#7"


def test_github_failed_search_and_a_miss_in_the_listing_is_not_a_miss(api, settings) -> None:
    spec = SPEC["github"]
    api.add(responses.GET, spec.url("/search/issues"), status=503, json={"message": "busy"})
    github_recent(api, spec, [])

    with pytest.raises(DeliveryFailed) as caught:
        find(spec, settings)

    assert caught.value.retryable and not caught.value.ambiguous


def test_gitlab_searches_descriptions_and_checks_the_marker(api, settings) -> None:
    spec = SPEC["gitlab"]
    loose = {"iid": 3, "description": "connector-desk-ticket", "web_url": "https://x/3"}
    exact = {"iid": 4, "description": BODY, "web_url": "https://x/4"}
    api.add(
        responses.GET,
        spec.url("/api/v4/projects/group%2Fproj/issues"),
        json=[loose, exact],
        match=[
            matchers.query_param_matcher({"search": MARKER, "in": "description"}),
            *sent_with(spec, settings),
        ],
    )

    assert find(spec, settings) == CreatedIssue("#4", "https://x/4", "4")


@pytest.mark.parametrize(
    ("version", "path"),
    [("cloud", "/rest/api/2/search/jql"), ("server", "/rest/api/2/search")],
)
def test_jira_searches_the_marker_as_a_phrase(api, settings, version, path) -> None:
    spec = SPEC["jira"]
    jql = f'project = "OPS" AND text ~ "\\"{MARKER}\\""'
    loose = {"id": "1", "key": "OPS-1", "fields": {"description": "connector desk ticket"}}
    exact = {"id": "2", "key": "OPS-2", "fields": {"summary": "s", "description": BODY}}
    api.add(
        responses.GET,
        spec.url(path),
        json={"issues": [loose, exact]},
        match=[matchers.query_param_matcher({"jql": jql, "fields": "summary,description"})],
    )

    found = find(spec, settings, jira_version=version)

    assert found == CreatedIssue("OPS-2", "https://jira.example.com/jira/browse/OPS-2", "2")


def rt_ticket_search(api, spec, query, items) -> None:
    api.add(
        responses.GET,
        spec.url("/REST/2.0/tickets"),
        json={"count": len(items), "items": items},
        match=[matchers.query_param_matcher({"query": query})],
    )


def test_rt_finds_the_ticket_with_ticketsql_content_search(api, settings) -> None:
    spec = SPEC["rt"]
    query = f"Queue = 'Bob\\'s' AND Content LIKE '{MARKER}'"
    rt_ticket_search(api, spec, query, [{"type": "ticket", "id": "12"}])

    found = find(spec, settings, target="Bob's")

    assert found == CreatedIssue("12", "https://rt.example.com/rt/Ticket/Display.html?id=12", "12")


def rt_attachment_search(api, spec, piece, items) -> None:
    search = [{"field": "Content", "operator": "LIKE", "value": piece}]
    api.add(
        responses.GET,
        spec.url("/REST/2.0/attachments"),
        json={"items": items},
        match=[matchers.query_param_matcher({"query": json.dumps(search)})],
    )


def test_rt_falls_back_to_attachment_contents_when_full_text_search_is_off(api, settings):
    """The first half of the marker's tail was cut by a quoted-printable soft break."""
    spec = SPEC["rt"]
    rt_ticket_search(api, spec, f"Queue = 'General' AND Content LIKE '{MARKER}'", [])
    rt_attachment_search(api, spec, "0123456789ab", [])
    rt_attachment_search(api, spec, "cdef01234567", [{"type": "attachment", "id": "4"}])
    content = base64.b64encode(BODY.encode()).decode()
    api.add(
        responses.GET,
        spec.url("/REST/2.0/attachment/4"),
        json={"id": 4, "Content": content, "TransactionId": {"type": "transaction", "id": "32"}},
    )
    api.add(
        responses.GET,
        spec.url("/REST/2.0/transaction/32"),
        json={"id": 32, "Type": "Create", "Object": {"type": "ticket", "id": "9"}},
    )

    assert find(spec, settings).key == "9"


def test_rt_ignores_an_attachment_that_only_shares_half_the_marker(api, settings) -> None:
    spec = SPEC["rt"]
    rt_ticket_search(api, spec, f"Queue = 'General' AND Content LIKE '{MARKER}'", [])
    rt_attachment_search(api, spec, "0123456789ab", [{"type": "attachment", "id": "4"}])
    rt_attachment_search(api, spec, "cdef01234567", [{"type": "attachment", "id": "4"}])
    content = base64.b64encode(b"quoting 0123456789ab only").decode()
    api.add(responses.GET, spec.url("/REST/2.0/attachment/4"), json={"id": 4, "Content": content})

    assert find(spec, settings) is None


def test_rt_reports_no_ticket_when_no_content_holds_the_marker(api, settings) -> None:
    spec = SPEC["rt"]
    rt_ticket_search(api, spec, f"Queue = 'General' AND Content LIKE '{MARKER}'", [])
    api.add(responses.GET, spec.url("/REST/2.0/attachments"), json={"items": []})

    assert find(spec, settings) is None


# ---- labels ------------------------------------------------------------------


def labels(spec, settings, *pairs) -> list[LabelOutcome]:
    return ensure_labels(spec.system, spec.params, spec.secrets, settings, list(pairs), None)


def test_github_creates_a_missing_label_with_its_colour_without_hash(api, settings) -> None:
    spec = SPEC["github"]
    api.add(
        responses.POST,
        spec.url("/repos/acme/app/labels"),
        status=201,
        json={"name": "security", "color": "d73a4a"},
        match=sent_with(spec, settings, {"name": "security", "color": "d73a4a"}),
    )

    assert labels(spec, settings, ("security", "#D73A4A")) == [LabelOutcome("security", "created")]


def test_github_already_exists_counts_as_success(api, settings) -> None:
    spec = SPEC["github"]
    error = {"resource": "Label", "code": "already_exists", "field": "name"}
    api.add(
        responses.POST,
        spec.url("/repos/acme/app/labels"),
        status=422,
        json={"message": "Validation Failed", "errors": [error]},
    )

    assert labels(spec, settings, ("bug", "#d73a4a")) == [LabelOutcome("bug", "exists")]


def test_gitlab_creates_labels_and_takes_409_as_already_there(api, settings) -> None:
    spec = SPEC["gitlab"]
    path = spec.url("/api/v4/projects/group%2Fproj/labels")
    new = {"name": "security", "color": "#d73a4a"}
    api.add(responses.POST, path, status=201, json=new, match=sent_with(spec, settings, new))
    api.add(
        responses.POST,
        path,
        status=409,
        json={"message": "Label already exists"},
        match=[matchers.json_params_matcher({"name": "bug", "color": "#0e8a16"})],
    )

    outcomes = labels(spec, settings, ("security", "#d73a4a"), ("bug", "#0e8a16"))

    assert [o.status for o in outcomes] == ["created", "exists"]


def test_label_that_the_tracker_refuses_fails_with_the_reason(api, settings) -> None:
    spec = SPEC["gitlab"]
    api.add(
        responses.POST,
        spec.url("/api/v4/projects/group%2Fproj/labels"),
        status=403,
        json={"message": "403 Forbidden"},
    )

    (outcome,) = labels(spec, settings, ("security", "#d73a4a"))

    assert outcome.status == "failed"
    assert outcome.message.startswith("GitLab refused to create label security (403)")


def test_label_on_an_unreachable_tracker_fails_without_raising(api, settings) -> None:
    spec = SPEC["github"]
    api.add(
        responses.POST,
        spec.url("/repos/acme/app/labels"),
        body=requests.ConnectionError("Connection refused"),
    )

    (outcome,) = labels(spec, settings, ("security", "#d73a4a"))

    assert outcome.status == "failed" and outcome.message


def test_jira_needs_no_labels_created_and_says_spaces_become_hyphens(api, settings) -> None:
    (outcome,) = labels(SPEC["jira"], settings, ("needs triage", "#d73a4a"))

    assert outcome == LabelOutcome("needs-triage", "exists", "Jira creates labels when first used.")
    assert len(api.calls) == 0


def test_rt_has_no_labels(api, settings) -> None:
    (outcome,) = labels(SPEC["rt"], settings, ("Security", "#d73a4a"))

    assert outcome.status == "exists"
    assert outcome.message == "Request Tracker has no labels; the category goes into the subject."
    assert len(api.calls) == 0


# ---- ticket schemas ----------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "names", "mapping"),
    [
        (GITHUB, ["labels", "assignees"], "label"),
        (GITLAB, ["labels", "confidential"], "label"),
        (JIRA, ["issue_type", "labels", "priority"], "label"),
        (RT, ["custom_fields", "requestors"], "subject"),
    ],
)
def test_each_system_declares_its_ticket_fields(system, names, mapping) -> None:
    assert [field.name for field in system.ticket_fields] == names
    assert system.category_mapping == mapping


def test_ticket_defaults_come_from_the_connectors_parameters() -> None:
    assert JIRA.ticket_defaults_from == {
        "issue_type": "jira_issue_type",
        "labels": "default_labels",  # Argus's labels_set
    }
    assert RT.ticket_defaults_from == {"custom_fields": "rt_custom_fields"}
    for source in (*JIRA.ticket_defaults_from.values(), *RT.ticket_defaults_from.values()):
        assert JIRA.has_field(source) or RT.has_field(source)
