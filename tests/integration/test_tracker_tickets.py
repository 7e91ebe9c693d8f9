"""Creating, finding and labelling issues on local fake trackers and on a real RT 5.

Why real sockets: a lost answer (the tracker creates the issue, then never replies)
can only be produced by a server that holds the connection open; these tests prove
that such a delivery is reported as ambiguous and that the marker lookup then finds
the one issue, so a retry creates no duplicate.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.fakes import FakeGitHub, FakeGitLab, FakeJira, FakeRT, FakeServer, refused_address
from tests.support.rt_server import RTServer
from tests.support.tracker_calls import create_issue, ensure_labels, find_issue
from webapp.outbound.http import OutboundSettings
from webapp.trackers.github import GITHUB
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.jira import JIRA
from webapp.trackers.rt import RT
from webapp.trackers.system import System
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft, LabelOutcome

SETTINGS = OutboundSettings(connect_timeout=2.0, read_timeout=2.0)
HANG_SETTINGS = OutboundSettings(connect_timeout=2.0, read_timeout=0.5)
Json = dict[str, Any]


@dataclass(frozen=True)
class Tracker:
    """One fake tracker, the connector that reaches it, and where it keeps issues."""

    system: System
    start: Callable[..., FakeServer]
    params: Callable[[str], Json]
    secrets: dict[str, str]
    issues: Callable[[Any], list[Json]]  # the fake's stored issues
    key: str  # the first issue's key
    url: Callable[[FakeServer], str]  # the first issue's link

    def create(self, fake: FakeServer, ticket: IssueDraft, settings=SETTINGS) -> CreatedIssue:
        params = self.params(fake.host_port)
        return create_issue(self.system, params, self.secrets, settings, ticket)

    def find(self, fake: FakeServer, marker: str) -> CreatedIssue | None:
        params = self.params(fake.host_port)
        return find_issue(self.system, params, self.secrets, SETTINGS, marker, None)

    def labels(self, fake: FakeServer, *pairs: tuple[str, str]) -> list[LabelOutcome]:
        params = self.params(fake.host_port)
        return ensure_labels(self.system, params, self.secrets, SETTINGS, list(pairs), None)


TRACKERS = [
    Tracker(
        GITHUB,
        lambda **kw: FakeGitHub(
            "ghp_GOOD-gh-token", prefix="/api/v3", repos={"acme/app": {}}, **kw
        ),
        lambda hp: {
            "issue_tracker_server": hp,
            "issue_tracker_method": "http",
            "github_repo_owner": "acme",
            "github_repo_name": "app",
        },
        {"issue_tracker_api_token": "ghp_GOOD-gh-token"},
        lambda fake: fake.issues["acme/app"],
        "#1",
        lambda fake: f"{fake.url}/acme/app/issues/1",
    ),
    Tracker(
        GITLAB,
        lambda **kw: FakeGitLab("glpat-GOOD-gl-token", **kw),
        lambda hp: {
            "issue_tracker_server": hp,
            "issue_tracker_method": "http",
            "gitlab_project": "group/proj",
        },
        {"issue_tracker_api_token": "glpat-GOOD-gl-token"},
        lambda fake: fake.issues[7],
        "#1",
        lambda fake: f"{fake.url}/group/proj/-/issues/1",
    ),
    Tracker(
        JIRA,
        lambda **kw: FakeJira({"me@example.com": "GOOD-jira-api-token"}, prefix="/jira", **kw),
        lambda hp: {
            "issue_tracker_server": f"{hp}/jira",
            "issue_tracker_method": "http",
            "issue_tracker_auth_mode": "basic",
            "issue_tracker_user": "me@example.com",
            "jira_project_key": "OPS",
        },
        {"issue_tracker_pass": "GOOD-jira-api-token"},
        lambda fake: fake.issues,
        "OPS-1",
        lambda fake: f"{fake.base_url}/browse/OPS-1",
    ),
    Tracker(
        RT,
        lambda **kw: FakeRT(tokens={"1-1-GOOD-rt-token": "root"}, prefix="/rt", **kw),
        lambda hp: {
            "issue_tracker_server": f"{hp}/rt",
            "issue_tracker_method": "http",
            "rt_queue": "General",
        },
        {"issue_tracker_api_token": "1-1-GOOD-rt-token"},
        lambda fake: fake.tickets,
        "1",
        lambda fake: f"{fake.base_url}/Ticket/Display.html?id=1",
    ),
]
each_tracker = pytest.mark.parametrize("tracker", TRACKERS, ids=lambda t: t.system.id)


def new_draft(**kwargs: Any) -> IssueDraft:
    marker = f"connector-desk-ticket-{uuid.uuid4().hex[:24]}"
    body = f"Steps to reproduce.\n\n---\nCreated with Connector Desk · reference {marker}\n"
    return IssueDraft("Login fails", body, marker, **kwargs)


def body_of(issue: Json) -> str:
    """The stored body, wherever the fake keeps it (Jira: under ``fields``)."""
    fields = issue.get("fields") or {}
    for text in (issue.get("body"), issue.get("description"), fields.get("description")):
        if text:
            return text
    return issue.get("Content", "")


# ---- create ------------------------------------------------------------------


@each_tracker
def test_issue_is_created_and_its_key_and_link_returned(tracker: Tracker) -> None:
    ticket = new_draft(labels=("security",))
    with tracker.start() as fake:
        issue = tracker.create(fake, ticket)

    assert (issue.key, issue.url) == (tracker.key, tracker.url(fake))
    (stored,) = tracker.issues(fake)
    assert ticket.marker in body_of(stored)
    assert {r.headers["User-Agent"] for r in fake.requests} == {"ConnectorDesk/0.1.0"}
    assert fake.errors == []


def test_github_issue_gets_its_labels() -> None:
    tracker = TRACKERS[0]
    with tracker.start(labels={"acme/app": ["bug"]}) as fake:
        tracker.create(fake, new_draft(labels=("bug", "security")))

    (stored,) = tracker.issues(fake)
    assert [label["name"] for label in stored["labels"]] == ["bug", "security"]


def test_jira_refusal_names_the_field() -> None:
    tracker = TRACKERS[2]
    with tracker.start() as fake, pytest.raises(DeliveryFailed) as caught:
        tracker.create(fake, new_draft(fields={"issue_type": "Epic"}))

    assert caught.value.field_errors == {"issue_type": ["valid issue type is required"]}
    assert not caught.value.retryable


@each_tracker
def test_tracker_outage_fails_retryably_and_the_next_attempt_creates(tracker: Tracker) -> None:
    ticket = new_draft()
    with tracker.start() as fake:
        fake.fail_next(503, method="POST")
        with pytest.raises(DeliveryFailed) as caught:
            tracker.create(fake, ticket)
        issue = tracker.create(fake, ticket)

    assert caught.value.retryable and not caught.value.ambiguous
    assert caught.value.http_status == 503
    assert issue.key == tracker.key
    assert len(tracker.issues(fake)) == 1


@each_tracker
def test_refused_port_is_retryable_and_not_ambiguous(tracker: Tracker) -> None:
    params = tracker.params(refused_address())

    with pytest.raises(DeliveryFailed) as caught:
        create_issue(tracker.system, params, tracker.secrets, SETTINGS, new_draft())

    assert caught.value.retryable and not caught.value.ambiguous
    assert "was refused" in caught.value.message


# ---- lost answers and the marker ---------------------------------------------


@each_tracker
def test_lost_answer_is_ambiguous_and_the_marker_finds_the_one_issue(tracker: Tracker) -> None:
    ticket = new_draft()
    # GitHub's search lags behind creation: the lookup must still find the issue.
    lag = {"search_delay": 60.0} if tracker.system is GITHUB else {}
    with tracker.start(hang_after_create=True, **lag) as fake:
        with pytest.raises(DeliveryFailed) as caught:
            tracker.create(fake, ticket, settings=HANG_SETTINGS)
        found = tracker.find(fake, ticket.marker)

    assert caught.value.ambiguous and caught.value.retryable
    assert found is not None and (found.key, found.url) == (tracker.key, tracker.url(fake))
    assert len(tracker.issues(fake)) == 1


@each_tracker
def test_marker_lookup_finds_nothing_for_an_issue_never_created(tracker: Tracker) -> None:
    with tracker.start() as fake:
        tracker.create(fake, new_draft())
        found = tracker.find(fake, new_draft().marker)

    assert found is None


@each_tracker
def test_marker_lookup_on_a_failing_tracker_raises_instead_of_missing(tracker: Tracker) -> None:
    with tracker.start() as fake:
        fake.fail_next(500, times=3, method="GET")
        with pytest.raises(DeliveryFailed) as caught:
            tracker.find(fake, new_draft().marker)

    assert caught.value.retryable and not caught.value.ambiguous


# ---- labels ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tracker", "existing"),
    [
        (TRACKERS[0], {"labels": {"acme/app": ["bug"]}}),
        (TRACKERS[1], {"projects": {"group/proj": {"labels": ["bug"]}}}),
    ],
    ids=["github", "gitlab"],
)
def test_label_sync_creates_new_labels_and_accepts_existing_ones(tracker, existing) -> None:
    with tracker.start(**existing) as fake:
        outcomes = tracker.labels(fake, ("bug", "#d73a4a"), ("security", "#0E8A16"))

    assert [(o.name, o.status) for o in outcomes] == [("bug", "exists"), ("security", "created")]
    created = [r.body for r in fake.requests if r.method == "POST"][-1]
    assert created["color"].lstrip("#").lower() == "0e8a16"


@pytest.mark.parametrize("tracker", TRACKERS[2:], ids=["jira", "rt"])
def test_label_sync_contacts_no_tracker_without_labels(tracker: Tracker) -> None:
    with tracker.start() as fake:
        outcomes = tracker.labels(fake, ("needs triage", "#d73a4a"))

    assert [o.status for o in outcomes] == ["exists"]
    assert fake.requests == []


def test_label_sync_reports_a_refused_label_as_failed() -> None:
    tracker = TRACKERS[1]
    reporter_less = {"permissions": {"project_access": {"access_level": 10}}}
    with tracker.start(projects={"group/proj": reporter_less}) as fake:
        (outcome,) = tracker.labels(fake, ("security", "#0e8a16"))

    assert outcome.status == "failed"
    assert outcome.message.startswith("GitLab refused to create label security (403)")


def test_rt_without_full_text_search_finds_the_marker_in_attachments() -> None:
    tracker = TRACKERS[3]
    ticket = new_draft()
    with tracker.start(full_text_search=False) as fake:
        issue = tracker.create(fake, ticket)
        found = tracker.find(fake, ticket.marker)

    assert found == issue
    assert any(r.path.startswith("/rt/REST/2.0/attachments") for r in fake.requests)


# ---- a real Request Tracker --------------------------------------------------

_PERL_CREATE_CUSTOM_FIELD = """
my ($name, $queue_name) = @ARGV;
my $cf = RT::CustomField->new(RT->SystemUser);
my ($ok, $msg) = $cf->Create(
    Name => $name, Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket'
);
die "creating $name failed: $msg\\n" unless $ok;
my $queue = RT::Queue->new(RT->SystemUser);
$queue->Load($queue_name);
($ok, $msg) = $cf->AddToObject($queue);
die "applying $name failed: $msg\\n" unless $ok;
"""


def _rt_params(server: RTServer) -> Json:
    return {
        "issue_tracker_server": server.host_port,
        "issue_tracker_method": "http",
        "rt_queue": "General",
    }


def _rt_get(server: RTServer, path: str) -> Json:
    response = requests.get(f"{server.rest2_url}{path}", headers=server.token_header, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def real_rt_ticket(rt_server: RTServer) -> tuple[RTServer, IssueDraft, CreatedIssue]:
    field = f"Severity {uuid.uuid4().hex[:6]}"
    rt_server.run_perl(_PERL_CREATE_CUSTOM_FIELD, field, "General")
    requestor = f"requestor-{uuid.uuid4().hex[:8]}@example.com"  # a new RT user
    ticket = new_draft(fields={"custom_fields": {field: "High"}, "requestors": requestor})
    secrets = {"issue_tracker_api_token": rt_server.token}
    settings = OutboundSettings(connect_timeout=5.0, read_timeout=30.0)
    issue = create_issue(RT, _rt_params(rt_server), secrets, settings, ticket)
    return rt_server, ticket, issue


def test_real_rt_ticket_has_the_subject_body_custom_field_and_requestor(real_rt_ticket) -> None:
    server, ticket, issue = real_rt_ticket

    stored = _rt_get(server, f"/ticket/{issue.key}")

    assert issue.url == f"{server.url}/Ticket/Display.html?id={issue.key}"
    assert stored["Subject"] == "Login fails"
    assert stored["Queue"]["id"] in ("1", 1)
    (value,) = [cf["values"] for cf in stored["CustomFields"] if cf["values"]]
    assert value == ["High"]
    assert [r["id"] for r in stored["Requestor"]] == [ticket.fields["requestors"]]
    attachments = _rt_get(server, f"/ticket/{issue.key}/attachments")["items"]
    first = _rt_get(server, f"/attachment/{attachments[0]['id']}")
    assert base64.b64decode(first["Content"]).decode() == ticket.body


def test_real_rt_ticket_is_found_by_its_marker(real_rt_ticket) -> None:
    server, ticket, issue = real_rt_ticket
    secrets = {"issue_tracker_api_token": server.token}
    settings = OutboundSettings(connect_timeout=5.0, read_timeout=30.0)

    found = find_issue(RT, _rt_params(server), secrets, settings, ticket.marker, None)
    missing = find_issue(RT, _rt_params(server), secrets, settings, new_draft().marker, None)

    assert found == issue
    assert missing is None
