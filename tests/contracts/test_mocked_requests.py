"""The contract check of requests sent to ``responses`` mocks (tests/contracts/mocked.py).

Why: the unit tests' mocked trackers are only honest if what the clients send them
is what the real trackers accept; these tests prove the check finds the tracker of a
request, reports one that leaves the contract, and sees every request a test sends.
"""

from __future__ import annotations

import pytest
import requests
import responses

from tests.contracts.mocked import off_contract, tracker_path
from tests.support.contract_fixtures import SENT

TOKEN = {"Authorization": "Bearer t"}
ISSUES = "https://github.example.com/api/v3/repos/acme/app/issues"


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("https://api.github.com/repos/a/b", ("github", "/repos/a/b")),
        ("https://github.example.com:8443/api/v3/user", ("github", "/user")),
        ("https://gitlab.example.com/gitlab/api/v4/user", ("gitlab", "/api/v4/user")),
        ("https://jira.example.com/jira/rest/api/2/issue", ("jira", "/rest/api/2/issue")),
        ("https://gitea.example.com/api/v1/user", ("gitea", "/api/v1/user")),
        ("https://rt.example.com/rt/REST/2.0/rt", None),
        ("https://discord.com/api/webhooks/1/x", None),
        ("https://t.example.com/a", None),
    ],
)
def test_the_tracker_of_a_request_is_known_by_its_api_root(url, where) -> None:
    assert tracker_path(url) == where


@pytest.mark.off_contract("sends an undocumented query parameter to prove it is reported")
def test_an_undocumented_query_parameter_is_reported_with_its_operation() -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, ISSUES, json=[])
        requests.get(ISSUES, params={"stat": "all"}, headers=TOKEN, timeout=5)
        problems = off_contract(call.request for call in mock.calls)

    assert len(problems) == 1
    assert "issues/list-for-repo" in problems[0]
    assert "query parameter 'stat' is not documented" in problems[0]


@pytest.mark.off_contract("sends requests off the contract to prove they are recorded")
def test_every_request_a_test_sends_to_a_mock_is_recorded_for_the_check(request) -> None:
    @responses.activate
    def decorated() -> None:
        responses.add(responses.GET, "https://gitlab.example.com/api/v4/nowhere", json={})
        requests.get("https://gitlab.example.com/api/v4/nowhere", headers=TOKEN, timeout=5)

    decorated()
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ISSUES, json={})
        requests.post(ISSUES, json={"title": "x", "labels": "bug"}, timeout=5)

    problems = off_contract(request.node.stash[SENT])

    assert "GET /api/v4/nowhere: no documented operation" in problems[0]
    assert any("issues/create request: no credentials sent" in p for p in problems[1:])
    assert any("issues/create request $.labels" in p for p in problems[1:])


def test_requests_to_other_services_are_left_alone() -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://discord.com/api/webhooks/1/x", status=204)
        requests.post("https://discord.com/api/webhooks/1/x", json={"anything": 1}, timeout=5)
        assert off_contract(call.request for call in mock.calls) == []
