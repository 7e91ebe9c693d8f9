"""Comments and state on an existing issue: each tracker gets the request its API documents.

Why exact matchers: a misspelt body key (GitLab's ``internal``, Jira's ADF ``body``, RT's
``Content``) is silently ignored by the tracker, so only the documented request counts.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests
import responses
from responses import matchers

from tests.unit.trackers.specs import GITHUB_SPEC, GITLAB_SPEC, JIRA_SPEC, RT_SPEC
from webapp.trackers.jira import adf_document, body_text
from webapp.trackers.tickets import DeliveryFailed, RemoteComment

MARKER = "connector-desk-comment-0123456789abcdef01234567"


def client_of(spec, settings, **params):
    return spec.system.client_class(spec.system, {**spec.params, **params}, spec.secrets, settings)


def body_is(payload):
    return [matchers.json_params_matcher(payload, strict_match=True)]


# ---- GitLab --------------------------------------------------------------------


def test_gitlab_comment_is_an_internal_note_when_asked(api, settings) -> None:
    path = "/api/v4/projects/group%2Fproj/issues/5/notes"
    with client_of(GITLAB_SPEC, settings) as client:
        body = client.comment_body("Fixed in 1.2.", MARKER)
        api.add(
            responses.POST,
            GITLAB_SPEC.url(path),
            status=201,
            json={
                "id": 301,
                "body": body,
                "author": {"username": "root"},
                "created_at": "2026-01-02T03:04:05.000Z",
                "internal": True,
            },
            match=body_is({"body": body, "internal": True}),
        )
        comment = client.add_comment("#5", None, body, internal=True)

    assert body == f"Fixed in 1.2.\n\n<!-- Connector Desk reference {MARKER} -->"
    assert comment.external_id == "301" and comment.author == "root" and comment.internal
    assert comment.created_at.isoformat() == "2026-01-02T03:04:05+00:00"


def test_gitlab_finds_the_note_with_the_marker(api, settings) -> None:
    api.add(
        responses.GET,
        GITLAB_SPEC.url("/api/v4/projects/group%2Fproj/issues/5/notes"),
        json=[
            {"id": 9, "body": "unrelated", "author": {"username": "a"}},
            {"id": 10, "body": f"hi <!-- Connector Desk reference {MARKER} -->", "author": {}},
        ],
        match=[
            matchers.query_param_matcher(
                {"sort": "desc", "order_by": "created_at", "per_page": "100"}
            )
        ],
    )
    with client_of(GITLAB_SPEC, settings) as client:
        assert client.find_comment("#5", None, MARKER).external_id == "10"
        assert client.find_comment("#5", None, MARKER + "x") is None


@pytest.mark.parametrize(("state", "event"), [("closed", "close"), ("open", "reopen")])
def test_gitlab_state_is_a_state_event(api, settings, state, event) -> None:
    api.add(
        responses.PUT,
        GITLAB_SPEC.url("/api/v4/projects/group%2Fproj/issues/5"),
        json={"iid": 5, "state": state},
        match=body_is({"state_event": event}),
    )
    with client_of(GITLAB_SPEC, settings) as client:
        client.set_state("#5", None, state)
    assert len(api.calls) == 1


def test_gitlab_refusal_keeps_the_trackers_words(api, settings) -> None:
    api.add(
        responses.PUT,
        GITLAB_SPEC.url("/api/v4/projects/group%2Fproj/issues/5"),
        status=403,
        json={"message": "403 Forbidden"},
    )
    with client_of(GITLAB_SPEC, settings) as client, pytest.raises(DeliveryFailed) as failed:
        client.set_state("#5", None, "closed")
    assert "403 Forbidden" in failed.value.message and not failed.value.retryable


def test_a_timed_out_comment_is_ambiguous(api, settings) -> None:
    api.add(
        responses.POST,
        GITLAB_SPEC.url("/api/v4/projects/group%2Fproj/issues/5/notes"),
        body=requests.ReadTimeout("read timed out"),
    )
    with client_of(GITLAB_SPEC, settings) as client, pytest.raises(DeliveryFailed) as failed:
        client.add_comment("#5", None, "x", internal=False)
    assert failed.value.ambiguous and failed.value.retryable
    assert "may have created the comment" in failed.value.message


# ---- GitHub --------------------------------------------------------------------


def test_github_comment_and_state(api, settings) -> None:
    base = "/repos/acme/app/issues/12"
    with client_of(GITHUB_SPEC, settings) as client:
        body = client.comment_body("Thanks!", MARKER)
        api.add(
            responses.POST,
            GITHUB_SPEC.url(base + "/comments"),
            status=201,
            json={"id": 77, "body": body, "user": {"login": "octocat"}},
            match=body_is({"body": body}),
        )
        api.add(
            responses.PATCH,
            GITHUB_SPEC.url(base),
            json={"number": 12, "state": "closed"},
            match=body_is({"state": "closed"}),
        )
        api.add(
            responses.GET,
            GITHUB_SPEC.url(base + "/comments"),
            json=[{"id": 76, "body": "old"}, {"id": 77, "body": body, "user": {"login": "o"}}],
        )
        assert client.add_comment("#12", None, body) == RemoteComment("77", "octocat", body)
        client.set_state("#12", None, "closed")
        assert client.find_comment("#12", None, MARKER).external_id == "77"


def test_github_issue_number_must_be_a_number(api, settings) -> None:
    with client_of(GITHUB_SPEC, settings) as client, pytest.raises(DeliveryFailed):
        client.add_comment("OPS-1", None, "x")
    assert not api.calls


# ---- Jira ------------------------------------------------------------------------


def test_jira_cloud_comment_has_an_adf_body(api, settings) -> None:
    text = "First line\nsecond line\n\nNew paragraph"
    api.add(
        responses.POST,
        JIRA_SPEC.url("/rest/api/3/issue/OPS-12/comment"),
        status=201,
        json={
            "id": "10010",
            "author": {"displayName": "Me"},
            "body": adf_document(text),
            "created": "2026-01-02T03:04:05.000+0000",
        },
        match=body_is({"body": adf_document(text)}),
    )
    with client_of(JIRA_SPEC, settings, jira_version="cloud") as client:
        comment = client.add_comment("OPS-12", None, text)

    assert adf_document(text)["content"][0]["content"] == [
        {"type": "text", "text": "First line"},
        {"type": "hardBreak"},
        {"type": "text", "text": "second line"},
    ]
    assert comment.external_id == "10010" and comment.body == text
    assert comment.created_at.isoformat() == "2026-01-02T03:04:05+00:00"


def test_jira_data_center_comment_is_plain_text_on_v2(api, settings) -> None:
    api.add(
        responses.POST,
        JIRA_SPEC.url("/rest/api/2/issue/OPS-12/comment"),
        status=201,
        json={"id": "5", "body": "plain"},
        match=body_is({"body": "plain"}),
    )
    with client_of(JIRA_SPEC, settings, jira_version="server") as client:
        assert client.add_comment("OPS-12", None, "plain").external_id == "5"


def test_jira_finds_the_comment_with_the_marker(api, settings) -> None:
    api.add(
        responses.GET,
        JIRA_SPEC.url("/rest/api/2/issue/OPS-12/comment"),
        json={"comments": [{"id": "1", "body": "no"}, {"id": "2", "body": f"x\n{MARKER}"}]},
    )
    with client_of(JIRA_SPEC, settings) as client:
        assert client.find_comment("OPS-12", None, MARKER).external_id == "2"


def test_jira_finds_the_marker_in_escaped_wiki_markup(api, settings) -> None:
    escaped = MARKER.replace("-", "\\-")
    api.add(
        responses.GET,
        JIRA_SPEC.url("/rest/api/2/issue/OPS-12/comment"),
        json={
            "comments": [{"id": "3", "body": f"x\nSent with Connector Desk · reference {escaped}"}]
        },
    )
    with client_of(JIRA_SPEC, settings) as client:
        assert client.find_comment("OPS-12", None, MARKER).external_id == "3"


TRANSITIONS = {
    "transitions": [
        {"id": "11", "name": "Start", "to": {"statusCategory": {"key": "indeterminate"}}},
        {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}},
        {"id": "41", "name": "Back to do", "to": {"statusCategory": {"key": "new"}}},
    ]
}


@pytest.mark.parametrize(("state", "chosen"), [("closed", "31"), ("open", "41")])
def test_jira_state_takes_the_transition_to_the_right_category(
    api, settings, state, chosen
) -> None:
    path = "/rest/api/2/issue/OPS-12/transitions"
    api.add(responses.GET, JIRA_SPEC.url(path), json=TRANSITIONS)
    api.add(
        responses.POST,
        JIRA_SPEC.url(path),
        status=204,
        match=body_is({"transition": {"id": chosen}}),
    )
    with client_of(JIRA_SPEC, settings) as client:
        client.set_state("OPS-12", None, state)
    assert [c.request.method for c in api.calls] == ["GET", "POST"]


def test_jira_without_a_fitting_transition_names_those_it_offers(api, settings) -> None:
    api.add(
        responses.GET,
        JIRA_SPEC.url("/rest/api/2/issue/OPS-12/transitions"),
        json={"transitions": [TRANSITIONS["transitions"][0]]},
    )
    with client_of(JIRA_SPEC, settings) as client, pytest.raises(DeliveryFailed) as failed:
        client.set_state("OPS-12", None, "closed")
    assert "offers: Start" in failed.value.message
    assert not failed.value.retryable


def test_adf_reads_back_as_text() -> None:
    assert body_text(adf_document("a\nb\n\nc")) == "a\nb\n\nc"


# ---- RT ----------------------------------------------------------------------------


def rt_marked_comment(api, kind: str, body: str) -> None:
    """RT's answers to the marker lookup: one attachment of ticket 12, transaction 99."""
    api.add(
        responses.GET,
        RT_SPEC.url("/REST/2.0/attachments"),
        json={"items": [{"id": "500", "type": "attachment"}]},
    )
    api.add(
        responses.GET,
        RT_SPEC.url("/REST/2.0/attachment/500"),
        json={
            "Content": base64.b64encode(body.encode()).decode(),
            "TransactionId": {"id": "99", "type": "transaction"},
        },
    )
    api.add(
        responses.GET,
        RT_SPEC.url("/REST/2.0/transaction/99"),
        json={
            "id": 99,
            "Type": kind,
            "Creator": {"id": "root", "type": "user"},
            "Object": {"id": "12", "type": "ticket"},
        },
    )


