"""Service Desk triage against the fake GitLab: the sweep from the connector page and the
command line, and the entry point the webhooks call (the gitlab-service-desk-python seed)."""

from __future__ import annotations

import pytest

from tests.factories import SERVICE_DESK_CATEGORIES, make_connector
from tests.fakes import FakeGitHub
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services.triage import triage_from_event, triage_sweep
from webapp.trackers.tickets import IssueSnapshot

PID = GITLAB_PROJECT_ID
SEED_TITLE = "Service Desk (from john.doe@mail.com): [Hardware] Buying a new screen"


def desk_connector(gitlab, mode: str, name: str = "Service desk"):
    return make_connector(
        "gitlab",
        name=name,
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        triage_issues=mode,
        categories=SERVICE_DESK_CATEGORIES,
    )


@pytest.fixture
def connector(app, gitlab):
    return desk_connector(gitlab, "service_desk")


def labels_of(gitlab, iid: int) -> list[str]:
    return gitlab.issues[PID][iid - 1]["labels"]


def test_triage_now_labels_service_desk_issues_and_lists_each_outcome(
    admin_client, connector, gitlab
):
    gitlab.open_issue(PID, SEED_TITLE)
    gitlab.open_issue(PID, "Service Desk (from a@b.c): [Hardware] Mouse", labels=("hardware",))
    gitlab.open_issue(PID, "Service Desk (from a@b.c): Where is the printer?")
    gitlab.open_issue(PID, "[Hardware] Filed by a developer", author="jane")

    response = admin_client.submit(f"/connectors/{connector.id}/triage")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 open issues: 1 labelled, 1 already labelled, 1 no category, 1 not service desk" in (
        " ".join(page.split())
    )
    assert labels_of(gitlab, 1) == ["hardware"]
    assert labels_of(gitlab, 4) == []  # not from Service Desk
    assert [lb["name"] for lb in gitlab.labels[PID]] == ["hardware"]  # created once
    entry = db.session.query(AuditEntry).filter_by(action="connector.triage").one()
    assert entry.details["outcomes"] == {
        "labelled": 1,
        "already labelled": 1,
        "no category": 1,
        "not service desk": 1,
    }


def test_a_preview_changes_nothing(admin_client, connector, gitlab):
    gitlab.open_issue(PID, SEED_TITLE)

    page = admin_client.submit(f"/connectors/{connector.id}/triage", {"dry_run": "1"}).get_data(
        as_text=True
    )

    assert "would be labelled" in page and "Nothing was changed." in page
    assert labels_of(gitlab, 1) == [] and gitlab.labels[PID] == []


def test_the_sweep_reads_every_page(connector, gitlab, runner):
    for n in range(120):
        gitlab.open_issue(PID, f"Service Desk (from a@b.c): [gitlab account] number {n}")

    result = runner.invoke(args=["connectors", "triage", str(connector.id)])

    assert result.exit_code == 0, result.output
    assert "120 open issue(s): 120 labelled." in result.output
    assert all(labels_of(gitlab, n) == ["gitlab-account"] for n in range(1, 121))
    pages = [r.path for r in gitlab.requests if r.method == "GET" and "state=opened" in r.path]
    assert len(pages) == 3


def test_the_command_dry_run_says_what_it_would_do(connector, gitlab, runner):
    gitlab.open_issue(PID, SEED_TITLE)

    result = runner.invoke(args=["connectors", "triage", str(connector.id), "--dry-run"])

    assert result.exit_code == 0
    assert "#1\twould label\t" + SEED_TITLE + "\t(hardware)" in result.output
    assert labels_of(gitlab, 1) == []


def test_a_failure_is_reported_per_issue(connector, gitlab, runner):
    gitlab.open_issue(PID, SEED_TITLE)
    gitlab.fail_next(500, method="PUT")

    result = runner.invoke(args=["connectors", "triage", str(connector.id)])

    assert result.exit_code == 1
    assert "#1\tfailed\t" in result.output and "500" in result.output


def test_triage_off_refuses_the_sweep(app, gitlab, admin_client):
    connector = desk_connector(gitlab, "off")

    response = admin_client.submit(f"/connectors/{connector.id}/triage", follow_redirects=True)

    assert "Triage is off for this connector" in response.get_data(as_text=True)
    assert gitlab.requests == []


