"""GitLab's contract: extracted from the official description, hand-written only where it must be.

Why: manual.json may only add what GitLab's openapi_v2.yaml lacks or correct what it gets
wrong.  An operation written there under the id of an extracted one would silently replace
the official text, and a correction without its page and reason could not be checked by
anyone; these tests keep both from happening, and show the corrections at work.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from tests.contracts import checker
from tests.contracts.checker import HERE, Contract

JSON = {"content-type": "application/json"}
TOKEN = {"private-token": "glpat-x"}


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / "gitlab" / name).read_text(encoding="utf-8"))


EXTRACTED, MANUAL = load("contract.json"), load("manual.json")


@pytest.fixture(autouse=True)
def own_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers checked here are made up: they must not count in the fakes' coverage table."""
    monkeypatch.setattr(checker, "COVERAGE", defaultdict(lambda: defaultdict(set)))


def test_the_contract_comes_from_the_official_description() -> None:
    source = EXTRACTED["source"]
    assert source["repository"] == "gitlabhq/gitlabhq"
    assert source["file"] == "doc/api/openapi/openapi_v2.yaml"
    assert len(source["commit"]) == 40 and source["via"]


def test_hand_written_operations_are_exactly_those_the_description_lacks() -> None:
    manual = {f"{op['method']} {op['path']}" for op in MANUAL["operations"].values()}

    assert manual == set(EXTRACTED["missing_from_source"])
    assert not set(MANUAL["operations"]) & set(EXTRACTED["operations"])


def test_every_correction_targets_an_extracted_entry_and_says_where_and_why() -> None:
    for name, patch in MANUAL["schema_patches"].items():
        assert name in EXTRACTED["schemas"], name
        assert patch["doc"].startswith("https://docs.gitlab.com/") and patch["why"], name
    for op_id, statuses in MANUAL["responses"].items():
        assert op_id in EXTRACTED["operations"], op_id
        for status, entry in statuses.items():
            assert entry["doc"].startswith("https://docs.gitlab.com/") and entry["why"], status
    for op_id, op in MANUAL["operations"].items():
        assert op["hand_written"]["doc"].startswith("https://docs.gitlab.com/"), op_id


def issue(**changes: Any) -> dict[str, Any]:
    """An open issue as GitLab answers it: no description, nobody assigned, not closed."""
    base = {
        "id": 101,
        "iid": 1,
        "project_id": 7,
        "title": "Disk full",
        "description": None,
        "state": "opened",
        "labels": ["ops"],
        "author": {"id": 1, "username": "root"},
        "assignees": [],
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
        "closed_at": None,
        "closed_by": None,
        "web_url": "https://gitlab.example.com/group/proj/-/issues/1",
    }
    return {**base, **changes}


def test_an_issue_list_is_an_array_of_issues_with_assignees_as_an_array() -> None:
    contract = Contract.load("gitlab")
    listing = contract.match("GET", "/api/v4/projects/7/issues")
    headers = {**JSON, "X-Page": "1", "X-Per-Page": "20"}

    assert contract.check_response(listing, 200, headers, [issue()]) == []
    said = contract.check_response(listing, 200, headers, [issue(assignees={"id": 2})])
    assert said == ["getApiV4ProjectsIdIssues 200 $[0].assignees: {'id': 2} is not of type 'array'"]
    assert contract.check_response(listing, 200, JSON, []) == [
        "getApiV4ProjectsIdIssues 200: header X-Page missing",
        "getApiV4ProjectsIdIssues 200: header X-Per-Page missing",
    ]


@pytest.mark.parametrize("labels", ["ops,db", ["ops", "db"]])
def test_labels_may_be_sent_comma_separated_or_as_a_list(labels: Any) -> None:
    contract = Contract.load("gitlab")
    path = "/api/v4/projects/7/issues"

    _, problems = contract.check_request("POST", path, {}, TOKEN, {"title": "x", "labels": labels})

    assert problems == []


def test_a_misspelt_issue_field_is_refused() -> None:
    contract = Contract.load("gitlab")
    body = {"title": "x", "label": "ops"}

    _, problems = contract.check_request("POST", "/api/v4/projects/7/issues", {}, TOKEN, body)

    assert problems == [
        "postApiV4ProjectsIdIssues request $: Additional properties are not allowed "
        "('label' was unexpected)"
    ]


def test_project_access_levels_are_numbers_and_a_missing_membership_is_null() -> None:
    contract = Contract.load("gitlab")
    project = contract.match("GET", "/api/v4/projects/group%2Fproj")
    body = {
        "id": 7,
        "path_with_namespace": "group/proj",
        "web_url": "https://gitlab.example.com/group/proj",
        "visibility": "private",
        "permissions": {"project_access": {"access_level": 30}, "group_access": None},
    }

    assert contract.check_response(project, 200, JSON, body) == []
    body["permissions"]["project_access"]["access_level"] = "30"
    assert contract.check_response(project, 200, JSON, body) == [
        "getApiV4ProjectsId 200 $.permissions.project_access.access_level: "
        "'30' is not of type 'integer'"
    ]
