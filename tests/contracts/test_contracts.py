"""The contract check itself, and the documented error answers of every operation.

Why: the fakes (tests/fakes/) are only worth what their likeness to the real
trackers is worth.  The first tests prove that a request or an answer leaving a
tracker's contract fails the test, naming the operation and the JSON path; the
parametrized one drives the real tracker clients into every documented error
answer (401, 403, 404, 400/409/422, 429 with Retry-After) of every operation
they use, so each answer is contract-checked and shows in the coverage table
(Gitea's through the plugin's installed test material).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from scripts.extract_contract import fill_template
from tests.contracts.checker import HERE as CONTRACTS
from tests.contracts.checker import TRACKERS as TRACKER_IDS
from tests.contracts.checker import Contract
from tests.fakes import FakeGitHub, FakeGitLab, FakeJira, FakeServer
from tests.integration.test_tracker_tickets import SETTINGS, TRACKERS, Tracker, new_draft
from tests.support.material import material_for
from tests.support.tracker_calls import create_issue, ensure_labels, find_issue
from webapp.trackers import check_connection
from webapp.trackers.choices import ChoicesFailed
from webapp.trackers.tickets import DeliveryFailed

T = 5.0
GITHUB_AUTH = {"Authorization": "Bearer t"}


def violations_on_stop(fake: FakeServer) -> str:
    with pytest.raises(AssertionError) as caught:
        fake.stop()
    return str(caught.value)


def test_an_answer_off_its_schema_fails_naming_operation_and_json_path() -> None:
    fake = FakeGitHub("t", repos={"a/b": {}}).start()
    fake.fail_next(422, {"message": 42, "documentation_url": "https://docs.github.com/rest"})
    requests.post(
        f"{fake.url}/repos/a/b/issues", json={"title": "x"}, headers=GITHUB_AUTH, timeout=T
    )

    said = violations_on_stop(fake)

    assert "FakeGitHub contract violations" in said
    assert "issues/create 422 $.message: 42 is not of type 'string'" in said


def test_requests_off_the_contract_are_caught() -> None:
    fake = FakeGitHub("t", repos={"a/b": {}}).start()
    api = f"{fake.url}/repos/a/b"
    requests.get(f"{api}/issues", params={"stat": "all"}, headers=GITHUB_AUTH, timeout=T)
    requests.get(f"{fake.url}/search/issues", headers=GITHUB_AUTH, timeout=T)
    requests.post(
        f"{api}/issues", json={"title": "x", "labels": "bug"}, headers=GITHUB_AUTH, timeout=T
    )
    requests.get(f"{api}/issues", headers={"Authorization": "Digest t"}, timeout=T)
    requests.get(f"{api}/issues", timeout=T)
    requests.delete(f"{api}/issues/1", headers=GITHUB_AUTH, timeout=T)

    said = violations_on_stop(fake)

    assert "issues/list-for-repo request: query parameter 'stat' is not documented" in said
    assert "search/issues-and-pull-requests request: required query parameter 'q' missing" in said
    assert "issues/create request $.labels: 'bug' is not of type 'array'" in said
    assert "authorization header scheme 'digest' not in ['bearer', 'token', 'basic']" in said
    assert "issues/list-for-repo request: no credentials sent" in said
    assert "DELETE /repos/a/b/issues/1: no documented operation has this method and path" in said


def test_auth_scheme_and_retry_after_are_checked() -> None:
    gitlab = FakeGitLab("g").start()
    requests.get(f"{gitlab.url}/api/v4/user", headers={"Authorization": "token g"}, timeout=T)
    assert "authorization header scheme 'token' not in ['bearer']" in violations_on_stop(gitlab)

    jira = FakeJira({"me": "pw"}).start()
    jira.fail_next(429)  # no Retry-After, which Jira documents on every 429
    requests.get(f"{jira.url}/rest/api/2/myself", auth=("me", "pw"), timeout=T)
    assert "getCurrentUser 429: header Retry-After missing" in violations_on_stop(jira)


def test_jira_comment_bodies_are_text_on_v2_and_documents_on_v3() -> None:
    jira = FakeJira({"me": "pw"}).start()  # no issue OPS-1: the requests alone are checked
    document = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": []}]}
    for version, body in ((2, document), (3, "plain text")):
        requests.post(
            f"{jira.url}/rest/api/{version}/issue/OPS-1/comment",
            json={"body": body},
            auth=("me", "pw"),
            timeout=T,
        )

    said = violations_on_stop(jira)

    assert "addComment request $.body: {" in said and "is not of type 'string'" in said
    assert "addCommentV3 request $.body: 'plain text' is not of type 'object'" in said


def test_jira_v2_paths_use_the_v3_description() -> None:
    contract = Contract.load("jira")
    op = contract.match("POST", "/rest/api/2/issue")
    assert op is not None and op.id == "createIssue"
    assert contract.match("GET", "/rest/api/2/search/jql").id == "searchAndReconsileIssuesUsingJql"
    assert contract.match("GET", "/rest/api/2/search").id == "searchForIssuesUsingJql"


@pytest.mark.parametrize("tracker", TRACKER_IDS)
def test_hand_written_entries_only_where_the_description_is_silent(tracker: str) -> None:
    """An operation or schema the extraction has must not be hand-written too (the hand-
    written one would silently win); each hand-written operation or request body says
    where and why."""
    folder = CONTRACTS / tracker
    if not (folder / "contract.json").exists():
        pytest.skip(f"no extracted contract for {tracker}")
    extracted = json.loads((folder / "contract.json").read_text(encoding="utf-8"))
    manual = json.loads((folder / "manual.json").read_text(encoding="utf-8"))
    operations = manual.get("operations", {})

    assert not set(operations) & set(extracted["operations"])
    assert not set(manual.get("schemas", {})) & set(extracted["schemas"])
    for op_id, op in operations.items():
        why = op.get("hand_written") or {}
        assert why.get("doc", "").startswith("https://") and why.get("why"), op_id
    for op_id, body in manual.get("bodies", {}).items():  # patches name their page too
        assert op_id in extracted["operations"] and body["doc"].startswith("https://"), op_id
        assert body["why"], op_id
    requests_ = {(o["method"], o["path"]) for o in extracted["operations"].values()}
    assert not {(o["method"], o["path"]) for o in operations.values()} & requests_


def test_the_fake_gitlab_describes_its_token_so_a_read_only_one_is_spotted() -> None:
    tracker = TRACKERS[1]
    with tracker.start(scopes=["read_api"]) as fake:
        result = check_connection(
            tracker.system, tracker.params(fake.host_port), tracker.secrets, SETTINGS
        )

    said = " ".join(stage.message for stage in result.stages)
    assert "The token's scopes (read_api) do not include api" in said


def test_gitea_paths_carry_the_description_s_base_path() -> None:
    contract = Contract.load("gitea")
    op = contract.match("GET", "/api/v1/repos/ops/desk/issues/1/comments")
    assert op is not None and op.id == "issueGetComments"
    assert contract.match("GET", "/user") is None


def test_a_templated_description_is_filled_in_and_an_unknown_placeholder_stops_it() -> None:
    template = '{"basePath": "{{AppSubUrl | JSEscape}}/api/v1", "v": "{{AppVer | JSEscape}}"}'
    assert json.loads(fill_template(template)) == {"basePath": "/api/v1", "v": ""}
    with pytest.raises(SystemExit, match="unknown template placeholder {{.Nonce}}"):
        fill_template('{"nonce": "{{.Nonce}}"}')


# ---- every documented error answer of every operation the clients use ------------

GITHUB, GITLAB, JIRA = TRACKERS[:3]
GITEA_MATERIAL = material_for("gitea")  # the plugin's: `make test` installs it
GITEA = Tracker(
    GITEA_MATERIAL.system,
    GITEA_MATERIAL.fake_server,
    lambda hp: {
        **{k: v for k, v in GITEA_MATERIAL.api_params.items() if k != GITEA_MATERIAL.secret[0]},
        "issue_tracker_server": hp,
        "issue_tracker_method": "http",
    },
    GITEA_MATERIAL.secrets,
    lambda fake: fake.issues["ops/desk"],
    "#1",
    lambda fake: "https://gitea.example/ops/desk/issues/1",
)
JIRA_SERVER = {"jira_version": "server"}
#: (tracker, operation id, what the client does, method, path regex, extra connector params)
OPERATIONS: list[tuple[Tracker, str, str, str, str, dict[str, Any]]] = [
    (GITHUB, "users/get-authenticated", "check", "GET", r"/user$", {}),
    (GITHUB, "repos/get", "check", "GET", r"/repos/acme/app$", {}),
    (GITHUB, "users/get-by-username", "check", "GET", r"/users/acme$", {"github_repo_name": ""}),
    (GITHUB, "issues/create", "create", "POST", r"/issues$", {}),
    (GITHUB, "search/issues-and-pull-requests", "find", "GET", r"/search/issues$", {}),
    (GITHUB, "issues/list-for-repo", "find", "GET", r"/repos/acme/app/issues$", {}),
    (GITHUB, "issues/create-label", "label", "POST", r"/repos/acme/app/labels$", {}),
    (GITHUB, "issues/get", "fetch", "GET", r"/issues/1$", {}),
    (GITHUB, "issues/list-comments", "fetch", "GET", r"/issues/1/comments$", {}),
    (GITHUB, "issues/add-labels", "add-labels", "POST", r"/issues/1/labels$", {}),
    (GITHUB, "issues/create-comment", "comment", "POST", r"/issues/1/comments$", {}),
    (GITHUB, "issues/update", "close", "PATCH", r"/issues/1$", {}),
    (GITHUB, "repos/list-for-authenticated-user", "pick:repositories", "GET", r"/user/repos$", {}),
    (GITHUB, "issues/list-assignees", "pick:assignees", "GET", r"/assignees$", {}),
    (GITHUB, "issues/list-labels-for-repo", "pick:labels", "GET", r"/repos/acme/app/labels$", {}),
    (GITLAB, "getApiV4User", "check", "GET", r"/api/v4/user$", {}),
    (
        GITLAB,
        "getApiV4PersonalAccessTokensSelf",
        "check",
        "GET",
        r"/personal_access_tokens/self$",
        {},
    ),
    (GITLAB, "getApiV4ProjectsId", "check", "GET", r"/projects/[^/]+$", {}),
    (GITLAB, "postApiV4ProjectsIdIssues", "create", "POST", r"/issues$", {}),
    (GITLAB, "getApiV4ProjectsIdIssues", "find", "GET", r"/issues$", {}),
    (GITLAB, "postApiV4ProjectsIdLabels", "label", "POST", r"/labels$", {}),
    (GITLAB, "getApiV4ProjectsIdIssuesIssueIid", "fetch", "GET", r"/issues/1$", {}),
    (GITLAB, "getApiV4ProjectsIdIssuesIssueIidNotes", "fetch", "GET", r"/issues/1/notes$", {}),
    (GITLAB, "putApiV4ProjectsIdIssuesIssueIid", "add-labels", "PUT", r"/issues/1$", {}),
    (GITLAB, "postApiV4ProjectsIdIssuesIssueIidNotes", "comment", "POST", r"/notes$", {}),
    (GITLAB, "getApiV4Projects", "pick:projects", "GET", r"/api/v4/projects$", {}),
    (GITLAB, "getApiV4ProjectsIdLabels", "pick:labels", "GET", r"/labels$", {}),
    (JIRA, "getCurrentUser", "check", "GET", r"/myself$", {}),
    (JIRA, "getProject", "check", "GET", r"/project/OPS$", {}),
    (JIRA, "getMyPermissions", "check", "GET", r"/mypermissions$", {}),
    (JIRA, "createIssue", "create", "POST", r"/issue$", {}),
    (JIRA, "searchAndReconsileIssuesUsingJql", "find", "GET", r"/search/jql$", {}),
    (JIRA, "searchForIssuesUsingJql", "find", "GET", r"/search$", {"jira_version": "server"}),
    (JIRA, "getIssue", "fetch", "GET", r"/issue/OPS-1$", {}),
    (JIRA, "addCommentV3", "comment", "POST", r"/api/3/issue/OPS-1/comment$", {}),
    (JIRA, "addComment", "comment", "POST", r"/api/2/issue/OPS-1/comment$", JIRA_SERVER),
    (JIRA, "getComments", "find-comment", "GET", r"/issue/OPS-1/comment$", {}),
    (JIRA, "getTransitions", "close", "GET", r"/issue/OPS-1/transitions$", {}),
    (JIRA, "doTransition", "close", "POST", r"/issue/OPS-1/transitions$", {}),
    (JIRA, "searchProjects", "pick:projects", "GET", r"/project/search$", {}),
    (JIRA, "getAllProjects", "pick:projects", "GET", r"/project$", JIRA_SERVER),
    (JIRA, "getPriorities", "pick:priorities", "GET", r"/priority$", {}),
    (JIRA, "getIssueAllTypes", "pick:issue_types", "GET", r"/issuetype$", {"jira_project_key": ""}),
    (
        JIRA,
        "getCreateIssueMetaIssueTypes",
        "pick:issue_types",
        "GET",
        r"/createmeta/OPS/issuetypes$",
        {},
    ),
    (
        JIRA,
        "getCreateIssueMetaIssueTypeId",
        "required-fields",
        "GET",
        r"/createmeta/OPS/issuetypes/[^/]+$",
        {},
    ),
    (GITEA, "userGetCurrent", "check", "GET", r"/api/v1/user$", {}),
    (GITEA, "repoGet", "check", "GET", r"/repos/ops/desk$", {}),
    (GITEA, "issueCreateIssue", "create", "POST", r"/issues$", {}),
    (GITEA, "issueListIssues", "find", "GET", r"/issues$", {}),
    (GITEA, "issueListLabels", "label", "GET", r"/labels$", {}),
    (GITEA, "issueCreateLabel", "label", "POST", r"/labels$", {}),
    (GITEA, "issueGetIssue", "fetch", "GET", r"/issues/1$", {}),
    (GITEA, "issueGetComments", "fetch", "GET", r"/issues/1/comments$", {}),
    (GITEA, "issueAddLabel", "add-labels", "POST", r"/issues/1/labels$", {}),
    (GITEA, "issueCreateComment", "comment", "POST", r"/issues/1/comments$", {}),
    (GITEA, "issueEditIssue", "close", "PATCH", r"/issues/1$", {}),
    (GITEA, "userCurrentListRepos", "pick:repositories", "GET", r"/user/repos$", {}),
    (GITEA, "repoGetAssignees", "pick:assignees", "GET", r"/assignees$", {}),
]
#: The actions whose failure is the ticket's (``DeliveryFailed``, retried on 429 only).
DELIVERY_ACTIONS = ("create", "find", "fetch", "add-labels", "comment", "find-comment", "close")
ERRORS = ("401", "403", "404", "invalid", "429")


@pytest.mark.parametrize("tracker", [GITHUB, GITLAB, JIRA, GITEA], ids=lambda t: t.system.id)
def test_every_operation_the_client_sends_is_driven_here(tracker: Tracker) -> None:
    """A new operation in the contract gets its success and error answers tested too."""
    sent = {o.id for o in Contract.load(tracker.system.id).operations if o.used_by == "client"}
    driven = {op_id for t, op_id, *_ in OPERATIONS if t is tracker}

    assert sent - driven == set()


def documented_error(tracker: Tracker, op_id: str, error: str) -> tuple[int, Any]:
    """The status and body the tracker's documentation shows for ``error`` on ``op_id``."""
    if tracker is GITHUB:
        if error == "invalid":
            code = "already_exists" if op_id == "issues/create-label" else "invalid"
            problem = {"resource": "Issue", "code": code, "field": "title"}
            return 422, FakeGitHub.NOT_FOUND | {"message": "Validation Failed", "errors": [problem]}
        return int(error), None  # the fake's documented {message, documentation_url, status}
    if tracker is GITLAB:
        if error == "invalid":
            if op_id == "postApiV4ProjectsIdLabels":
                return 409, {"message": "Label already exists"}
            return 400, {"message": {"title": ["is too long (maximum is 255 characters)"]}}
        messages = {
            "401": "401 Unauthorized",
            "403": "403 Forbidden",
            "404": "404 Project Not Found",
        }
        return int(error), {"message": messages.get(error, "429 Too Many Requests")}
    if tracker is GITEA:
        if error == "invalid":  # a field the API cannot bind or validate
            return 422, GITEA_MATERIAL.spec.error_body("[Title]: Required")
        return int(error), None  # the fake's {message, url}
    if error == "invalid":
        return 400, {"errorMessages": [], "errors": {"summary": "You must specify a summary."}}
    return int(error), None  # Jira's {errorMessages, errors}


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize(
    "tracker, op_id, action, method, path, params",
    OPERATIONS,
    ids=[f"{t.system.id}:{op}" for t, op, *_ in OPERATIONS],
)
def test_documented_error_answers_keep_the_contract(
    tracker: Tracker,
    op_id: str,
    action: str,
    method: str,
    path: str,
    params: dict[str, Any],
    error: str,
) -> None:
    status, body = documented_error(tracker, op_id, error)
    headers = {"Retry-After": "30"} if status == 429 else None
    with tracker.start() as fake:
        fake.fail_next(status, body, method=method, path=path, headers=headers)
        connector = {**tracker.params(fake.host_port), **params}
        failure = run(tracker, action, connector)
        assert not fake._faults, f"the client never sent {op_id}"

    if action in DELIVERY_ACTIONS:
        assert isinstance(failure, DeliveryFailed) and failure.http_status == status
        assert failure.retryable is (status == 429)
        if status == 429:
            assert "try again in 30 s" in failure.message
    elif action.startswith("pick:"):
        assert isinstance(failure, ChoicesFailed)
        if status == 429:
            assert "try again in 30 s" in str(failure)


