"""When a tracker does not create the issue: words for a person, per-field complaints,
whether to retry, and whether the issue may exist anyway (ambiguous)."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from tests.support.tracker_calls import create_issue, find_issue
from tests.unit.trackers.specs import SPECS, Spec
from webapp.outbound.scrub import secret_forms
from webapp.trackers.tickets import DeliveryFailed, IssueDraft

SPEC = {spec.id: spec for spec in SPECS}
MARKER = "connector-desk-ticket-0123456789abcdef01234567"
DRAFT = IssueDraft("Login fails", f"Body\n\nreference {MARKER}\n", MARKER, labels=("bug",))
each_spec = pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.id)


def failure_of(api, spec: Spec, settings, answer: dict, **params) -> DeliveryFailed:
    """The ``DeliveryFailed`` raised when the create request gets ``answer``."""
    spec.serve_create(api, **answer)
    with pytest.raises(DeliveryFailed) as caught:
        create_issue(spec.system, {**spec.params, **params}, spec.secrets, settings, DRAFT)
    return caught.value


def leaked(spec: Spec, failure: DeliveryFailed) -> list[str]:
    text = failure.message + json.dumps(failure.field_errors)
    user = spec.params.get("issue_tracker_user")
    forms = {form for secret in spec.secret_values for form in secret_forms(secret, user)}
    return [form for form in forms if form in text]


# ---- the tracker answered with an error -------------------------------------


def test_jira_field_errors_land_on_our_field_names(api, settings) -> None:
    body = {
        "errorMessages": [],
        "errors": {
            "summary": "You must specify a summary of the issue.",
            "issuetype": "valid issue type is required",
            "labels": "The label 'a b' contains spaces which is invalid.",
            "customfield_10010": "Team is required.",
        },
    }

    failure = failure_of(api, SPEC["jira"], settings, {"status": 400, "json": body})

    assert failure.field_errors == {
        "title": ["You must specify a summary of the issue."],
        "issue_type": ["valid issue type is required"],
        "labels": ["The label 'a b' contains spaces which is invalid."],
        "customfield_10010": ["Team is required."],
    }
    assert failure.http_status == 400 and not failure.retryable and not failure.ambiguous
    assert failure.message.startswith("Jira refused to create the issue (400). Jira said: ")


def test_github_422_errors_land_on_our_field_names(api, settings) -> None:
    errors = [
        {"resource": "Issue", "field": "assignees", "code": "invalid", "value": "nobody"},
        {"resource": "Issue", "field": "body", "code": "custom", "message": "body is too long"},
        {"resource": "Issue", "field": "title", "code": "missing_field"},
    ]
    body = {"message": "Validation Failed", "errors": errors}

    failure = failure_of(api, SPEC["github"], settings, {"status": 422, "json": body})

    assert failure.field_errors == {
        "assignees": ["nobody is not valid"],
        "description": ["body is too long"],
        "title": ["is required"],
    }
    assert failure.http_status == 422 and not failure.retryable


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"message": {"title": ["is too long (maximum is 255 characters)"]}},
            {"title": ["is too long (maximum is 255 characters)"]},
        ),
        ({"error": "title is missing"}, {"title": ["title is missing"]}),
        ({"error": "something else went wrong"}, {}),
    ],
)
def test_gitlab_400_errors_land_on_our_field_names(api, settings, body, expected) -> None:
    failure = failure_of(api, SPEC["gitlab"], settings, {"status": 400, "json": body})

    assert failure.field_errors == expected


@each_spec
def test_rejected_credentials_are_not_retried_and_never_echoed(api, settings, spec) -> None:
    echoed = {"message": f"Bad credentials {spec.secret_values} {spec.credentials}"}

    failure = failure_of(api, spec, settings, {"status": 401, "json": echoed})

    assert failure.http_status == 401 and not failure.retryable
    assert " rejected the " in failure.message
    assert leaked(spec, failure) == []


@each_spec
def test_missing_target_is_not_retried(api, settings, spec) -> None:
    failure = failure_of(api, spec, settings, {"status": 404, "json": spec.error_body("Not Found")})

    assert failure.http_status == 404 and not failure.retryable and not failure.ambiguous


def test_github_issues_turned_off_is_not_retried(api, settings) -> None:
    body = {"message": "Issues are disabled for this repo"}

    failure = failure_of(api, SPEC["github"], settings, {"status": 410, "json": body})

    assert not failure.retryable
    assert failure.message.endswith("GitHub said: Issues are disabled for this repo")


@each_spec
@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_and_not_ambiguous(api, settings, spec, status) -> None:
    failure = failure_of(api, spec, settings, {"status": status, "json": spec.error_body("oops")})

    assert failure.retryable and not failure.ambiguous and failure.http_status == status
    assert "try again later" in failure.message


def test_gateway_timeout_on_create_is_ambiguous(api, settings) -> None:
    answer = {"status": 504, "body": "<html><title>504 Gateway Time-out</title></html>"}

    failure = failure_of(api, SPEC["jira"], settings, answer)

    assert failure.ambiguous and failure.retryable


def test_rate_limit_is_retried_and_says_how_long_to_wait(api, settings) -> None:
    answer = {"status": 429, "json": {"message": "slow down"}, "headers": {"Retry-After": "30"}}

    failure = failure_of(api, SPEC["gitlab"], settings, answer)

    assert failure.retryable
    assert failure.message.startswith(
        "GitLab is limiting the rate of requests (429): try again in 30 s."
    )


def test_github_rate_limit_403_is_retried(api, settings) -> None:
    answer = {
        "status": 403,
        "json": {"message": "API rate limit exceeded for user ID 1."},
        "headers": {"X-RateLimit-Remaining": "0"},
    }

    assert failure_of(api, SPEC["github"], settings, answer).retryable


def test_forbidden_is_not_retried(api, settings) -> None:
    failure = failure_of(api, SPEC["gitlab"], settings, {"status": 403, "json": {"message": "no"}})

    assert not failure.retryable
    assert failure.message.startswith("GitLab refused to create the issue (403)")


def test_created_issue_whose_answer_cannot_be_read_is_ambiguous(api, settings) -> None:
    answer = {"status": 201, "body": "<html>proxy</html>", "content_type": "text/html"}

    failure = failure_of(api, SPEC["github"], settings, answer)

    assert failure.ambiguous and failure.retryable


# ---- no answer at all --------------------------------------------------------


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: Connection refused")
    reason.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return requests.ConnectionError(MaxRetryError(None, "/", reason))


@each_spec
def test_read_timeout_after_sending_is_ambiguous(api, settings, spec) -> None:
    failure = failure_of(api, spec, settings, {"body": requests.ReadTimeout("read timed out")})

    assert failure.ambiguous and failure.retryable and failure.http_status is None
    assert "may have created the issue" in failure.message


def test_connection_reset_while_waiting_for_the_answer_is_ambiguous(api, settings) -> None:
    reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))

    failure = failure_of(api, SPEC["jira"], settings, {"body": requests.ConnectionError(reset)})

    assert failure.ambiguous and failure.retryable


@pytest.mark.parametrize(
    "error",
    [refused(), requests.ConnectTimeout("connect timed out")],
    ids=["refused", "connect-timeout"],
)
def test_request_that_never_left_is_retried_but_not_ambiguous(api, settings, error) -> None:
    failure = failure_of(api, SPEC["rt"], settings, {"body": error})

    assert failure.retryable and not failure.ambiguous


def test_refused_connection_says_so(api, settings) -> None:
    failure = failure_of(api, SPEC["rt"], settings, {"body": refused()})

    assert failure.message.startswith("Connection to rt.example.com:443 was refused.")


def test_lookup_that_times_out_is_never_ambiguous(api, settings) -> None:
    spec = SPEC["gitlab"]
    api.add(
        responses.GET,
        spec.url("/api/v4/projects/group%2Fproj/issues"),
        body=requests.ReadTimeout("read timed out"),
    )

    with pytest.raises(DeliveryFailed) as caught:
        find_issue(spec.system, spec.params, spec.secrets, settings, MARKER, None)

    assert caught.value.retryable and not caught.value.ambiguous


# ---- nothing to send ---------------------------------------------------------


def test_connector_without_credentials_fails_before_sending(api, settings) -> None:
    spec = SPEC["github"]

    with pytest.raises(DeliveryFailed) as caught:
        create_issue(spec.system, spec.params, {}, settings, DRAFT)

    assert not caught.value.retryable
    assert caught.value.message.startswith("No personal access token is set")
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    "spec",
    [spec for spec in SPECS if spec.system.field(spec.target_param).default is None],
    ids=lambda spec: spec.id,
)  # a target with a default (RT's General queue) is never missing
def test_ticket_without_a_target_fails_before_sending(api, settings, spec) -> None:
    params = {**spec.params, **spec.unset_target}

    with pytest.raises(DeliveryFailed) as caught:
        create_issue(spec.system, params, spec.secrets, settings, DRAFT)

    assert not caught.value.retryable
    assert len(api.calls) == 0
