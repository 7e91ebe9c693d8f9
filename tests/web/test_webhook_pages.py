"""The Webhook card, generating / rotating the secret (shown once), events, the ticket page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD, make_connector, make_sent_ticket, make_user
from tests.support import webhook_samples as samples
from webapp.extensions import db
from webapp.models import AuditEntry, ConnectorWebhook
from webapp.services import webhooks

SECRET_SHOWN = re.compile(r'data-testid="webhook-secret">([^<]+)<')


def generate(admin_client, connector) -> tuple[str, str]:
    """Confirm on the page; return (the secret shown, the page)."""
    url = f"/connectors/{connector.id}/webhook/rotate"
    confirm = admin_client.get(url).get_data(as_text=True)
    assert 'data-testid="confirm-rotate"' in confirm
    response = admin_client.submit(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    return SECRET_SHOWN.search(page).group(1), page


@pytest.mark.parametrize(
    ("system_id", "where", "words"),
    [
        ("gitlab", "Settings → Webhooks", ["Secret token", "Issues events", "Comments"]),
        ("github", "Settings → Webhooks", ["Payload URL", "application/json", "Issue comments"]),
        ("jira", "System → WebHooks", ["Issue: updated", "Comment: created"]),
    ],
)
def test_the_card_says_what_to_paste_where(admin_client, system_id, where, words):
    connector = make_connector(system_id)
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert 'data-testid="webhook-card"' in page and where in page
    assert all(word in page for word in words)
    assert "not configured" in page and "Generate secret" in page
    assert "No events yet." in page


def test_request_tracker_says_it_is_polled(admin_client):
    connector = make_connector("rt")
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "sends no webhooks: its tickets are kept in step by polling" in page
    assert "Generate secret" not in page
    response = admin_client.submit(f"/connectors/{connector.id}/webhook/rotate")
    assert response.status_code == 302
    assert "sends no webhooks" in admin_client.get(response.location).get_data(as_text=True)


def test_the_secret_is_shown_once_and_never_again(app, admin_client):
    connector = make_connector("gitlab")
    secret, page = generate(admin_client, connector)
    hook = db.session.get(ConnectorWebhook, connector.id)
    assert f"/hooks/{hook.hook_id}" in page and len(secret) >= 40
    assert secret not in hook.secret_ciphertext
    # Not on any page, not in the API, not in the audit log.
    pages = [
        f"/connectors/{connector.id}",
        f"/connectors/{connector.id}/webhook/events",
        f"/connectors/{connector.id}/webhook/rotate",
        "/audit",
        "/audit.csv",
    ]
    for url in pages:
        assert secret not in admin_client.get(url).get_data(as_text=True), url
    (entry,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "connector.webhook_secret")
    ).all()
    assert entry.details == {"change": "generated"} and secret not in str(entry.details)
    shown = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert "configured" in shown and f"/hooks/{hook.hook_id}" in shown
    assert "Rotate secret" in shown


def test_rotating_on_the_page_replaces_the_secret(admin_client, client):
    connector = make_connector("gitlab")
    first, _ = generate(admin_client, connector)
    second, page = generate(admin_client, connector)
    assert first != second and "Webhook secret rotated" in page
    entries = db.session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "connector.webhook_secret")
    ).all()
    assert [e["change"] for e in entries] == ["generated", "rotated"]
    hook_id = db.session.get(ConnectorWebhook, connector.id).hook_id
    issue = samples.gitlab_issue(5, "close", state="closed")
    old = samples.gitlab_delivery(first, issue)
    assert client.post(f"/hooks/{hook_id}", data=old.body, headers=old.headers).status_code == 401


def test_viewers_cannot_rotate(client, auth, app):
    connector = make_connector("gitlab")
    viewer = make_user(role="viewer")
    auth.login(viewer.email, PASSWORD)
    page = client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert 'data-testid="webhook-card"' in page and "Generate secret" not in page
    assert client.get(f"/connectors/{connector.id}/webhook/rotate").status_code == 403
    assert client.submit(f"/connectors/{connector.id}/webhook/rotate").status_code == 403
    assert db.session.get(ConnectorWebhook, connector.id) is None


def test_recent_events_and_the_events_page(app, admin_client, client):
    app.config["PER_PAGE"] = 2
    connector = make_connector("gitlab")
    ticket = make_sent_ticket(connector, "#5")
    hook, secret = webhooks.rotate_secret(None, connector)
    for payload in (
        samples.gitlab_issue(5, "close", state="closed"),
        samples.gitlab_issue(77, "update"),
        samples.gitlab_note(5, 3, "Done."),
    ):
        delivery = samples.gitlab_delivery(secret, payload)
        client.post(f"/hooks/{hook.hook_id}", data=delivery.body, headers=delivery.headers)
    page = admin_client.get(f"/connectors/{connector.id}").get_data(as_text=True)
    assert page.count('data-testid="webhook-event"') == 3
    assert "not a ticket from this dashboard" in page and "closed by jane" in page
    assert f"/tickets/{ticket.id}" in page
    assert "3 events received" in page
    first = admin_client.get(f"/connectors/{connector.id}/webhook/events").get_data(as_text=True)
    second = admin_client.get(f"/connectors/{connector.id}/webhook/events?page=2")
    assert first.count('data-testid="webhook-event"') == 2
    assert second.get_data(as_text=True).count('data-testid="webhook-event"') == 1
    assert "Issue Hook: close" in second.get_data(as_text=True)  # oldest last


def test_the_ticket_page_shows_the_tracker_state_and_timeline(admin_client, client):
    connector = make_connector("gitlab")
    ticket = make_sent_ticket(connector, "#5")
    hook, secret = webhooks.rotate_secret(None, connector)
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-testid="tracker-state"' not in page  # nothing heard yet
    for payload in (
        samples.gitlab_issue(5, "close", state="closed", labels=("Hardware",)),
        samples.gitlab_note(5, 31, "Replaced the <b>fuser</b>."),
    ):
        delivery = samples.gitlab_delivery(secret, payload)
        client.post(f"/hooks/{hook.hook_id}", data=delivery.body, headers=delivery.headers)
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "closed on GitLab" in page and "by jane 2026-11-01 12:00 UTC" in page
    assert "<code>Hardware</code>" in page
    assert 'data-testid="activity"' in page and 'data-direction="inbound"' in page
    assert "Replaced the &lt;b&gt;fuser&lt;/b&gt;." in page  # text, never markup