@pytest.mark.parametrize(
    "tracker, op_id, action, method, path, params",
    OPERATIONS,
    ids=[f"{t.system.id}:{op}" for t, op, *_ in OPERATIONS],
)
def test_documented_success_keeps_the_contract(
    tracker: Tracker,
    op_id: str,
    action: str,
    method: str,
    path: str,
    params: dict[str, Any],
) -> None:
    with tracker.start() as fake:
        connector = {**tracker.params(fake.host_port), **params}
        failure = run(tracker, action, connector)

    assert failure is None  # so each request, this one too, had a success answer
    paths = [r.path.split("?")[0] for r in fake.requests if r.method == method]
    assert any(re.search(path, sent) for sent in paths), f"the client never sent {op_id}"


def run(
    tracker: Tracker, action: str, connector: dict[str, Any]
) -> DeliveryFailed | ChoicesFailed | None:
    """Do ``action`` through the real client; the failure it raised, if any."""
    secrets = tracker.secrets
    try:
        if action == "check":
            check_connection(tracker.system, connector, secrets, SETTINGS)
        elif action == "label":
            ensure_labels(tracker.system, connector, secrets, SETTINGS, [("ops", "#ff0000")], None)
        elif action == "create":
            create_issue(tracker.system, connector, secrets, SETTINGS, new_draft())
        elif action == "find":
            find_issue(tracker.system, connector, secrets, SETTINGS, "marker-1", None)
        elif action.startswith("pick:") or action == "required-fields":
            with tracker.system.client_class(tracker.system, connector, secrets, SETTINGS) as c:
                if action == "required-fields":
                    c.required_fields({"issue_type": "Task"})
                else:
                    c.list_choices(action.removeprefix("pick:"))
        else:
            key = create_issue(tracker.system, connector, secrets, SETTINGS, new_draft()).key
            with tracker.system.client_class(tracker.system, connector, secrets, SETTINGS) as c:
                on_issue(c, action, key)
    except (DeliveryFailed, ChoicesFailed) as failure:
        return failure
    return None