def test_the_button_shows_only_when_triage_is_on(admin_client, connector, gitlab):
    off = desk_connector(gitlab, "off", name="No triage")

    assert 'data-testid="triage-now"' in admin_client.get(f"/connectors/{connector.id}").text
    assert 'data-testid="triage-now"' not in admin_client.get(f"/connectors/{off.id}").text


def test_an_event_is_triaged_unless_triage_is_off(app, connector, gitlab):
    issue = gitlab.open_issue(PID, SEED_TITLE)
    snapshot = IssueSnapshot("#1", "open", title=issue["title"], author="support-bot", labels=())

    outcome = triage_from_event(connector, snapshot)
    db.session.commit()

    assert outcome.status == "labelled" and labels_of(gitlab, 1) == ["hardware"]
    connector.params = {**connector.params, "triage_issues": "off"}
    assert triage_from_event(connector, snapshot) is None


def test_github_sweep_labels_issues_skips_pull_requests_and_finds_existing_labels(app):
    with FakeGitHub(
        "ghp_GOOD", prefix="/api/v3", repos={"acme/app": {}}, labels={"acme/app": ["hardware"]}
    ) as github:
        connector = make_connector(
            "github",
            name="GitHub desk",
            issue_tracker_server=github.host_port,
            issue_tracker_method="http",
            issue_tracker_api_token="ghp_GOOD",
            github_repo_owner="acme",
            github_repo_name="app",
            triage_issues="all",
            categories=SERVICE_DESK_CATEGORIES[:1],
        )
        github.open_issue("acme/app", "[hardware] New screen", login="mona")
        github.open_pull_request("acme/app", "[Hardware] Driver for the new screen")

        report = triage_sweep(None, connector, per_page=1)

    assert [(o.key, o.status) for o in report.outcomes] == [("#1", "labelled")]
    assert [lb["name"] for lb in github.issues["acme/app"][0]["labels"]] == ["hardware"]
    assert github.issues["acme/app"][1]["labels"] == []  # the pull request
    label_posts = [r for r in github.requests if r.method == "POST" and r.path.endswith("/labels")]
    assert len(label_posts) == 2  # the repository's (422: it exists), then the issue's


def test_an_event_for_a_disabled_connector_fails_saying_why(app, connector, gitlab):
    connector.disabled = True
    snapshot = IssueSnapshot("#1", "open", title=SEED_TITLE, author="support-bot", labels=())

    outcome = triage_from_event(connector, snapshot)

    assert outcome.status == "failed" and "disabled" in outcome.message
    assert gitlab.requests == []


def test_a_signed_service_desk_event_labels_the_issue_through_the_webhook(
    client, connector, gitlab
):
    """The seed end to end: GitLab tells of a new Service Desk issue, the hook labels it."""
    from tests.support import webhook_samples as samples
    from webapp.models import WebhookEvent
    from webapp.services import webhooks

    hook, secret = webhooks.rotate_secret(None, connector)
    issue = gitlab.open_issue(PID, SEED_TITLE)
    project = gitlab.projects[PID]["path_with_namespace"]
    opened = samples.gitlab_issue(
        issue["iid"], "open", user="support-bot", title=SEED_TITLE, project=project
    )
    delivery = samples.gitlab_delivery(secret, opened)
    response = client.post(f"/hooks/{hook.hook_id}", data=delivery.body, headers=delivery.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reason"] == "triaged: labelled hardware"
    assert labels_of(gitlab, issue["iid"]) == ["hardware"]
    event = db.session.query(WebhookEvent).one()
    assert (event.outcome, event.reason) == ("processed", "triaged: labelled hardware")
    # The same issue retitled without a category: seen, nothing to do.
    plain = samples.gitlab_issue(
        issue["iid"],
        "update",
        user="support-bot",
        title="Service Desk: a question",
        project=project,
    )
    delivery = samples.gitlab_delivery(secret, plain)
    response = client.post(f"/hooks/{hook.hook_id}", data=delivery.body, headers=delivery.headers)
    assert response.get_json()["reason"].endswith("triage: no category")
