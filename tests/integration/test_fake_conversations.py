"""Comments and close / reopen on the local fakes of all four trackers (real sockets).

The fakes of GitHub, GitLab and Jira check every request and answer against the trackers'
contracts (tests/contracts), so these also prove the requests are the documented ones;
a comment whose answer is lost is found by its marker, never posted twice.
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.test_tracker_tickets import HANG_SETTINGS, SETTINGS, TRACKERS, new_draft
from webapp.trackers.tickets import DeliveryFailed

each_tracker = pytest.mark.parametrize("tracker", TRACKERS, ids=lambda t: t.system.id)


def client_of(tracker, fake, settings=SETTINGS):
    params = tracker.params(fake.host_port)
    return tracker.system.client_class(tracker.system, params, tracker.secrets, settings)


def state_of(tracker, fake) -> str:
    issue = tracker.issues(fake)[0]
    if "fields" in issue:  # Jira: the status category
        return {"done": "closed"}.get(
            issue["fields"]["status"].get("statusCategory", {}).get("key"), "open"
        )
    return {"opened": "open", "resolved": "closed"}.get(
        issue.get("state") or issue.get("Status"), issue.get("state") or issue.get("Status")
    )


def comment_count(fake) -> int:
    for name in ("notes", "comments"):
        stored = getattr(fake, name, None)
        if isinstance(stored, dict):
            return sum(len(items) for items in stored.values())
    return sum(t["Type"] in ("Correspond", "Comment") for t in fake.transactions)


@each_tracker
def test_comment_find_close_and_reopen(tracker) -> None:
    marker = f"connector-desk-comment-{uuid.uuid4().hex[:24]}"
    with tracker.start() as fake:
        issue = tracker.create(fake, new_draft())
        with client_of(tracker, fake) as client:
            body = client.comment_body("Fixed in 1.2.", marker)
            added = client.add_comment(issue.key, None, body)
            found = client.find_comment(issue.key, None, marker)
            assert client.find_comment(issue.key, None, marker + "0") is None
            client.set_state(issue.key, None, "closed")
            closed = state_of(tracker, fake)
            client.set_state(issue.key, None, "open")
        fake.assert_contract_kept()

    assert added.external_id and found.external_id == added.external_id
    assert "Fixed in 1.2." in found.body and marker in found.body
    assert (closed, state_of(tracker, fake)) == ("closed", "open")


@each_tracker
def test_a_lost_answer_is_found_by_the_marker_not_posted_again(tracker) -> None:
    marker = f"connector-desk-comment-{uuid.uuid4().hex[:24]}"
    with tracker.start() as fake:
        issue = tracker.create(fake, new_draft())
        fake.hang_after_create = True
        with client_of(tracker, fake, HANG_SETTINGS) as client:
            body = client.comment_body("Only once", marker)
            with pytest.raises(DeliveryFailed) as failed:
                client.add_comment(issue.key, None, body)
        fake.hang_after_create = False
        with client_of(tracker, fake) as client:
            found = client.find_comment(issue.key, None, marker)
        count = comment_count(fake)
        fake.assert_contract_kept()

    assert failed.value.ambiguous and failed.value.retryable
    assert found is not None and count == 1
