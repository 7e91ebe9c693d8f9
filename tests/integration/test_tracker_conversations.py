"""Comments and state on a REAL Request Tracker 5 (REST2): reply, internal comment, marker
lookup, resolve and reopen.

Why the real RT: REST2 answers a reply or comment with words only (no id), so the
comment's transaction is found again by its marker; only RT itself shows that this
lookup, the endpoints and the status names really work.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
import requests

from tests.support.rt_server import RTServer
from webapp.outbound.http import OutboundSettings
from webapp.trackers.rt import RT
from webapp.trackers.tickets import CreatedIssue, DeliveryFailed, IssueDraft

SETTINGS = OutboundSettings(connect_timeout=5.0, read_timeout=30.0)
Json = dict[str, Any]


def rt_client(server: RTServer):
    params = {
        "issue_tracker_server": server.host_port,
        "issue_tracker_method": "http",
        "rt_queue": "General",
    }
    return RT.client_class(RT, params, {"issue_tracker_api_token": server.token}, SETTINGS)


def rt_get(server: RTServer, path: str) -> Json:
    response = requests.get(f"{server.rest2_url}{path}", headers=server.token_header, timeout=30)
    response.raise_for_status()
    return response.json()


def new_marker() -> str:
    return f"connector-desk-comment-{uuid.uuid4().hex[:24]}"


@pytest.fixture
def rt_issue(rt_server: RTServer) -> CreatedIssue:
    marker = f"connector-desk-ticket-{uuid.uuid4().hex[:24]}"
    with rt_client(rt_server) as client:
        return client.create_issue(IssueDraft("Printer on fire", f"Body {marker}", marker))


@pytest.mark.parametrize(("internal", "kind"), [(False, "Correspond"), (True, "Comment")])
def test_real_rt_reply_and_internal_comment(rt_server, rt_issue, internal, kind) -> None:
    marker = new_marker()
    with rt_client(rt_server) as client:
        body = client.comment_body("We are looking into it.", marker)
        added = client.add_comment(rt_issue.key, None, body, internal=internal)
        found = client.find_comment(rt_issue.key, None, marker)

    assert added.external_id and added.external_id == found.external_id
    assert found.internal is internal and marker in found.body
    transaction = rt_get(rt_server, f"/transaction/{added.external_id}")
    assert transaction["Type"] == kind
    assert str(transaction["Object"]["id"]) == rt_issue.key
    attachments = rt_get(rt_server, f"/transaction/{added.external_id}/attachments")["items"]
    contents = [
        base64.b64decode(rt_get(rt_server, f"/attachment/{a['id']}").get("Content") or "")
        for a in attachments
    ]
    assert any(b"We are looking into it." in content for content in contents)


def test_real_rt_marker_lookup_misses_other_tickets_and_unknown_markers(
    rt_server, rt_issue
) -> None:
    marker = new_marker()
    with rt_client(rt_server) as client:
        client.add_comment(rt_issue.key, None, client.comment_body("Hi", marker))
        other = client.create_issue(IssueDraft("Other", "Other body", new_marker()))
        assert client.find_comment(other.key, None, marker) is None
        assert client.find_comment(rt_issue.key, None, new_marker()) is None


def test_real_rt_resolve_and_reopen(rt_server, rt_issue) -> None:
    with rt_client(rt_server) as client:
        client.set_state(rt_issue.key, None, "closed")
        assert rt_get(rt_server, f"/ticket/{rt_issue.key}")["Status"] == "resolved"
        client.set_state(rt_issue.key, None, "open")
        assert rt_get(rt_server, f"/ticket/{rt_issue.key}")["Status"] == "open"


def test_real_rt_unknown_ticket_is_a_failure(rt_server) -> None:
    with rt_client(rt_server) as client, pytest.raises(DeliveryFailed) as failed:
        client.set_state("999999", None, "closed")
    assert not failed.value.retryable
