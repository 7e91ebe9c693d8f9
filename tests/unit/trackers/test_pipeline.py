"""One request pipeline and one status table: a connection check and a delivery send
requests the same way (credentials from the client's ``auth_headers``) and word the
same answer the same way."""

from __future__ import annotations

import pytest
import requests
import responses

from webapp.outbound.http import OutboundSettings
from webapp.outbound.results import Stage, StageStatus
from webapp.trackers.github import GITHUB, GitHubClient
from webapp.trackers.gitlab import GITLAB, GitLabClient
from webapp.trackers.tickets import DeliveryFailed, IssueDraft

BASE = "https://gitlab.example.com"
USER_PATH = "/api/v4/user"
PROJECT_PATH = "/api/v4/projects/group%2Fproj"
ISSUES_PATH = PROJECT_PATH + "/issues"
PARAMS = {"issue_tracker_server": "gitlab.example.com", "gitlab_project": "group/proj"}
SECRETS = {"issue_tracker_api_token": "glpat-stored"}
MARKER = "connector-desk-ticket-0123456789abcdef01234567"
DRAFT = IssueDraft("Login fails", f"Body\n\nreference {MARKER}\n", MARKER)


class ExchangedTokenGitLab(GitLabClient):
    """A client whose credentials are not the stored token (e.g. one exchanged per session)."""

    def auth_headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": "exchanged-token"}


def test_an_auth_headers_override_reaches_checks_and_deliveries_alike(api, settings) -> None:
    project = {
        "path_with_namespace": "group/proj",
        "permissions": {"project_access": {"access_level": 30}},
    }
    issue = {"iid": 7, "web_url": f"{BASE}/group/proj/-/issues/7", "description": DRAFT.body}
    api.add(responses.GET, BASE + USER_PATH, json={"username": "desk"})
    api.add(responses.GET, BASE + PROJECT_PATH, json=project)
    api.add(responses.POST, BASE + ISSUES_PATH, json=issue, status=201)
    api.add(responses.GET, BASE + ISSUES_PATH, json=[issue])
    api.add(responses.POST, BASE + PROJECT_PATH + "/labels", json={"id": 1}, status=201)

    # No token is stored at all: only the override can authenticate these requests.
    with ExchangedTokenGitLab(GITLAB, PARAMS, {}, settings) as client:
        result = client.check_connection()
        created = client.create_issue(DRAFT)
        found = client.find_issue(MARKER, None)
        label = client.ensure_label("security", "#ff0000", None)

    assert result.stage(Stage.AUTHENTICATE).status is StageStatus.OK
    assert found is not None and created.key == found.key == "#7"
    assert label.status == "created"
    sent = [call.request for call in api.calls]
    assert {(request.method, request.path_url.split("?")[0]) for request in sent} >= {
        ("GET", USER_PATH),
        ("POST", ISSUES_PATH),
        ("GET", ISSUES_PATH),
        ("POST", PROJECT_PATH + "/labels"),
    }
    assert {request.headers.get("PRIVATE-TOKEN") for request in sent} == {"exchanged-token"}


# ---- the same answer in the same words ---------------------------------------

ANSWERS = {
    "401": {"status": 401, "json": {"message": "401 Unauthorized: token expired"}},
    "403": {"status": 403, "json": {"message": "403 Forbidden: insufficient scope"}},
    "404": {"status": 404, "json": {"message": "404 Project Not Found"}},
    "409": {"status": 409, "json": {"message": "Conflict with a running import"}},
    "422": {"status": 422, "json": {"message": {"base": ["is invalid"]}}},
    "429": {"status": 429, "json": {"message": "slow down"}, "headers": {"Retry-After": "30"}},
    "429-no-wait": {"status": 429, "json": {"message": "slow down"}},
    "500": {"status": 500, "json": {"message": "500 Internal Server Error"}},
    "502-html": {"status": 502, "body": "<h1>Bad Gateway</h1>", "content_type": "text/html"},
    "503": {"status": 503, "json": {"message": "maintenance"}},
    "200-html": {"status": 200, "body": "<html>Sign in</html>", "content_type": "text/html"},
}


