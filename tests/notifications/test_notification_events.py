"""Events reach the channels that follow them: one stored notification per matching
channel, in the transaction of the change, and nothing sent during the web request."""

from __future__ import annotations

import pytest

from tests.factories import make_connector
from tests.fakes import refused_address
from tests.fakes.chat_receiver import ChatReceiver
from webapp.extensions import db
from webapp.models import Notification
from webapp.services import delivery, notifications
from webapp.services.connector_sessions import Health, record_health
from webapp.services.connectors import set_disabled
from webapp.services.notification_channels import ChannelChanges, create_channel
from webapp.services.tickets import TicketRequest, create_ticket

URL = "json://127.0.0.1:9/hook"


@pytest.fixture
def gitlab_a(app):
    return make_connector(
        "gitlab",
        name="Desk A",
        issue_tracker_server=refused_address(),
        issue_tracker_method="http",
    )


@pytest.fixture
def gitlab_b(app):
    return make_connector("gitlab", name="Desk B")


def channel(name, events=(notifications.TICKET_CREATED,), connectors=None, enabled=True):
    return create_channel(
        None,
        ChannelChanges(
            name=name,
            url=URL,
            events=list(events),
            all_connectors=connectors is None,
            connector_ids=[c.id for c in connectors or []],
            enabled=enabled,
        ),
    )


def stored(event: str | None = None) -> list[tuple[str, str]]:
    query = db.select(Notification).order_by(Notification.id)
    rows = db.session.scalars(query).all()
    return sorted((r.channel.name, r.event) for r in rows if event in (None, r.event))


def test_ticket_created_notifies_each_matching_channel_once(gitlab_a, gitlab_b):
    channel("Everything")
    channel("Only A", connectors=[gitlab_a])
    channel("Only B", connectors=[gitlab_b])
    channel("Health only", events=[notifications.HEALTH_FAILING])
    channel("Switched off", enabled=False)
    create_ticket(None, TicketRequest(gitlab_a.id, "Broken screen"))
    assert stored() == [
        ("Everything", notifications.TICKET_CREATED),
        ("Only A", notifications.TICKET_CREATED),
    ]
    row = db.session.scalars(db.select(Notification)).first()
    assert "Broken screen" in row.title and row.connector_id == gitlab_a.id


def test_unmatched_connector_stores_nothing(gitlab_a, gitlab_b):
    channel("Only B", connectors=[gitlab_b])
    create_ticket(None, TicketRequest(gitlab_a.id, "Broken screen"))
    assert stored() == []


def test_a_rolled_back_change_leaves_no_notification(gitlab_a):
    channel("Everything")
    notifications.notify(
        notifications.TICKET_CREATED, connector=gitlab_a, title="t", body="b", dedupe_key="x"
    )
    db.session.rollback()
    assert stored() == []


def test_unknown_event_names_are_refused(gitlab_a):
    with pytest.raises(ValueError, match="Unknown notification event"):
        notifications.notify(
            "ticket.exploded", connector=gitlab_a, title="", body="", dedupe_key="k"
        )


def test_ticket_form_stores_the_notification_and_sends_nothing_in_the_request(
    admin_client, gitlab_a
):
    with ChatReceiver() as receiver:
        channel_url = receiver.json_url()
        create_channel(
            None,
            ChannelChanges(name="Room", url=channel_url, events=[notifications.TICKET_CREATED]),
        )
        page = admin_client.get(f"/tickets/new?connector={gitlab_a.id}").get_data(as_text=True)
        token = page.split('name="submission_token" type="hidden" value="')[1].split('"')[0]
        admin_client.submit(
            "/tickets/new",
            {"connector_id": str(gitlab_a.id), "submission_token": token, "title": "Printer"},
        )
        assert stored() == [("Room", notifications.TICKET_CREATED)]
        assert receiver.received == []


def test_delivery_failed_for_good_notifies(gitlab_a):
    channel("Failures", events=[notifications.DELIVERY_FAILED])
    ticket, _ = create_ticket(None, TicketRequest(gitlab_a.id, "Broken screen"))
    set_disabled(None, gitlab_a, True)
    db.session.commit()
    delivery.deliver(ticket.id)
    assert stored() == [("Failures", notifications.DELIVERY_FAILED)]
    row = db.session.scalars(db.select(Notification)).one()
    assert "disabled" in row.body and row.ticket_id == ticket.id


def test_a_retryable_failure_is_not_news(gitlab_a):
    channel("Failures", events=[notifications.DELIVERY_FAILED])
    ticket, _ = create_ticket(None, TicketRequest(gitlab_a.id, "Broken screen"))
    delivery.deliver(ticket.id)  # nothing listens: failed, retried automatically later
    assert stored() == []


