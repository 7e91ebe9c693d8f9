"""/reply adds the member's comment to the ticket's issue (the comments service)."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_connector
from tests.fakes import refused_address
from tests.support.discord import (
    APPLICATION_ID,
    MEMBER,
    OTHER_ROLE,
    command,
    modal_submit,
    post_interaction,
    set_up_discord,
)
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.extensions import db
from webapp.models import AuditEntry, Ticket, TicketComment
from webapp.services.discord.followups import wait_for_followups
from webapp.services.tickets import TicketRequest, create_ticket

AUTHOR = f"Discord user Ana B ({MEMBER['id']})"


def filed_ticket(client) -> Ticket:
    post_interaction(client, modal_submit(title="Printer on fire"))
    return db.session.scalar(select(Ticket))


def reply(client, reference: str, text: str, **kwargs) -> dict:
    return post_interaction(client, command("reply", ticket=reference, text=text, **kwargs))


def test_reply_posts_the_comment_on_the_issue_naming_the_member(app, client, connector, gitlab):
    set_up_discord(connector)
    ticket = filed_ticket(client)
    answer = reply(client, ticket.external_key, "It smells of toner too").get_json()
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    assert answer["data"]["content"] == (
        f"Your comment is on {ticket.external_key}. <{ticket.external_url}>"
    )
    [note] = gitlab.notes[(GITLAB_PROJECT_ID, 1)]
    assert note["body"].startswith("It smells of toner too\n\n— Ana B, on Discord")
    comment = db.session.scalar(select(TicketComment))
    assert (comment.status, comment.via, comment.author) == ("sent", "discord", AUTHOR)


def test_reply_by_the_desks_ticket_number_reaches_the_same_issue(app, client, connector, gitlab):
    set_up_discord(connector)
    ticket = filed_ticket(client)
    reply(client, str(ticket.id), "Still broken")
    assert len(gitlab.notes[(GITLAB_PROJECT_ID, 1)]) == 1


def test_the_audit_log_names_the_member_who_replied(app, client, connector, admin_client):
    set_up_discord(connector)
    ticket = filed_ticket(client)
    reply(client, str(ticket.id), "Still broken")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ticket.comment"))
    assert (entry.details["author"], entry.details["via"]) == (AUTHOR, "discord")
    assert AUTHOR in admin_client.get("/audit?action=ticket.comment").get_data(as_text=True)


def test_a_slow_tracker_gets_a_deferred_answer_then_the_original_is_edited(
    app, client, connector, gitlab, discord_api
):
    set_up_discord(connector)
    ticket = filed_ticket(client)
    app.config["DISCORD_RESPONSE_BUDGET_SECONDS"] = 0.2
    gitlab.delay_next(1.0)
    payload = command("reply", ticket=str(ticket.id), text="Any news?")
    assert post_interaction(client, payload).get_json() == {"type": 5, "data": {"flags": 64}}
    wait_for_followups(app)
    [(application_id, token, body)] = discord_api.edits
    assert (application_id, token) == (APPLICATION_ID, payload["token"])
    assert body["content"] == f"Your comment is on {ticket.external_key}. <{ticket.external_url}>"


def test_a_reply_to_a_ticket_not_on_the_tracker_yet_is_refused(app, client):
    down = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    ticket, _ = create_ticket(None, TicketRequest(down.id, "Printer on fire"))
    set_up_discord(down)
    answer = reply(client, str(ticket.id), "Hello?").get_json()
    assert answer["data"]["content"].startswith("Your comment was not sent. This ticket's issue")
    assert db.session.scalars(select(TicketComment)).all() == []


def test_a_member_without_an_allowed_role_cannot_reply(app, client, connector, gitlab):
    set_up_discord(connector)
    ticket = filed_ticket(client)
    answer = reply(client, str(ticket.id), "Let me in", roles=[OTHER_ROLE]).get_json()
    assert answer["data"]["content"].startswith("Sorry, you cannot use the service desk")
    assert db.session.scalars(select(TicketComment)).all() == []
    assert gitlab.notes.get((GITLAB_PROJECT_ID, 1), []) == []


def test_a_reply_to_an_unknown_ticket_says_so(app, client, connector):
    set_up_discord(connector)
    answer = reply(client, "#404", "Hello?").get_json()
    assert answer["data"]["content"].startswith("No ticket “#404” was filed from here.")