def _normalised(text: str, *phrases: tuple[str, str]) -> str:
    for phrase, placeholder in phrases:
        text = text.replace(phrase, placeholder)
    return text


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
def test_a_check_and_a_delivery_word_the_same_answer_the_same_way(
    api, settings: OutboundSettings, answer
) -> None:
    api.add(responses.GET, BASE + USER_PATH, **answer)
    api.add(responses.GET, BASE + ISSUES_PATH, **answer)

    with GitLabClient(GITLAB, PARAMS, SECRETS, settings) as client:
        stage = client.check_connection().stage(Stage.AUTHENTICATE)
        with pytest.raises(DeliveryFailed) as caught:
            client.find_issue(MARKER, None)  # GET …/issues, "search issues"
    failure = caught.value

    # The two name what was asked differently ("GET /api/v4/user", "search issues");
    # every other word is the table's, and a delivery quotes the tracker inline.
    check_words = _normalised(
        stage.message, (f"to GET {USER_PATH}", "<asked>"), (f"GET {USER_PATH}", "<request>")
    )
    delivery_words = _normalised(
        failure.message,
        ("when asked to search issues", "<asked>"),
        ("to search issues", "<request>"),
        (f"GET {ISSUES_PATH}", "<request>"),
    )
    said = f" GitLab said: {stage.tracker_message}" if stage.tracker_message else ""
    assert stage.status is StageStatus.FAILED
    assert delivery_words == check_words + said
    assert stage.http_status == failure.http_status == answer["status"]
    assert stage.hint is None


def test_a_github_rate_limit_403_reads_as_a_rate_limit_in_a_check_and_a_delivery(
    api, settings
) -> None:
    params = {"github_repo_owner": "acme", "github_repo_name": "app"}
    answer = {
        "status": 403,
        "json": {"message": "API rate limit exceeded for user ID 1."},
        "headers": {"X-RateLimit-Remaining": "0", "Retry-After": "60"},
    }
    api.add(responses.GET, "https://api.github.com/user", **answer)
    api.add(responses.POST, "https://api.github.com/repos/acme/app/issues", **answer)

    with GitHubClient(GITHUB, params, {"issue_tracker_api_token": "ghp_x"}, settings) as client:
        stage = client.check_connection().stage(Stage.AUTHENTICATE)
        with pytest.raises(DeliveryFailed) as caught:
            client.create_issue(DRAFT)

    expected = "GitHub is limiting the rate of requests (403): try again in 60 s."
    assert stage.message == expected
    assert stage.tracker_message == "API rate limit exceeded for user ID 1."
    assert caught.value.message == f"{expected} GitHub said: API rate limit exceeded for user ID 1."
    assert caught.value.retryable


def test_no_answer_reads_the_same_in_a_check_and_a_delivery(api, settings) -> None:
    api.add(responses.GET, BASE + USER_PATH, body=requests.ConnectTimeout("connect timed out"))
    api.add(responses.GET, BASE + ISSUES_PATH, body=requests.ConnectTimeout("connect timed out"))

    with GitLabClient(GITLAB, PARAMS, SECRETS, settings) as client:
        stage = client.check_connection().stage(Stage.AUTHENTICATE)
        with pytest.raises(DeliveryFailed) as caught:
            client.find_issue(MARKER, None)

    assert (
        stage.message
        == caught.value.message
        == ("Could not connect to gitlab.example.com:443 within 5 s.")
    )
    assert caught.value.retryable and not caught.value.ambiguous


def test_a_missing_target_reads_the_same_in_a_check_and_a_delivery(api, settings) -> None:
    missing = {"status": 404, "json": {"message": "404 Project Not Found"}}
    api.add(responses.GET, BASE + USER_PATH, json={"username": "desk"})
    api.add(responses.GET, BASE + PROJECT_PATH, **missing)
    api.add(responses.POST, BASE + ISSUES_PATH, **missing)

    with GitLabClient(GITLAB, PARAMS, SECRETS, settings) as client:
        stage = client.check_connection().stage(Stage.TARGET)
        with pytest.raises(DeliveryFailed) as caught:
            client.create_issue(DRAFT)

    expected = "GitLab has no project group/proj, or this token cannot see it."
    assert stage.message == expected
    assert caught.value.message == f"{expected} GitLab said: 404 Project Not Found"
    assert caught.value.http_status == 404 and not caught.value.retryable