def test_health_turning_failing_and_recovering_notifies_once_each(gitlab_b):
    channel("Health", events=[notifications.HEALTH_FAILING, notifications.HEALTH_RECOVERED])
    record_health(gitlab_b, Health("ok", message="fine"))
    record_health(gitlab_b, Health("failed", "reach", "Connection refused"))
    record_health(gitlab_b, Health("failed", "reach", "Connection refused again"))
    record_health(gitlab_b, Health("ok", message="Connected"))
    db.session.commit()
    assert stored() == [
        ("Health", notifications.HEALTH_FAILING),
        ("Health", notifications.HEALTH_RECOVERED),
    ]


def test_deleting_a_connector_unsubscribes_it(gitlab_a, gitlab_b):
    from webapp.services.connectors import delete_connector

    room = channel("Only A", connectors=[gitlab_a, gitlab_b])
    delete_connector(None, gitlab_a)
    db.session.expire_all()
    assert [c.name for c in room.connectors] == ["Desk B"]
    rows = db.session.execute(db.text("SELECT connector_id FROM notification_channel_connectors"))
    assert [r[0] for r in rows] == [gitlab_b.id]


def test_deleting_a_channel_deletes_its_notifications(gitlab_a):
    from webapp.services.notification_channels import delete_channel

    room = channel("Everything")
    create_ticket(None, TicketRequest(gitlab_a.id, "Broken screen"))
    delete_channel(None, room)
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 0


def test_issue_changes_from_the_tracker_notify_once_each(gitlab_a):
    channel("Tracker news", events=[notifications.ISSUE_CLOSED, notifications.ISSUE_COMMENTED])
    ticket, _ = create_ticket(None, TicketRequest(gitlab_a.id, "Broken screen"))
    ticket.external_key = "#12"
    assert notifications.notify_issue_change("closed", ticket, actor="jane") == 1
    assert notifications.notify_issue_change("closed", ticket, actor="jane") == 0  # replayed
    assert notifications.notify_issue_change("reopened", ticket) == 0  # not subscribed
    assert notifications.notify_issue_change("labels", ticket) == 0  # no such event
    assert notifications.notify_issue_change("commented", ticket, comment_id="c1") == 1
    assert notifications.notify_issue_change("commented", ticket, comment_id="c2") == 1
    db.session.commit()
    titles = sorted(r.title for r in db.session.scalars(db.select(Notification)))
    assert titles[0].startswith("#12 closed by jane: ") and "Broken screen" in titles[0]


def test_triaged_issue_notifies_the_connector_channels(gitlab_a, gitlab_b):
    channel("Triage", events=[notifications.ISSUE_TRIAGED], connectors=[gitlab_b])
    assert (
        notifications.notify_issue_triaged(
            gitlab_a, issue_key="#3", issue_title="x", label="Hardware"
        )
        == 0
    )
    assert (
        notifications.notify_issue_triaged(
            gitlab_b, issue_key="#3", issue_title="[Hardware] screen", label="Hardware"
        )
        == 1
    )


def test_tracker_changes_from_a_signed_webhook_notify_once(client, gitlab_a):
    """A close and a comment pushed by GitLab reach the channel; a replay adds nothing."""
    from tests.factories import make_sent_ticket
    from tests.support import webhook_samples as samples
    from webapp.services import webhooks

    channel(
        "Issues",
        events=(notifications.ISSUE_CLOSED, notifications.ISSUE_COMMENTED),
        connectors=[gitlab_a],
    )
    make_sent_ticket(gitlab_a, "#5")
    hook, secret = webhooks.rotate_secret(None, gitlab_a)
    for payload in (
        samples.gitlab_issue(5, "close", state="closed"),
        samples.gitlab_note(5, 31, "Replaced the fuser."),
    ):
        delivery_ = samples.gitlab_delivery(secret, payload)
        for _ in range(2):  # the second time is a replay
            client.post(f"/hooks/{hook.hook_id}", data=delivery_.body, headers=delivery_.headers)
    assert stored() == [("Issues", "issue.closed"), ("Issues", "issue.commented")]
    commented = db.session.scalars(
        db.select(Notification).where(Notification.event == "issue.commented")
    ).one()
    assert "Replaced the fuser." in commented.body


def test_a_triaged_issue_notifies(app, gitlab):
    from tests.support.fake_trackers import GITLAB_PROJECT_ID
    from tests.web.test_triage import SEED_TITLE, desk_connector
    from webapp.services.triage import triage_from_event
    from webapp.trackers.tickets import IssueSnapshot

    connector = desk_connector(gitlab, "all")
    channel("Triage", events=(notifications.ISSUE_TRIAGED,), connectors=[connector])
    issue = gitlab.open_issue(GITLAB_PROJECT_ID, SEED_TITLE)
    snapshot = IssueSnapshot(f"#{issue['iid']}", "open", title=SEED_TITLE, labels=())
    assert triage_from_event(connector, snapshot).status == "labelled"
    db.session.commit()
    assert stored() == [("Triage", "issue.triaged")]
    assert "hardware" in db.session.scalars(db.select(Notification)).one().title
