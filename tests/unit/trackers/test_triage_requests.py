"""Triage's requests per tracker: the label is created first (GitLab 409 and GitHub 422
mean it exists), then added to the issue, as the gitlab-service-desk-python seed does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from responses import matchers

from tests.unit.trackers.specs import GITHUB_SPEC, GITLAB_SPEC
from webapp.models import Connector, ConnectorCategory
from webapp.services.triage import (
    ALREADY_LABELLED,
    FAILED,
    LABELLED,
    NO_CATEGORY,
    NOT_SERVICE_DESK,
    triage_issue,
)
from webapp.trackers.tickets import IssueSnapshot

SEED_TITLE = "Service Desk (from john.doe@mail.com): [Hardware] Buying a new screen"


def connector(mode: str) -> Connector:
    """An unsaved connector with the seed's two categories."""
    return Connector(
        name="Desk",
        params={"triage_issues": mode},
        categories=[
            ConnectorCategory(name="Hardware", label="hardware", colour="#f45562"),
            ConnectorCategory(name="Gitlab Account", label="gitlab-account", colour="#3450f6"),
        ],
    )


def client(spec, settings):
    return spec.system.client_class(spec.system, spec.params, spec.secrets, settings)


def issue(title=SEED_TITLE, author="support-bot", labels=()) -> IssueSnapshot:
    return IssueSnapshot("#12", "open", title=title, author=author, labels=tuple(labels))


GITLAB_LABELS = "/api/v4/projects/group%2Fproj/labels"
GITLAB_ISSUE = "/api/v4/projects/group%2Fproj/issues/12"


@pytest.mark.parametrize("status", [201, 409])
def test_gitlab_seed_title_gets_the_label_created_first_or_found(api, settings, status):
    spec = GITLAB_SPEC
    created = api.post(
        spec.url(GITLAB_LABELS),
        status=status,
        json={"name": "hardware"} if status == 201 else {"message": "Label already exists"},
        match=[matchers.json_params_matcher({"name": "hardware", "color": "#f45562"})],
    )
    added = api.put(
        spec.url(GITLAB_ISSUE),
        json={},
        match=[matchers.json_params_matcher({"add_labels": "hardware"})],
    )
    desk = connector("service_desk")

    with client(spec, settings) as gitlab:
        outcome = triage_issue(desk, issue(), gitlab)

    assert (outcome.status, outcome.labels) == (LABELLED, ("hardware",))
    assert created.call_count == 1 and added.call_count == 1
    assert desk.categories[0].label_synced_at is not None


def test_a_label_known_on_the_tracker_is_not_created_again(api, settings):
    spec = GITLAB_SPEC
    added = api.put(spec.url(GITLAB_ISSUE), json={})
    desk = connector("all")
    desk.categories[0].label_synced_at = datetime(2026, 11, 1, tzinfo=UTC)

    with client(spec, settings) as gitlab:
        assert triage_issue(desk, issue(), gitlab).status == LABELLED

    assert added.call_count == 1 and len(api.calls) == 1  # no POST …/labels


def test_category_names_match_in_any_case(api, settings):
    spec = GITLAB_SPEC
    api.post(spec.url(GITLAB_LABELS), status=201, json={})
    api.put(spec.url(GITLAB_ISSUE), json={})
    title = "Service Desk (from a@b.c): [gitlab ACCOUNT] please"
    with client(spec, settings) as gitlab:
        outcome = triage_issue(connector("all"), issue(title), gitlab)
    assert outcome.labels == ("gitlab-account",)


def test_only_service_desk_issues_when_so_set(api, settings):
    with client(GITLAB_SPEC, settings) as gitlab:
        outcome = triage_issue(connector("service_desk"), issue(author="jane"), gitlab)
    assert outcome.status == NOT_SERVICE_DESK and not api.calls


def test_all_issues_when_so_set(api, settings):
    spec = GITLAB_SPEC
    api.post(spec.url(GITLAB_LABELS), status=409, json={"message": "Label already exists"})
    api.put(spec.url(GITLAB_ISSUE), json={})
    with client(spec, settings) as gitlab:
        assert triage_issue(connector("all"), issue(author="jane"), gitlab).status == LABELLED


def test_an_issue_with_the_label_already_is_left_alone(api, settings):
    with client(GITLAB_SPEC, settings) as gitlab:
        outcome = triage_issue(connector("all"), issue(labels=("Hardware",)), gitlab)
    assert (outcome.status, outcome.labels) == (ALREADY_LABELLED, ("hardware",))
    assert not api.calls


def test_a_title_without_a_category_is_left_alone(api, settings):
    with client(GITLAB_SPEC, settings) as gitlab:
        outcome = triage_issue(connector("all"), issue("Hardware is broken"), gitlab)
    assert outcome.status == NO_CATEGORY and not api.calls


def test_a_dry_run_sends_nothing(api, settings):
    with client(GITLAB_SPEC, settings) as gitlab:
        outcome = triage_issue(connector("all"), issue(), gitlab, dry_run=True)
    assert (outcome.status, outcome.dry_run, outcome.labels) == (LABELLED, True, ("hardware",))
    assert not api.calls


def test_a_refused_label_fails_with_the_trackers_words(api, settings):
    spec = GITLAB_SPEC
    api.post(spec.url(GITLAB_LABELS), status=403, json={"message": "403 Forbidden"})
    with client(spec, settings) as gitlab:
        outcome = triage_issue(connector("all"), issue(), gitlab)
    assert outcome.status == FAILED and "403" in outcome.message
    assert all(call.request.method == "POST" for call in api.calls)


def test_github_422_already_exists_then_labels_are_added(api, settings):
    spec = GITHUB_SPEC
    api.post(
        spec.url("/repos/acme/app/labels"),
        status=422,
        json={
            "message": "Validation Failed",
            "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
        },
        match=[matchers.json_params_matcher({"name": "hardware", "color": "f45562"})],
    )
    added = api.post(
        spec.url("/repos/acme/app/issues/12/labels"),
        json=[{"name": "hardware"}],
        match=[matchers.json_params_matcher({"labels": ["hardware"]})],
    )
    with client(spec, settings) as github:
        outcome = triage_issue(connector("all"), issue("[Hardware] New screen", "mona"), github)
    assert outcome.status == LABELLED and added.call_count == 1


def test_github_has_no_service_desk_so_that_setting_triages_nothing(api, settings):
    with client(GITHUB_SPEC, settings) as github:
        outcome = triage_issue(connector("service_desk"), issue(author="support-bot"), github)
    assert outcome.status == NOT_SERVICE_DESK and not api.calls
