"""The Discord page: settings (the bot token write-only), mappings, and set-up steps."""

from __future__ import annotations

from sqlalchemy import select, text

from tests.factories import PASSWORD, make_connector, make_user
from tests.fakes.discord import BOT_TOKEN
from tests.support.discord import ALLOWED_ROLE, APPLICATION_ID, PUBLIC_KEY, set_up_discord
from webapp.extensions import db
from webapp.models import AuditEntry, DiscordRoute
from webapp.services.connectors import CHOICES_PER_PAGE
from webapp.services.discord.settings import bot_token, integration

URL = "/integrations/discord"


def settings_form(default, **changes) -> dict:
    return {
        "application_id": APPLICATION_ID,
        "public_key": PUBLIC_KEY,
        "bot_token": BOT_TOKEN,
        "allowed_role_ids": f"{ALLOWED_ROLE}\n1200000000000000003",
        "connector": str(default.id),
        **changes,
    }


def test_the_page_shows_the_endpoint_url_and_the_set_up_steps(admin_client):
    page = admin_client.get(URL).get_data(as_text=True)
    assert (
        '<code data-testid="endpoint-url">http://localhost/integrations/discord/interactions</code>'
        in page
    )
    assert "Interactions Endpoint URL" in page
    assert "flask discord register-commands" in page


def test_without_allowed_roles_the_page_says_nobody_can_use_the_commands(admin_client):
    page = admin_client.get(URL).get_data(as_text=True)
    assert 'data-testid="no-roles"' in page
    assert "Nobody can use the commands yet" in page


def test_saving_the_settings_stores_them_with_an_audit_entry(admin_client, connector):
    response = admin_client.submit(URL, settings_form(connector))
    assert response.status_code == 302
    row = integration()
    assert row.allowed_role_ids == [ALLOWED_ROLE, "1200000000000000003"]
    assert row.default_connector_id == connector.id and bot_token(row) == BOT_TOKEN
    page = admin_client.get(URL).get_data(as_text=True)
    assert "Discord settings saved." in page and 'data-testid="no-roles"' not in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "discord.configure"))
    assert sorted(entry.details["changed"]) == [
        "allowed_role_ids",
        "application_id",
        "bot_token",
        "default_connector_id",
        "public_key",
    ]


def test_the_bot_token_is_never_shown_logged_audited_or_stored_in_plaintext(
    admin_client, connector, caplog
):
    admin_client.submit(URL, settings_form(connector))
    page = admin_client.get(URL).get_data(as_text=True)
    audit = admin_client.get("/audit").get_data(as_text=True)
    assert BOT_TOKEN not in page and BOT_TOKEN not in audit and BOT_TOKEN not in caplog.text
    assert "A token is stored." in page
    stored = db.session.execute(text("select * from discord_integrations")).all()
    assert BOT_TOKEN not in repr(stored)


def test_a_blank_bot_token_keeps_the_stored_one(admin_client, connector):
    admin_client.submit(URL, settings_form(connector))
    admin_client.submit(URL, settings_form(connector, bot_token=""))
    assert bot_token(integration()) == BOT_TOKEN


def test_wrong_values_are_shown_on_their_fields_and_nothing_is_saved(admin_client, connector):
    response = admin_client.submit(
        URL,
        settings_form(
            connector,
            application_id="my app",
            public_key="12" * 31,
            allowed_role_ids="moderators",
            connector="999999",
        ),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Use the Application ID from Discord" in page
    assert "Use 64 hexadecimal digits (62 given)." in page
    assert "Not Discord role ids: moderators." in page
    assert "This connector no longer exists; pick another." in page
    assert BOT_TOKEN not in page  # not even echoed back into the password field
    assert integration() is None


def test_the_default_connector_picker_lists_one_page_and_searches(admin_client, app):
    for number in range(CHOICES_PER_PAGE + 5):
        make_connector("gitlab", name=f"Desk {number:02}")
    page = admin_client.get(URL).get_data(as_text=True)
    assert page.count('data-testid="connector-choice"') == CHOICES_PER_PAGE
    assert 'data-testid="more-choices"' in page
    found = admin_client.get(URL + "?connector_q=Desk 07").get_data(as_text=True)
    assert found.count('data-testid="connector-choice"') == 1


def test_a_server_mapping_is_added_and_removed_with_confirmation(admin_client, connector):
    set_up_discord(connector)
    response = admin_client.submit(
        URL + "/mappings/new",
        {"kind": "guild", "discord_id": "1300000000000000003", "connector": str(connector.id)},
    )
    assert response.status_code == 302
    [route] = db.session.scalars(select(DiscordRoute)).all()
    page = admin_client.get(URL).get_data(as_text=True)
    assert "<code>1300000000000000003</code>" in page and "Mapping added." in page
    confirm = admin_client.get(f"{URL}/mappings/{route.id}/delete").get_data(as_text=True)
    assert "Remove the mapping of server 1300000000000000003?" in confirm
    assert admin_client.submit(f"{URL}/mappings/{route.id}/delete").status_code == 302
    assert db.session.scalars(select(DiscordRoute)).all() == []
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {"discord.route_add", "discord.route_delete"} <= set(actions)


def test_a_mapping_with_a_bad_id_or_twice_is_refused_on_its_field(admin_client, connector):
    set_up_discord(connector, routes=[("channel", "1400000000000000004", connector)])
    for discord_id, message in (
        ("general", "Use the id Discord copies"),
        ("1400000000000000004", "This channel is mapped already."),
    ):
        response = admin_client.submit(
            URL + "/mappings/new",
            {"kind": "channel", "discord_id": discord_id, "connector": str(connector.id)},
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert len(db.session.scalars(select(DiscordRoute)).all()) == 1


def test_viewers_may_not_see_or_change_the_discord_settings(client, auth, connector):
    viewer = make_user(role="viewer")
    auth.login(viewer.email, PASSWORD)
    assert client.get(URL).status_code == 403
    assert client.submit(URL, settings_form(connector)).status_code == 403
    assert integration() is None
