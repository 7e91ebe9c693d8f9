"""Discord waits 3 seconds: a slow tracker gets a deferred answer, edited when done."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_connector
from tests.support.discord import APPLICATION_ID, modal_submit, post_interaction, set_up_discord
from tests.support.fake_trackers import GITLAB_PROJECT_ID, fake_gitlab
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services.discord.followups import wait_for_followups


def test_a_slow_tracker_gets_a_deferred_answer_then_the_original_is_edited(
    app, client, discord_api
):
    app.config["DISCORD_RESPONSE_BUDGET_SECONDS"] = 0.2
    with fake_gitlab(create_seconds=1.0) as slow:
        connector = make_connector(
            "gitlab", issue_tracker_server=slow.host_port, issue_tracker_method="http"
        )
        set_up_discord(connector)
        payload = modal_submit(title="Printer on fire")
        answer = post_interaction(client, payload).get_json()
        assert answer == {"type": 5, "data": {"flags": 64}}
        assert discord_api.edits == []  # not yet: the tracker is still working
        wait_for_followups(app)
        [issue] = slow.issues[GITLAB_PROJECT_ID]
    [(application_id, token, body)] = discord_api.edits
    assert (application_id, token) == (APPLICATION_ID, payload["token"])
    ticket = db.session.scalar(select(Ticket))
    assert body == {
        "content": f"Ticket {ticket.id} is filed as #{issue['iid']}. <{issue['web_url']}>",
        "allowed_mentions": {"parse": []},
    }
    assert ticket.status == "sent" and ticket.reporter_name == "Ana B"


def test_a_quick_tracker_is_answered_at_once_without_an_edit(app, client, connector, discord_api):
    set_up_discord(connector)
    answer = post_interaction(client, modal_submit(title="Printer on fire")).get_json()
    assert answer["type"] == 4
    wait_for_followups(app)
    assert discord_api.edits == []


def test_when_discord_refuses_the_edit_the_ticket_is_still_filed(app, client, discord_api, caplog):
    app.config["DISCORD_RESPONSE_BUDGET_SECONDS"] = 0.1
    discord_api.fail_next(404, {"message": "Unknown Webhook", "code": 10015}, times=2)
    with fake_gitlab(create_seconds=0.5) as slow:
        connector = make_connector(
            "gitlab", issue_tracker_server=slow.host_port, issue_tracker_method="http"
        )
        set_up_discord(connector)
        assert post_interaction(client, modal_submit(title="Hi")).get_json()["type"] == 5
        wait_for_followups(app)
    assert db.session.scalar(select(Ticket)).status == "sent"
    assert "Could not edit the deferred Discord answer: Discord answered 404" in caplog.text
    assert len(discord_api.requests) == 2  # tried again once, in case it came too early


def test_an_edit_that_came_before_the_deferred_answer_is_tried_again(app, client, discord_api):
    app.config["DISCORD_RESPONSE_BUDGET_SECONDS"] = 0.1
    discord_api.fail_next(404, {"message": "Unknown Message", "code": 10008})
    with fake_gitlab(create_seconds=0.3) as slow:
        connector = make_connector(
            "gitlab", issue_tracker_server=slow.host_port, issue_tracker_method="http"
        )
        set_up_discord(connector)
        post_interaction(client, modal_submit(title="Hi"))
        wait_for_followups(app)
    [(_, _, body)] = discord_api.edits
    assert body["content"].startswith("Ticket ")
