"""POST /hooks/<hook id>: signed tracker events, checked, stored once and mirrored."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import make_connector, make_sent_ticket
from tests.support import webhook_samples as samples
from webapp.extensions import db
from webapp.models import ConnectorWebhook, Ticket, TicketActivity, TicketComment, WebhookEvent
from webapp.models.base import utcnow
from webapp.services import webhooks


def hooked(system_id: str, **params):
    """A connector of ``system_id`` with its webhook secret generated: (connector, secret)."""
    connector = make_connector(system_id, **params)
    hook, secret = webhooks.rotate_secret(None, connector)
    return connector, hook.hook_id, secret


def post(client, hook_id: str, delivery: samples.Delivery):
    return client.post(f"/hooks/{hook_id}", data=delivery.body, headers=delivery.headers)


def events(connector) -> list[WebhookEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.connector_id == connector.id)
            .order_by(WebhookEvent.id)
        )
    )


def hook_row(connector) -> ConnectorWebhook:
    db.session.expire_all()
    return db.session.get(ConnectorWebhook, connector.id)


def fresh(ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


@pytest.fixture
def gitlab_hook(app):
    connector, hook_id, secret = hooked("gitlab")
    ticket = make_sent_ticket(connector, "#5")
    return connector, hook_id, secret, ticket


# ---- what events do -------------------------------------------------------------


def test_gitlab_close_and_reopen_are_mirrored_with_who_and_when(client, gitlab_hook):
    connector, hook_id, secret, ticket = gitlab_hook
    closed = samples.gitlab_issue(5, "close", state="closed", updated_at="2026-11-01T12:00:00Z")
    response = post(client, hook_id, samples.gitlab_delivery(secret, closed))
    assert response.status_code == 200
    assert response.get_json()["status"] == "processed"
    assert "closed by jane" in response.get_json()["reason"]
    assert fresh(ticket).tracker_state == "closed"
    reopened = samples.gitlab_issue(5, "reopen", user="bob", updated_at="2026-11-01T13:00:00Z")
    assert post(client, hook_id, samples.gitlab_delivery(secret, reopened)).status_code == 200
    assert fresh(ticket).tracker_state == "open"
    lines = db.session.scalars(
        select(TicketActivity).where(TicketActivity.ticket_id == ticket.id).order_by("id")
    ).all()
    assert [(a.kind, a.actor, a.via) for a in lines] == [
        ("closed", "jane", "webhook"),
        ("reopened", "bob", "webhook"),
    ]
    assert lines[0].at.isoformat().startswith("2026-11-01T12:00:00")
    recorded = events(connector)
    assert [(e.name, e.outcome, e.ticket_id, e.issue_key) for e in recorded] == [
        ("Issue Hook: close", "processed", ticket.id, "#5"),
        ("Issue Hook: reopen", "processed", ticket.id, "#5"),
    ]
    assert hook_row(connector).events_received == 2
    assert hook_row(connector).last_received_at is not None


def test_gitlab_labels_and_assignees_are_mirrored(client, gitlab_hook):
    connector, hook_id, secret, ticket = gitlab_hook
    first = samples.gitlab_issue(5, "update", labels=("Hardware",), assignees=("alice",))
    post(client, hook_id, samples.gitlab_delivery(secret, first))
    later = samples.gitlab_issue(
        5,
        "update",
        labels=("Hardware", "urgent"),
        assignees=("alice", "carol"),
        updated_at="2026-11-01T12:30:00Z",
    )
    response = post(client, hook_id, samples.gitlab_delivery(secret, later))
    assert "labels +urgent" in response.get_json()["reason"]
    ticket = fresh(ticket)
    assert sorted(ticket.tracker_labels) == ["Hardware", "urgent"]
    assert sorted(ticket.tracker_assignees) == ["alice", "carol"]


def test_gitlab_comments_are_mirrored_and_a_replay_changes_nothing(client, gitlab_hook):
    connector, hook_id, secret, ticket = gitlab_hook
    delivery = samples.gitlab_delivery(secret, samples.gitlab_note(5, 1201, "Replaced the fuser."))
    first = post(client, hook_id, delivery)
    assert first.status_code == 200 and first.get_json()["status"] == "processed"
    again = post(client, hook_id, delivery)  # GitLab retries with the same Idempotency-Key
    assert again.status_code == 200
    assert again.get_json()["status"] == "duplicate"
    comments = db.session.scalars(
        select(TicketComment).where(TicketComment.ticket_id == ticket.id)
    ).all()
    assert [(c.external_id, c.author, c.body, c.direction, c.via) for c in comments] == [
        ("1201", "bob", "Replaced the fuser.", "inbound", "webhook")
    ]
    assert len(events(connector)) == 1
    assert hook_row(connector).events_received == 1


def test_without_an_idempotency_key_the_event_uuid_then_the_body_deduplicate(client, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    payload = samples.gitlab_note(5, 1300, "Hello")
    delivery = samples.gitlab_delivery(secret, payload)
    del delivery.headers["Idempotency-Key"]
    post(client, hook_id, delivery)
    assert events(connector)[0].delivery_id == delivery.headers["X-Gitlab-Event-UUID"]
    del delivery.headers["X-Gitlab-Event-UUID"]
    post(client, hook_id, delivery)
    assert post(client, hook_id, delivery).get_json()["status"] == "duplicate"
    assert events(connector)[1].delivery_id.startswith("sha256:")
    assert len(events(connector)) == 2


def test_a_comment_on_a_merge_request_is_ignored(client, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    note = samples.gitlab_note(5, 1400, "LGTM", noteable="MergeRequest")
    response = post(client, hook_id, samples.gitlab_delivery(secret, note))
    assert response.get_json()["status"] == "ignored"
    assert "MergeRequest" in events(connector)[0].reason


def test_an_issue_that_is_not_our_ticket_is_ignored(client, gitlab_hook):
    connector, hook_id, secret, ticket = gitlab_hook
    other = samples.gitlab_issue(99, "close", state="closed")
    response = post(client, hook_id, samples.gitlab_delivery(secret, other))
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ignored",
        "reason": "not a ticket from this dashboard",
        "event": events(connector)[0].id,
    }
    assert fresh(ticket).tracker_state is None


def test_the_same_number_in_another_project_is_not_our_ticket(client, gitlab_hook):
    connector, hook_id, secret, ticket = gitlab_hook
    elsewhere = samples.gitlab_issue(5, "close", state="closed", project="other/project")
    response = post(client, hook_id, samples.gitlab_delivery(secret, elsewhere))
    assert response.get_json()["reason"] == "not a ticket from this dashboard"
    assert fresh(ticket).tracker_state is None


def test_github_issue_events_and_comments_are_mirrored(client, app):
    connector, hook_id, secret = hooked("github")
    ticket = make_sent_ticket(connector, "#12")
    closed = samples.github_issue(
        12, "closed", state="closed", labels=("bug",), assignees=("octocat",), sender="hubot"
    )
    response = post(client, hook_id, samples.github_delivery(secret, closed))
    assert response.get_json()["status"] == "processed"
    ticket = fresh(ticket)
    assert ticket.tracker_state == "closed"
    assert ticket.tracker_labels == ["bug"] and ticket.tracker_assignees == ["octocat"]
    reopened = samples.github_issue(12, "reopened", updated_at="2026-11-02T08:00:00Z")
    post(client, hook_id, samples.github_delivery(secret, reopened))
    assert fresh(ticket).tracker_state == "open"
    comment = samples.github_comment(12, 555, "Fixed in #13.")
    response = post(
        client, hook_id, samples.github_delivery(secret, comment, event="issue_comment")
    )
    assert response.get_json()["status"] == "processed"
    (stored,) = fresh(ticket).comments
    assert (stored.external_id, stored.author, stored.body) == ("555", "hubot", "Fixed in #13.")
    ping = samples.github_delivery(secret, {"zen": "Keep it simple.", "hook_id": 1}, event="ping")
    assert post(client, hook_id, ping).get_json()["status"] == "ignored"


def test_jira_done_closes_and_comments_are_mirrored(client, app):
    connector, hook_id, secret = hooked("jira")
    ticket = make_sent_ticket(connector, "OPS-12")
    done = samples.jira_issue_updated("OPS-12", done=True, labels=("printer",), assignee="Ann")
    response = post(client, hook_id, samples.jira_delivery(secret, done))
    assert response.get_json()["status"] == "processed"
    ticket = fresh(ticket)
    assert ticket.tracker_state == "closed"
    assert ticket.tracker_labels == ["printer"] and ticket.tracker_assignees == ["Ann"]
    assert ticket.activities[-1].actor == "Jane Doe"
    again = samples.jira_issue_updated("OPS-12", done=False, updated="2026-11-01T14:00:00.000+0000")
    post(client, hook_id, samples.jira_delivery(secret, again))
    assert fresh(ticket).tracker_state == "open"
    comment = samples.jira_comment_created("OPS-12", "10050", "Toner ordered.")
    post(client, hook_id, samples.jira_delivery(secret, comment))
    (stored,) = fresh(ticket).comments
    assert (stored.external_id, stored.author, stored.body) == (
        "10050",
        "Bob Smith",
        "Toner ordered.",
    )


# ---- what is refused --------------------------------------------------------------


SIGNED = {
    "gitlab": lambda secret: samples.gitlab_delivery(
        secret, samples.gitlab_issue(5, "close", state="closed")
    ),
    "github": lambda secret: samples.github_delivery(
        secret, samples.github_issue(5, "closed", state="closed")
    ),
    "jira": lambda secret: samples.jira_delivery(
        secret, samples.jira_issue_updated("OPS-5", done=True)
    ),
}


@pytest.mark.parametrize("system_id", sorted(SIGNED))
@pytest.mark.parametrize("signature", ["missing", "wrong"])
def test_a_missing_or_wrong_signature_is_401_and_only_counted(client, app, system_id, signature):
    connector, hook_id, _ = hooked(system_id)
    ticket = make_sent_ticket(connector, "OPS-5" if system_id == "jira" else "#5")
    delivery = SIGNED[system_id](None if signature == "missing" else "not-the-secret")
    response = post(client, hook_id, delivery)
    assert response.status_code == 401
    assert "signature" in response.get_json()["detail"]
    assert events(connector) == []
    assert fresh(ticket).tracker_state is None
    hook = hook_row(connector)
    assert (hook.rejected, hook.events_received, hook.last_received_at) == (1, 0, None)


def test_a_github_signature_over_another_body_is_refused(client, app):
    connector, hook_id, secret = hooked("github")
    delivery = SIGNED["github"](secret)
    delivery.body = delivery.body.replace(b'"closed"', b'"open"')  # tampered after signing
    assert post(client, hook_id, delivery).status_code == 401


def test_rotating_the_secret_invalidates_the_old_one(client, gitlab_hook):
    connector, hook_id, old, _ = gitlab_hook
    hook, new = webhooks.rotate_secret(None, connector)
    assert hook.hook_id == hook_id and new != old  # the URL stays, the secret changes
    assert post(client, hook_id, SIGNED["gitlab"](old)).status_code == 401
    assert post(client, hook_id, SIGNED["gitlab"](new)).status_code == 200


def test_an_unknown_hook_is_404(client, gitlab_hook):
    _, _, secret, _ = gitlab_hook
    response = post(client, "not-a-hook-id", SIGNED["gitlab"](secret))
    assert response.status_code == 404 and response.is_json
    assert post(client, "x" * 300, SIGNED["gitlab"](secret)).status_code == 404


def test_the_numeric_connector_id_is_not_a_hook_address(client, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    assert hook_id != str(connector.id) and len(hook_id) >= 32
    assert post(client, str(connector.id), SIGNED["gitlab"](secret)).status_code == 404


def test_a_body_over_the_limit_is_413(client, app, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    big = samples.gitlab_delivery(secret, {"object_kind": "issue", "padding": "x" * 1_100_000})
    assert post(client, hook_id, big).status_code == 413
    app.config["WEBHOOK_MAX_BODY"] = 1000  # below Flask's own limit: our read decides
    response = post(client, hook_id, samples.gitlab_delivery(secret, {"pad": "x" * 2000}))
    assert response.status_code == 413
    assert events(connector) == []


def test_a_disabled_connector_takes_no_events(client, gitlab_hook):
    connector, hook_id, secret, ticket = gitlab_hook
    connector.disabled = True
    db.session.commit()
    response = post(client, hook_id, SIGNED["gitlab"](secret))
    assert response.status_code == 409 and "disabled" in response.get_json()["detail"]
    assert events(connector) == [] and fresh(ticket).tracker_state is None


def test_request_tracker_has_no_webhooks(client, app):
    connector = make_connector("rt")
    with pytest.raises(webhooks.NoWebhooks):
        webhooks.rotate_secret(None, connector)
    # A hook row left from some other way (a plugin that lost its webhooks) answers 409.
    db.session.add(ConnectorWebhook(connector_id=connector.id, hook_id="rt-hook-" + "a" * 30))
    db.session.commit()
    response = client.post("/hooks/rt-hook-" + "a" * 30, json={})
    assert response.status_code == 409
    assert "sends no webhooks" in response.get_json()["detail"]


def test_a_body_that_is_not_json_is_400_and_kept_as_failed(client, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    delivery = samples.gitlab_delivery(secret, {})
    delivery.body = b"<xml>not json</xml>"
    assert post(client, hook_id, delivery).status_code == 400
    (event,) = events(connector)
    assert (event.outcome, event.reason) == ("failed", "the body is not JSON")


def test_a_processing_error_is_recorded_as_failed_not_a_500(client, gitlab_hook, monkeypatch):
    connector, hook_id, secret, ticket = gitlab_hook

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(webhooks, "apply_snapshot", broken)
    response = post(client, hook_id, SIGNED["gitlab"](secret))
    assert response.status_code == 200
    assert response.get_json()["status"] == "failed"
    (event,) = events(connector)
    assert event.outcome == "failed" and "RuntimeError" in event.reason


def test_a_delivery_stored_by_a_racing_request_answers_duplicate(client, gitlab_hook, monkeypatch):
    """Two requests with one delivery id pass the "seen?" check together: the unique
    constraint lets one in; the other answers 200 duplicate and changes nothing."""
    connector, hook_id, secret, _ = gitlab_hook
    delivery = SIGNED["gitlab"](secret)
    monkeypatch.setattr(webhooks, "_seen", lambda *args: False)
    assert post(client, hook_id, delivery).get_json()["status"] == "processed"
    response = post(client, hook_id, delivery)
    assert response.status_code == 200 and response.get_json()["status"] == "duplicate"
    assert len(events(connector)) == 1 and hook_row(connector).events_received == 1


def test_no_session_no_csrf_and_its_own_rate_limit(client, app, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    app.config["WEBHOOK_RATE_LIMIT"] = "3 per minute"
    app.config["WTF_CSRF_ENABLED"] = True
    answers = [post(client, hook_id, SIGNED["gitlab"](secret)) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert all("Set-Cookie" not in r.headers for r in answers)
    # Other hooks have their own budget.
    _, other_id, other_secret = hooked("gitlab")
    assert post(client, other_id, SIGNED["gitlab"](other_secret)).status_code == 200


# ---- stored payloads, pruning, counters ------------------------------------------------


def test_stored_payloads_are_scrubbed_and_capped(client, app, gitlab_hook):
    connector, hook_id, secret, _ = gitlab_hook
    payload = samples.gitlab_issue(5, "update")
    payload["object_attributes"]["description"] = "Use password=hunter2hunter2 and " + secret
    payload["project"]["ci_token"] = "glpat-should-not-be-kept"
    post(client, hook_id, samples.gitlab_delivery(secret, payload))
    stored = json.dumps(events(connector)[0].payload)
    assert "hunter2hunter2" not in stored and secret not in stored
    assert "glpat-should-not-be-kept" not in stored
    assert "group/project" in stored  # the rest is kept
    app.config["WEBHOOK_PAYLOAD_KEPT"] = 200
    post(client, hook_id, samples.gitlab_delivery(secret, samples.gitlab_issue(5, "update")))
    latest = events(connector)[-1]
    assert latest.payload_truncated and len(latest.payload["excerpt"]) == 200


def test_old_events_are_pruned_by_the_worker(app, client, gitlab_hook):
    from webapp.services import delivery_worker

    connector, hook_id, secret, _ = gitlab_hook
    post(client, hook_id, SIGNED["gitlab"](secret))
    post(client, hook_id, SIGNED["gitlab"](secret))
    old, recent = events(connector)
    old.received_at = utcnow() - timedelta(days=31)
    recent_id = recent.id
    db.session.commit()
    webhooks._prune_clock.last = -webhooks.PRUNE_EVERY  # due now
    delivery_worker.run_worker(delivery_worker.COMMAND, 0.01, loop=False)
    assert [e.id for e in events(connector)] == [recent_id]


def test_events_are_counted_in_metrics(client, gitlab_hook):
    from webapp.observability.metrics import WEBHOOK_EVENTS

    _, hook_id, secret, _ = gitlab_hook

    def count(outcome):
        return WEBHOOK_EVENTS.labels("gitlab", outcome)._value.get()

    before = count("processed"), count("rejected")
    post(client, hook_id, SIGNED["gitlab"](secret))
    post(client, hook_id, SIGNED["gitlab"]("wrong"))
    assert (count("processed"), count("rejected")) == (before[0] + 1, before[1] + 1)


def test_deleting_the_connector_deletes_its_hook_and_events(client, gitlab_hook):
    from webapp.services.connectors import delete_connector

    connector, hook_id, secret, ticket = gitlab_hook
    post(client, hook_id, SIGNED["gitlab"](secret))
    connector_id = connector.id
    db.session.delete(ticket)
    db.session.commit()
    delete_connector(None, connector)
    db.session.expire_all()
    assert db.session.get(ConnectorWebhook, connector_id) is None
    count = select(func.count()).select_from(WebhookEvent)
    assert db.session.scalar(count.where(WebhookEvent.connector_id == connector_id)) == 0
    assert post(client, hook_id, SIGNED["gitlab"](secret)).status_code == 404
