"""The Gitea/Forgejo plugin: found through the entry point, checks every stage, files tickets
with labels, and works in the app's forms without any change to the app."""

from __future__ import annotations

import re

import pytest
from connector_desk_gitea import FORGEJO, GITEA
from connector_desk_gitea_testing import FakeGitea

from webapp.extensions import db
from webapp.models import Connector, Ticket
from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import Stage, StageStatus
from webapp.trackers import check_connection
from webapp.trackers.registry import build_registry
from webapp.trackers.tickets import DeliveryFailed, IssueDraft

TOKEN = "gitea-SECRET-token-7e8f9a"
SETTINGS = OutboundSettings(connect_timeout=2.0, read_timeout=2.0)


@pytest.fixture
def gitea():
    with FakeGitea(token=TOKEN, repos={"ops/desk": {"labels": ["bug"]}}) as fake:
        yield fake


def params(fake: FakeGitea, **changes) -> dict:
    return {
        "issue_tracker_server": fake.host_port,
        "issue_tracker_method": "http",
        "issue_tracker_auth_mode": "api_token",
        "gitea_repo_owner": "ops",
        "gitea_repo_name": "desk",
        **changes,
    }


def check(fake, system=GITEA, token=TOKEN, **changes):
    secrets = {"issue_tracker_api_token": token}
    return check_connection(system, params(fake, **changes), secrets, SETTINGS)


def stage(result, which: Stage):
    return next(s for s in result.stages if s.stage is which)


def client_for(fake, system=GITEA):
    secrets = {"issue_tracker_api_token": TOKEN}
    return system.client_class(system, params(fake), secrets, SETTINGS)


# ---- registration ----------------------------------------------------------
def test_gitea_and_forgejo_register_through_the_systems_entry_point():
    registry = build_registry()
    assert registry.get("gitea") is GITEA and registry.get("forgejo") is FORGEJO


def test_forgejo_defaults_to_codeberg_and_gitea_has_no_default_server():
    assert FORGEJO.server_default == "codeberg.org"
    assert GITEA.server_default is None


# ---- the staged check --------------------------------------------------------
@pytest.mark.parametrize("system", [GITEA, FORGEJO], ids=["gitea", "forgejo"])
def test_every_stage_passes_against_a_healthy_server(gitea, system):
    result = check(gitea, system)
    assert result.ok, [s.to_dict() for s in result.stages]
    statuses = {s.stage: s.status for s in result.stages}
    # Plain http is allowed but warned about; everything else passes.
    assert statuses.pop(Stage.TLS) is StageStatus.WARNING
    assert set(statuses.values()) == {StageStatus.OK}
    assert "ops-bot" in stage(result, Stage.AUTHENTICATE).message
    assert gitea.requests[0].headers["Authorization"] == f"token {TOKEN}"
    assert gitea.requests[0].path == "/api/v1/user"


def test_a_wrong_token_fails_authentication_in_words(gitea):
    result = check(gitea, token="not-the-token")
    failed = stage(result, Stage.AUTHENTICATE)
    assert failed.status is StageStatus.FAILED and failed.http_status == 401
    assert "access token" in failed.message
    assert stage(result, Stage.TARGET).status is StageStatus.SKIPPED


def test_a_missing_repository_fails_the_target_stage(gitea):
    result = check(gitea, gitea_repo_name="nope")
    failed = stage(result, Stage.TARGET)
    assert failed.status is StageStatus.FAILED and failed.http_status == 404
    assert "ops/nope" in failed.message


@pytest.mark.parametrize(
    ("repo", "status", "words"),
    [
        ({"has_issues": False}, StageStatus.FAILED, "Issues are turned off"),
        ({"archived": True}, StageStatus.FAILED, "archived"),
        (
            {"external_tracker": {"external_tracker_url": "https://jira.example"}},
            StageStatus.FAILED,
            "external tracker",
        ),
        (
            {"permissions": {"admin": False, "push": False, "pull": True}},
            StageStatus.WARNING,
            "read access only",
        ),
    ],
    ids=["issues-off", "archived", "external-tracker", "read-only"],
)
def test_the_permission_stage_explains_why_issues_cannot_be_opened(repo, status, words):
    with FakeGitea(token=TOKEN, repos={"ops/desk": repo}) as fake:
        permission = stage(check(fake), Stage.PERMISSION)
    assert permission.status is status and words in permission.message