@pytest.mark.parametrize(
    ("internal", "endpoint", "kind"),
    [(False, "correspond", "Correspond"), (True, "comment", "Comment")],
)
def test_rt_reply_or_internal_comment(api, settings, internal, endpoint, kind) -> None:
    with client_of(RT_SPEC, settings) as client:
        body = client.comment_body("We are on it.", MARKER)
        api.add(
            responses.POST,
            RT_SPEC.url(f"/REST/2.0/ticket/12/{endpoint}"),
            status=201,
            json=["Correspondence added" if not internal else "Comments added"],
            match=body_is({"Content": body, "ContentType": "text/plain"}),
        )
        rt_marked_comment(api, kind, body)
        comment = client.add_comment("12", None, body, internal=internal)

    assert body.endswith(f"reference {MARKER}")
    assert comment.external_id == "99" and comment.internal is internal
    search = json.loads(api.calls[1].request.params["query"])
    assert search[0]["field"] == "Content"


def test_rt_marker_of_another_ticket_is_not_this_comment(api, settings) -> None:
    rt_marked_comment(api, "Correspond", f"text {MARKER}")
    with client_of(RT_SPEC, settings) as client:
        assert client.find_comment("13", None, MARKER) is None


@pytest.mark.parametrize(("state", "status"), [("closed", "resolved"), ("open", "open")])
def test_rt_state_is_a_status(api, settings, state, status) -> None:
    api.add(
        responses.PUT,
        RT_SPEC.url("/REST/2.0/ticket/12"),
        json=[f"Ticket 12: Status changed from 'new' to '{status}'"],
        match=body_is({"Status": status}),
    )
    with client_of(RT_SPEC, settings) as client:
        client.set_state("12", None, state)


def test_rt_refused_status_is_a_failure(api, settings) -> None:
    api.add(responses.PUT, RT_SPEC.url("/REST/2.0/ticket/12"), json=["Permission Denied"])
    with client_of(RT_SPEC, settings) as client, pytest.raises(DeliveryFailed) as failed:
        client.set_state("12", None, "closed")
    assert "Permission Denied" in failed.value.message


@pytest.mark.parametrize(
    "spec", [GITHUB_SPEC, GITLAB_SPEC, JIRA_SPEC, RT_SPEC], ids=lambda s: s.system.id
)
def test_every_comment_body_gives_its_marker_back(spec, settings) -> None:
    with client_of(spec, settings) as client:
        assert client.comment_marker(client.comment_body("Text\n", MARKER)) == MARKER
        assert client.comment_marker("no marker here") == ""
