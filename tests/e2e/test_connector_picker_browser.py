"""The connector picker in a real browser, with JavaScript (typeahead) and without (Search)."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from benchmarks.seeding import seed_connectors
from tests.e2e.test_connectors_browser import log_in
from tests.support.browser_fixtures import js_on_and_off
from webapp.extensions import db
from webapp.models import Connector
from webapp.services.connectors import CHOICES_PER_PAGE


def search_for(page, text: str, javascript: bool, button: str) -> None:
    page.wait_for_load_state("load")  # htmx listens from load on; a person types later
    page.get_by_test_id("connector-search").fill(text)
    if not javascript:  # the page comes back with the matching choices
        page.get_by_role("button", name=button).click()


@js_on_and_off
def test_the_ticket_form_picker_finds_a_connector_among_many(page, admin, request):
    javascript = request.node.callspec.params["page"]
    seed_connectors(CHOICES_PER_PAGE + 10)
    wanted = db.session.scalar(select(Connector).where(Connector.name == "conn 00027"))
    log_in(page)
    page.goto("/tickets/new")
    choices = page.get_by_test_id("connector-choice")
    expect(choices).to_have_count(CHOICES_PER_PAGE)  # one page, and a note that more match
    expect(page.get_by_test_id("more-choices")).to_have_count(1)
    option = page.get_by_test_id("connector-select").locator(f"option[value='{wanted.id}']")
    expect(option).to_have_count(0)

    search_for(page, "CONN 00027", javascript, "Search")
    expect(option).to_have_count(1)
    expect(choices).to_have_count(2)  # the one chosen now, and the match
    page.get_by_test_id("connector-select").select_option(str(wanted.id))
    if not javascript:
        page.get_by_role("button", name="Use this connector").click()
    expect(page.locator("input[name=connector_id]")).to_have_value(str(wanted.id))
    expect(page.get_by_test_id("connector-select")).to_have_value(str(wanted.id))
    assert page.console_errors == []


@js_on_and_off
def test_the_ticket_filter_picker_finds_a_connector_among_many(page, admin, request):
    javascript = request.node.callspec.params["page"]
    seed_connectors(CHOICES_PER_PAGE + 10)
    wanted = db.session.scalar(select(Connector).where(Connector.name == "conn 00027"))
    log_in(page)
    page.goto("/tickets/")
    search_for(page, "00027", javascript, "Filter")
    picker = page.get_by_test_id("connector-select")
    expect(page.get_by_test_id("connector-choice")).to_have_count(1)
    picker.select_option(str(wanted.id))
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"[?&]connector={wanted.id}(&|$)"))
    expect(picker).to_have_value(str(wanted.id))
    assert page.console_errors == []
