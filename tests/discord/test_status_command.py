"""/status shows a ticket's state, labels and last comment, as the tracker last told them."""

from __future__ import annotations

from tests.factories import make_connector, make_sent_ticket
from tests.fakes import refused_address
from tests.support.discord import OTHER_ROLE, command, post_interaction, set_up_discord
from webapp.extensions import db
from webapp.models import TicketComment
from webapp.services.tickets import TicketRequest, create_ticket


def mirrored_ticket(connector):
    ticket = make_sent_ticket(connector, external_key="#5", title="Printer on fire")
    ticket.external_url = "https://gitlab.example.com/group/project/-/issues/5"
    ticket.tracker_state, ticket.tracker_labels = "closed", ["hardware", "urgent"]
    ticket.comments.append(
        TicketComment(direction="inbound", external_id="1", author="maria", body="First look")
    )
    ticket.comments.append(
        TicketComment(direction="inbound", external_id="2", author="maria", body="Toner replaced")
    )
    db.session.commit()
    return ticket


def status(client, reference: str, **kwargs) -> str:
    answer = post_interaction(client, command("status", ticket=reference, **kwargs)).get_json()
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    return answer["data"]["content"]


def test_status_by_tracker_key_shows_state_labels_and_last_comment(app, client, connector):
    ticket = mirrored_ticket(connector)
    set_up_discord(connector)
    assert status(client, "#5") == (
        f"**Ticket {ticket.id}: Printer on fire**\n"
        "Issue #5 <https://gitlab.example.com/group/project/-/issues/5>\n"
        "State: closed\n"
        "Labels: hardware, urgent\n"
        "Last comment, by maria: Toner replaced"
    )


def test_status_by_the_desks_ticket_number_finds_the_same_ticket(app, client, connector):
    ticket = mirrored_ticket(connector)
    set_up_discord(connector)
    assert status(client, str(ticket.id)) == status(client, "#5")


def test_status_of_a_ticket_not_delivered_yet_says_it_will_be_retried(app, client):
    down = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    ticket, _ = create_ticket(None, TicketRequest(down.id, "Printer on fire"))
    set_up_discord(down)
    assert status(client, str(ticket.id)) == (
        f"**Ticket {ticket.id}: Printer on fire**\n"
        "Stored, waiting to be sent: it will be retried.\n"
        "No comments yet."
    )


def test_status_of_a_ticket_from_a_connector_this_server_does_not_use_is_not_shown(
    app, client, connector
):
    elsewhere = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    ticket = mirrored_ticket(elsewhere)
    set_up_discord(connector)
    assert status(client, str(ticket.id)) == (
        f"No ticket “{ticket.id}” was filed from here. Use its number on the desk or its key "
        "on the tracker."
    )


def test_status_for_a_member_without_an_allowed_role_is_refused(app, client, connector):
    mirrored_ticket(connector)
    set_up_discord(connector)
    content = status(client, "#5", roles=[OTHER_ROLE])
    assert content.startswith("Sorry, you cannot use the service desk")
    assert "Toner" not in content
