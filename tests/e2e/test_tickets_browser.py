"""Raising a ticket in a real browser, with the live title preview, and following its link."""

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import SERVICE_DESK_CATEGORIES, make_connector


def test_create_a_ticket_and_follow_its_link(page, admin, gitlab, screenshot):
    make_connector(
        "gitlab",
        name="Desk",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        title_format="$title (ticket $ticket_id)",
    )
    log_in(page)
    page.goto("/tickets/new")
    page.fill("input[name=title]", "Broken keyboard")
    expect(page.get_by_test_id("title-preview")).to_have_text("Broken keyboard (ticket #id)")
    page.fill("textarea[name=description]", "Keys stick.")
    screenshot("form")
    page.get_by_test_id("create-ticket").click()
    flash = page.locator(".alert-success").first
    expect(flash).to_contain_text("Ticket created on the tracker.")
    link = page.get_by_test_id("tracker-link").get_by_role("link")
    expect(link).to_have_text("#1")
    screenshot("ticket")
    with page.expect_popup() as popup:
        link.click()
    assert popup.value.url == gitlab.issues[7][0]["web_url"]
    assert gitlab.issues[7][0]["title"].startswith("Broken keyboard (ticket ")
    assert page.console_errors == []


def test_the_title_preview_leaves_out_the_brackets_of_no_category(page, admin, gitlab):
    make_connector(
        "gitlab",
        name="Desk",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        title_format="[$category] $title",
        categories=SERVICE_DESK_CATEGORIES[:1],
    )
    log_in(page)
    page.goto("/tickets/new")
    page.fill("input[name=title]", "Broken keyboard")
    expect(page.get_by_test_id("title-preview")).to_have_text("Broken keyboard")
    page.select_option("[data-category-input]", "Hardware")
    expect(page.get_by_test_id("title-preview")).to_have_text("[Hardware] Broken keyboard")
    assert page.console_errors == []