def test_basic_authentication_works_too():
    with FakeGitea(token=TOKEN, password="pw-SECRET-1", repos={"ops/desk": {}}) as fake:
        secrets = {"issue_tracker_pass": "pw-SECRET-1"}
        changes = params(fake, issue_tracker_auth_mode="basic", issue_tracker_user="ops-bot")
        result = check_connection(GITEA, changes, secrets, SETTINGS)
    assert result.ok


# ---- tickets ------------------------------------------------------------------
def draft(**changes) -> IssueDraft:
    values = {"title": "Printer on fire", "body": "Smoke.\n\nref-abc123", "marker": "ref-abc123"}
    return IssueDraft(**{**values, **changes})


def test_an_issue_is_created_with_an_existing_and_a_new_label_by_id(gitea):
    with client_for(gitea) as client:
        issue = client.create_issue(draft(labels=("bug", "hardware")))
    assert issue.key == "#1" and issue.url.endswith("/ops/desk/issues/1")
    (created,) = gitea.issues["ops/desk"]
    assert [label["name"] for label in created["labels"]] == ["bug", "hardware"]
    post = next(r for r in gitea.requests if r.method == "POST" and r.path.endswith("/issues"))
    assert all(isinstance(i, int) for i in post.body["labels"])


def test_ensure_label_creates_once_then_finds_it(gitea):
    with client_for(gitea) as client:
        first = client.ensure_label("hardware", "#f45562", None)
        second = client.ensure_label("hardware", "#f45562", None)
    assert (first.status, second.status) == ("created", "exists")
    names = [label["name"] for label in gitea.labels["ops/desk"]]
    assert names.count("hardware") == 1
    assert (
        next(label for label in gitea.labels["ops/desk"] if label["name"] == "hardware")["color"]
        == "f45562"
    )


def test_find_issue_finds_an_earlier_attempt_by_its_marker(gitea):
    with client_for(gitea) as client:
        client.create_issue(draft())
        found = client.find_issue("ref-abc123", None)
        missing = client.find_issue("ref-zzz999", None)
    assert found is not None and found.key == "#1"
    assert missing is None


def test_comments_and_state_come_from_the_repository_client(gitea):
    with client_for(gitea) as client:
        issue = client.create_issue(draft())
        body = client.comment_body("On it.", "ref-comment-0123456789abcdef01234567")
        added = client.add_comment(issue.key, None, body)
        found = client.find_comment(issue.key, None, "ref-comment-0123456789abcdef01234567")
        client.set_state(issue.key, None, "closed")
        closed = gitea.issues["ops/desk"][0]["state"]
        client.set_state(issue.key, None, "open")
    assert found == added and added.author == "ops-bot"
    assert (closed, gitea.issues["ops/desk"][0]["state"]) == ("closed", "open")


def test_a_validation_error_is_shown_on_its_field(gitea):
    with client_for(gitea) as client, pytest.raises(Exception) as caught:
        client.create_issue(draft(title=" "))
    failure = caught.value
    assert failure.http_status == 422 and not failure.retryable
    assert failure.field_errors == {"title": ["Required"]}


@pytest.mark.parametrize(
    ("repo", "status"),
    [({"archived": True}, 423), ({"has_issues": False}, 403)],
    ids=["archived-is-locked", "issues-off-is-forbidden"],
)
def test_a_repository_that_takes_no_issues_refuses_one_as_gitea_does(repo, status):
    fake = FakeGitea(token=TOKEN, repos={"ops/desk": repo})
    with fake, client_for(fake) as client, pytest.raises(DeliveryFailed) as caught:
        client.create_issue(draft())

    assert caught.value.http_status == status and not caught.value.retryable
    assert fake.issues["ops/desk"] == []