def on_issue(client: Any, action: str, key: str) -> None:
    """Do ``action`` on the issue ``key`` the client just created."""
    if action == "fetch":
        client.fetch_issue(key, None)
    elif action == "add-labels":
        client.add_labels(key, ("ops",), None)
    elif action == "comment":
        client.add_comment(key, None, "Seen.")
    elif action == "find-comment":
        client.find_comment(key, None, "marker-1")
    else:
        client.set_state(key, None, "closed")


def test_a_browser_following_an_issue_link_is_not_held_to_the_api_contract() -> None:
    with FakeGitLab("g") as fake:
        page = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        requests.get(f"{fake.url}/group/proj/-/issues/1", headers=page, timeout=T)
        requests.get(f"{fake.url}/favicon.ico", headers={"Accept": "image/webp,*/*"}, timeout=T)

        assert fake.contract_violations == []


def test_github_owner_without_repository_is_looked_up_as_an_account() -> None:
    params = {"github_repo_name": ""}
    with GITHUB.start() as fake:
        connector = {**GITHUB.params(fake.host_port), **params}
        result = check_connection(GITHUB.system, connector, GITHUB.secrets, SETTINGS)

    assert "Found user acme; no repository set" in " ".join(s.message for s in result.stages)
    assert [r.path for r in fake.requests][-1] == "/api/v3/users/acme"
