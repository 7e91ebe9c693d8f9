"""Polling issues back, end to end: a real RT 5 (which has no webhooks, so sync is its
only way back) and the fake GitHub, GitLab and Jira within their contracts."""

from __future__ import annotations

import requests

from tests.factories import make_connector, make_sent_ticket
from tests.fakes import FakeGitHub, FakeJira
from webapp.extensions import db
from webapp.models import Ticket, TicketActivity, TicketComment
from webapp.services.delivery import deliver
from webapp.services.ticket_sync import SYNCED, UNCHANGED, sync_due, sync_ticket
from webapp.services.tickets import TicketRequest, create_ticket


def comments_of(ticket_id: int) -> list[tuple[str, str, bool]]:
    found = db.session.scalars(
        db.select(TicketComment).where(TicketComment.ticket_id == ticket_id)
    ).all()
    return [(c.author, c.body, c.internal) for c in found]


def submit_ticket(client, connector, title: str) -> Ticket:
    """Raise a ticket on the New ticket page, as a person would."""
    page = client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    token = page.split('name="submission_token" type="hidden" value="')[1].split('"')[0]
    response = client.submit(
        f"/tickets/new?connector={connector.id}",
        {"connector_id": str(connector.id), "submission_token": token, "title": title},
    )
    assert response.status_code == 302
    return db.session.scalar(db.select(Ticket).where(Ticket.title == title))


def test_a_ticket_resolved_in_the_real_rt_shows_closed_with_the_reply(admin_client, rt_server):
    connector = make_connector(
        "rt",
        name="Real RT",
        issue_tracker_server=rt_server.host_port,
        issue_tracker_method="http",
        issue_tracker_auth_mode="basic",
        issue_tracker_user=rt_server.username,
        issue_tracker_pass=rt_server.password,
        rt_queue="General",
        rt_custom_fields={},
    )
    ticket = submit_ticket(admin_client, connector, "Printer on fire")
    assert ticket.status == "sent", ticket.last_error
    rest = f"{rt_server.rest2_url}/ticket/{ticket.external_key}"

    first = sync_ticket(ticket.id)
    assert first.status == SYNCED and ticket.tracker_state == "open"

    reply = requests.post(
        f"{rest}/correspond",
        json={"Content": "Fire is out, toner replaced.", "ContentType": "text/plain"},
        auth=rt_server.auth,
        timeout=15,
    )
    assert reply.status_code == 201, reply.text
    resolved = requests.put(rest, json={"Status": "resolved"}, auth=rt_server.auth, timeout=15)
    assert resolved.status_code == 200, resolved.text

    outcome = sync_ticket(ticket.id)

    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert outcome.status == SYNCED and ticket.tracker_state == "closed"
    assert ("root", "Fire is out, toner replaced.", False) in comments_of(ticket.id)
    closed = db.session.scalars(
        db.select(TicketActivity).where(TicketActivity.ticket_id == ticket.id)
    ).all()
    assert [(a.kind, a.actor, a.via) for a in closed] == [("closed", "root", "sync")]
    assert sync_ticket(ticket.id).changes == ()  # seen once, stored once


def test_github_is_asked_conditionally_and_a_304_changes_nothing(app):
    with FakeGitHub("ghp_GOOD", prefix="/api/v3", repos={"acme/app": {}}) as github:
        connector = make_connector(
            "github",
            issue_tracker_server=github.host_port,
            issue_tracker_method="http",
            issue_tracker_api_token="ghp_GOOD",
            github_repo_owner="acme",
            github_repo_name="app",
        )
        github.open_issue("acme/app", "Printer on fire", labels=("bug",))
        ticket = make_sent_ticket(connector, "#1")
        assert sync_ticket(ticket.id).status == SYNCED
        etag = ticket.tracker_etag
        assert etag

        assert sync_ticket(ticket.id).status == UNCHANGED
        assert github.requests[-1].headers.get("If-None-Match") == etag

        github.add_comment("acme/app", 1, "Looking into it.", login="hubot")
        github.close_issue("acme/app", 1, by="hubot")
        outcome = sync_ticket(ticket.id)

    assert [c.kind for c in outcome.changes] == ["closed", "commented"]
    assert ticket.tracker_labels == ["bug"] and ticket.tracker_etag != etag
    assert comments_of(ticket.id) == [("hubot", "Looking into it.", False)]


def test_jira_done_is_closed_and_assignee_and_comments_follow(app):
    with FakeJira({"me@example.com": "jira-token"}) as jira:
        connector = make_connector(
            "jira",
            issue_tracker_server=jira.host_port,
            issue_tracker_method="http",
            issue_tracker_auth_mode="basic",
            issue_tracker_user="me@example.com",
            issue_tracker_pass="jira-token",
            jira_project_key="OPS",
        )
        created, _ = create_ticket(None, TicketRequest(connector.id, "Printer on fire"))
        ticket = deliver(created.id)
        assert ticket.external_key == "OPS-1", ticket.last_error
        jira.assign("OPS-1", "jane")
        jira.add_comment("OPS-1", "Ordered a new one.", author="jane")
        jira.transition("OPS-1", "Done")

        [outcome] = sync_due()

    assert outcome.status == SYNCED
    assert (ticket.tracker_state, ticket.tracker_assignees) == ("closed", ["Jane"])
    assert comments_of(ticket.id) == [("Jane", "Ordered a new one.", False)]
