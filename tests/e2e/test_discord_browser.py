"""The Discord page in a real browser: settings saved with the default connector chosen
among many (typeahead with JavaScript, Search without); the bot token never comes back."""

from playwright.sync_api import expect
from sqlalchemy import select

from benchmarks.seeding import seed_connectors
from tests.e2e.test_connectors_browser import log_in
from tests.fakes.discord import BOT_TOKEN
from tests.support.browser_fixtures import js_on_and_off
from tests.support.discord import ALLOWED_ROLE, APPLICATION_ID, PUBLIC_KEY
from webapp.extensions import db
from webapp.models import Connector
from webapp.services.connectors import CHOICES_PER_PAGE
from webapp.services.discord.settings import integration


@js_on_and_off
def test_an_admin_sets_up_discord_choosing_the_default_connector(page, admin, request):
    javascript = request.node.callspec.params["page"]
    seed_connectors(CHOICES_PER_PAGE + 10)
    wanted = db.session.scalar(select(Connector).where(Connector.name == "conn 00027"))
    log_in(page)
    page.get_by_role("link", name="Discord").click()
    expect(page.get_by_test_id("no-roles")).to_be_visible()
    expect(page.get_by_test_id("endpoint-url")).to_have_text(
        page.url.split("/integrations")[0] + "/integrations/discord/interactions"
    )
    page.wait_for_load_state("load")  # htmx listens from load on; a person types later
    page.get_by_test_id("connector-search").fill("00027")
    if not javascript:  # the page comes back with the matching choices
        page.get_by_test_id("connector-search-button").click()
    expect(page.get_by_test_id("connector-choice")).to_have_count(1)
    page.get_by_test_id("connector-select").select_option(str(wanted.id))
    page.get_by_label("Application ID").fill(APPLICATION_ID)
    page.get_by_label("Public key").fill(PUBLIC_KEY)
    page.get_by_label("Bot token").fill(BOT_TOKEN)
    page.get_by_label("Allowed role ids").fill(ALLOWED_ROLE)
    page.get_by_test_id("save-discord").click()

    expect(page.locator(".alert-success")).to_contain_text("Discord settings saved.")
    expect(page.get_by_test_id("no-roles")).to_have_count(0)
    expect(page.get_by_test_id("connector-select")).to_have_value(str(wanted.id))
    expect(page.get_by_label("Bot token")).to_have_value("")
    assert BOT_TOKEN not in page.content()
    db.session.expire_all()
    assert integration().default_connector_id == wanted.id
    assert page.console_errors == []
