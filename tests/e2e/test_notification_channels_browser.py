"""A notification channel set up in a real browser: the connector picker finds one among
many (typeahead with JavaScript, the Search button without), and the test button works."""

from playwright.sync_api import expect
from sqlalchemy import select

from benchmarks.seeding import seed_connectors
from tests.e2e.test_connectors_browser import log_in
from tests.support.browser_fixtures import js_on_and_off
from webapp.extensions import db
from webapp.models import Connector, Notification, NotificationChannel
from webapp.services.connectors import CHOICES_PER_PAGE


@js_on_and_off
def test_a_channel_for_one_connector_among_many(page, admin, request):
    javascript = request.node.callspec.params["page"]
    seed_connectors(CHOICES_PER_PAGE + 10)
    wanted = db.session.scalar(select(Connector).where(Connector.name == "conn 00027"))
    log_in(page)
    page.goto("/notifications/new")
    page.get_by_label("Name").fill("Support room")
    page.get_by_label("Only these connectors").check()
    search = page.get_by_test_id("connector-search")
    search.fill("00027")
    if javascript:
        search.press("Enter")  # searches; does not submit the form
    else:
        page.get_by_test_id("connector-search-button").click()
    option = page.get_by_test_id("connector-select").locator(f"option[value='{wanted.id}']")
    expect(option).to_have_count(1)
    expect(page.get_by_test_id("connector-choice")).to_have_count(1)
    page.get_by_test_id("connector-select").select_option(str(wanted.id))
    page.get_by_label("Apprise URL").fill("json://127.0.0.1:9/browser-hook")
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("masked-url")).to_have_text("json://****")
    channel = db.session.scalar(select(NotificationChannel))
    assert [c.id for c in channel.connectors] == [wanted.id]
    assert not channel.all_connectors

    page.get_by_test_id("send-test").click()
    expect(page.get_by_test_id("notification-row")).to_have_count(1)
    assert db.session.scalar(select(Notification)).event == "channel.test"
    assert page.console_errors == []