# ---- through the app ---------------------------------------------------------------
def test_an_admin_creates_tests_and_files_a_ticket_through_a_gitea_connector(admin_client, gitea):
    picker = admin_client.get("/connectors/new").get_data(as_text=True)
    assert "Gitea" in picker and "Forgejo" in picker
    form = {
        **params(gitea),
        "name": "Ops Gitea",
        "issue_tracker_validate_cert": "y",
        "issue_tracker_api_token": TOKEN,
        "title_format": "[$category] $title",
        "categories-0-name": "Hardware",
        "categories-0-label": "hardware",
        "categories-0-colour": "#f45562",
    }
    created = admin_client.submit("/connectors/new/gitea", form)
    assert created.status_code == 302, created.get_data(as_text=True)
    connector = db.session.scalar(db.select(Connector).where(Connector.name == "Ops Gitea"))
    tested = admin_client.submit(f"/connectors/{connector.id}/test", follow_redirects=True)
    assert "Signed in as ops-bot" in tested.get_data(as_text=True)
    page = admin_client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    ticket_form = {
        "connector_id": str(connector.id),
        "submission_token": token,
        "title": "Buying a new screen",
        "description": "The one I use is too small.",
        "category": "Hardware",
        "labels": "",
        "assignees": "",
    }
    admin_client.submit(f"/tickets/new?connector={connector.id}", ticket_form)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.status == "sent", ticket.last_error
    (issue,) = gitea.issues["ops/desk"]
    assert issue["title"] == "[Hardware] Buying a new screen"
    assert [label["name"] for label in issue["labels"]] == ["hardware"]
    assert TOKEN not in admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)


# ---- following issues (sync, triage): inherited from RepositoryClient -------
def test_a_gitea_issue_is_read_back_and_labelled_by_id(gitea):
    with client_for(gitea) as client:
        key = client.create_issue(IssueDraft("Disk full", "Body", "marker-1")).key
        gitea.add_comment("ops/desk", 1, "Cleaned up /var.")
        gitea.close_issue("ops/desk", 1)
        client.add_labels(key, ("bug",), None)
        snapshot = client.fetch_issue(key, None)

    assert (snapshot.state, snapshot.labels) == ("closed", ("bug",))
    assert [(c.author, c.body) for c in snapshot.comments] == [("alice", "Cleaned up /var.")]
    sent = [r.body for r in gitea.requests if r.path.endswith("/issues/1/labels")]
    assert sent == [{"labels": [gitea.labels["ops/desk"][0]["id"]]}]


# ---- lists Gitea answers whole, and the pickers -------------------------------------
def queries(fake: FakeGitea, suffix: str) -> list[str]:
    """The query strings of the GETs whose path ends with ``suffix``."""
    paths = [r.path for r in fake.requests if r.method == "GET"]
    return [query for path, _, query in (p.partition("?") for p in paths) if path.endswith(suffix)]


def test_comments_are_read_in_one_request_since_gitea_pages_them_not(gitea):
    with client_for(gitea) as client:
        key = client.create_issue(draft()).key
        gitea.add_comment("ops/desk", 1, "Cleaned up /var.")
        client.find_comment(key, None, "ref-comment-0123456789abcdef01234567")
        client.fetch_issue(key, None)

    assert queries(gitea, "/issues/1/comments") == ["", ""]


def test_the_pickers_list_repositories_by_page_and_assignees_whole(gitea):
    with client_for(gitea) as client:
        repositories = client.list_choices("repositories")
        assignees = client.list_choices("assignees")
        later = client.list_choices("assignees", page=2)

    assert [c.value for c in repositories.choices] == ["desk"]
    assert [c.value for c in assignees.choices] == ["ops-bot"] and later.choices == ()
    assert queries(gitea, "/user/repos") == ["limit=50&page=1"]
    assert queries(gitea, "/assignees") == [""]


def test_open_issues_are_listed_with_gitea_s_page_size_parameter(gitea):
    with client_for(gitea) as client:
        client.create_issue(draft())
        listed = client.list_open_issues(None, 1, 20)

    assert [issue.key for issue in listed.issues] == ["#1"]
    assert queries(gitea, "/repos/ops/desk/issues")[-1] == "state=open&limit=20&page=1"
