"""/ticket opens a modal; its submission files a ticket through the mapped connector."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_connector
from tests.fakes import refused_address
from tests.support.discord import (
    CHANNEL,
    GUILD,
    MEMBER,
    OTHER_ROLE,
    command,
    modal_submit,
    post_interaction,
    set_up_discord,
)
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.extensions import db
from webapp.models import AuditEntry, Ticket

EPHEMERAL = 64


def tickets() -> list[Ticket]:
    return list(db.session.scalars(select(Ticket)))


def test_ticket_command_answers_with_a_modal_naming_the_categories(app, client, connector):
    set_up_discord(connector)
    answer = post_interaction(client, command("ticket")).get_json()
    assert answer["type"] == 9
    modal = answer["data"]
    assert modal["custom_id"] == "ticket"
    inputs = [row["components"][0] for row in modal["components"]]
    assert [i["custom_id"] for i in inputs] == ["title", "description", "category"]
    assert all(i["type"] == 4 and len(i["label"]) <= 45 for i in inputs)
    assert inputs[0]["required"] is True
    assert inputs[2]["placeholder"] == "One of: Hardware, Gitlab Account"


def test_a_connector_without_categories_asks_for_none(app, client, gitlab):
    plain = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    set_up_discord(plain)
    modal = post_interaction(client, command("ticket")).get_json()["data"]
    ids = [row["components"][0]["custom_id"] for row in modal["components"]]
    assert ids == ["title", "description"]


def test_submitting_the_modal_files_the_ticket_and_links_the_issue(app, client, connector, gitlab):
    set_up_discord(connector)
    response = post_interaction(
        client,
        modal_submit(title="Printer on fire", description="Third floor", category="hardware"),
    )
    answer = response.get_json()
    assert answer["type"] == 4
    assert answer["data"]["flags"] == EPHEMERAL
    assert answer["data"]["allowed_mentions"] == {"parse": []}
    [issue] = gitlab.issues[GITLAB_PROJECT_ID]
    assert issue["title"] == "[Hardware] Printer on fire"
    assert "hardware" in issue["labels"]
    assert f"is filed as #{issue['iid']}" in answer["data"]["content"]
    assert issue["web_url"] in answer["data"]["content"]


def test_a_ticket_from_discord_records_the_member_as_reporter(app, client, connector):
    set_up_discord(connector)
    post_interaction(client, modal_submit(title="Printer on fire"))
    [ticket] = tickets()
    assert (ticket.reporter_source, ticket.reporter_id, ticket.reporter_name) == (
        "discord",
        MEMBER["id"],
        MEMBER["global_name"],
    )
    assert ticket.created_by_id is None


def test_the_audit_log_names_the_discord_member(app, client, connector, admin_client):
    set_up_discord(connector)
    post_interaction(client, modal_submit(title="Printer on fire"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ticket.create"))
    assert entry.details["reporter"] == f"Discord user Ana B ({MEMBER['id']})"
    assert entry.details["via"] == "discord"
    page = admin_client.get("/audit").get_data(as_text=True)
    assert f"Discord user Ana B ({MEMBER['id']})" in page


def test_the_ticket_page_and_the_api_show_the_reporter(app, client, connector, admin_client):
    from webapp.services.tokens import create_token

    set_up_discord(connector)
    post_interaction(client, modal_submit(title="Printer on fire"))
    [ticket] = tickets()
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f'reported by <span data-testid="reporter">Discord user Ana B ({MEMBER["id"]})' in page
    key = create_token(None, ticket_owner(), "api")[1]
    body = client.get(
        f"/api/v2/tickets/{ticket.id}", headers={"Authorization": f"Token {key}"}
    ).get_json()
    assert body["reporter"] == {"source": "discord", "id": MEMBER["id"], "name": "Ana B"}


def ticket_owner():
    from tests.factories import ADMIN_EMAIL
    from webapp.models import User

    return db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))


def test_the_same_interaction_delivered_twice_files_one_ticket(app, client, connector, gitlab):
    set_up_discord(connector)
    payload = modal_submit(title="Printer on fire")
    first = post_interaction(client, payload).get_json()
    again = post_interaction(client, payload).get_json()
    assert len(tickets()) == 1
    assert len(gitlab.issues[GITLAB_PROJECT_ID]) == 1
    assert again["data"]["content"] == first["data"]["content"]


def test_an_unknown_category_files_nothing_and_lists_the_categories(app, client, connector):
    set_up_discord(connector)
    answer = post_interaction(client, modal_submit(title="Hi", category="Plumbing")).get_json()
    assert answer["data"]["content"] == (
        "There is no category “Plumbing”. Use one of: Hardware, Gitlab Account."
    )
    assert tickets() == []


def test_a_blank_title_files_nothing_and_says_why(app, client, connector):
    set_up_discord(connector)
    answer = post_interaction(client, modal_submit(title="  ")).get_json()
    assert answer["data"]["content"] == "Your ticket was not filed. Title: This field is required."
    assert tickets() == []


def test_a_disabled_connector_files_nothing_and_says_why(app, client, connector):
    from webapp.services.connectors import set_disabled

    set_up_discord(connector)
    set_disabled(None, connector, True)
    content = post_interaction(client, modal_submit(title="Hi")).get_json()["data"]["content"]
    assert content.startswith("Your ticket was not filed. Connector: ")
    assert "disabled" in content
    assert tickets() == []


def test_when_the_tracker_is_down_the_ticket_is_stored_and_will_be_retried(app, client):
    down = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    set_up_discord(down)
    answer = post_interaction(client, modal_submit(title="Printer on fire")).get_json()
    [ticket] = tickets()
    assert ticket.status == "failed" and ticket.next_attempt_at is not None
    assert answer["data"]["content"] == (
        f"Ticket {ticket.id} is stored, but the tracker did not take it yet; it will be retried."
    )


def test_a_member_without_an_allowed_role_is_refused_politely_and_nothing_is_filed(
    app, client, connector, gitlab
):
    set_up_discord(connector)
    for payload in (command("ticket", roles=[OTHER_ROLE]), modal_submit(roles=[], title="Hi")):
        answer = post_interaction(client, payload).get_json()
        assert answer["type"] == 4 and answer["data"]["flags"] == EPHEMERAL
        assert answer["data"]["content"].startswith("Sorry, you cannot use the service desk")
    assert tickets() == []
    assert gitlab.issues[GITLAB_PROJECT_ID] == []


def test_with_no_allowed_roles_set_nobody_may_file(app, client, connector):
    set_up_discord(connector, roles=())
    answer = post_interaction(client, modal_submit(title="Hi")).get_json()
    assert answer["data"]["content"].startswith("Sorry, you cannot use the service desk")
    assert tickets() == []


def test_a_channel_mapping_wins_over_its_server_and_the_default(app, client, connector, gitlab):
    server_connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    channel_connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    set_up_discord(
        connector,
        routes=[("guild", GUILD, server_connector), ("channel", CHANNEL, channel_connector)],
    )
    post_interaction(client, modal_submit(title="From the mapped channel"))
    post_interaction(client, modal_submit(title="From another channel", channel="1999"))
    by_title = {ticket.title: ticket.connector_id for ticket in tickets()}
    assert by_title == {
        "From the mapped channel": channel_connector.id,
        "From another channel": server_connector.id,
    }


def test_without_any_connector_for_the_server_nothing_is_filed(app, client):
    set_up_discord(None)
    answer = post_interaction(client, command("ticket")).get_json()
    assert answer["data"]["content"].startswith("No service desk connector is set")
