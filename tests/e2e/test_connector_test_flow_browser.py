"""Testing and saving connectors, with JavaScript on and off: every button does what it says,
and after a test the whole page agrees with the result."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import JIRA_E2E_TOKEN, JIRA_USER
from tests.e2e.test_connection_test_browser import fill_jira_form
from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector, make_user
from tests.support.browser_fixtures import js_on_and_off
from webapp.extensions import db


def jira_connector(jira, **changes) -> int:
    """A saved connector to the fake Jira; its id (the live server loads its own copy)."""
    params = {
        "issue_tracker_server": jira.host_port,
        "issue_tracker_method": "http",
        "issue_tracker_user": JIRA_USER,
        "issue_tracker_pass": JIRA_E2E_TOKEN,
        **changes,
    }
    connector = make_connector("jira", name="Jira (fake)", **params)
    return connector.id


def disable(connector_id: int) -> None:
    from webapp.models import Connector

    db.session.get(Connector, connector_id).disabled = True
    db.session.commit()


def expect_stored_secret_works(page, connector_id: int) -> None:
    """Testing the saved connector proves the secret typed on the form was saved."""
    page.goto(f"/connectors/{connector_id}")
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Connection works.")


def connector_id_from(url: str) -> int:
    return int(re.search(r"/connectors/(\d+)$", url).group(1))


@js_on_and_off
def test_create_after_testing_saves_what_was_tested(page, admin, jira, screenshot):
    log_in(page)
    fill_jira_form(page, jira, JIRA_E2E_TOKEN)
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Connection works.")
    # Without JavaScript this is a new page: it still holds everything typed, secret included.
    expect(page.locator("input[name=name]")).to_have_value("Jira (fake)")
    expect(page.locator("input[name=issue_tracker_pass]")).to_have_value(JIRA_E2E_TOKEN)
    screenshot("tested")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("Connector “Jira (fake)” created.")
    expect_stored_secret_works(page, connector_id_from(page.url))
    assert page.console_errors == []


@js_on_and_off
def test_save_changes_after_testing_an_edit(page, admin, jira, screenshot):
    connector_id = jira_connector(jira, issue_tracker_pass="SECRET-outdated-token")
    log_in(page)
    page.goto(f"/connectors/{connector_id}/edit")
    page.fill("input[name=name]", "Jira renamed")
    page.fill("input[name=issue_tracker_pass]", JIRA_E2E_TOKEN)
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Connection works.")
    expect(page.locator("input[name=issue_tracker_pass]")).to_have_value(JIRA_E2E_TOKEN)
    screenshot("tested")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("Connector “Jira renamed” saved.")
    expect_stored_secret_works(page, connector_id)
    assert page.console_errors == []


@js_on_and_off
def test_edit_test_with_a_blank_secret_never_puts_the_stored_one_in_the_page(page, admin, jira):
    connector_id = jira_connector(jira)
    log_in(page)
    page.goto(f"/connectors/{connector_id}/edit")
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Connection works.")
    expect(page.locator("input[name=issue_tracker_pass]")).to_have_value("")
    assert JIRA_E2E_TOKEN not in page.content()
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("saved")
    expect_stored_secret_works(page, connector_id)


@js_on_and_off
def test_a_test_replaces_the_errors_of_an_earlier_save(page, admin, jira, screenshot):
    log_in(page)
    fill_jira_form(page, jira, "")
    page.fill("input[name=name]", "")
    page.get_by_test_id("save").click()
    name_errors = page.locator("[data-field=name] .invalid-feedback")
    expect(name_errors).to_have_text("This field is required.")
    expect(page.get_by_test_id("form-error-summary")).to_be_visible()

    # Name and password filled in, but the server emptied: only the server is wrong now.
    page.fill("input[name=name]", "Jira (fake)")
    page.fill("input[name=issue_tracker_pass]", JIRA_E2E_TOKEN)
    page.fill("input[name=issue_tracker_server]", "")
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-errors")).to_contain_text("Server")
    expect(name_errors).to_have_count(0)
    expect(page.locator("input[name=name]")).not_to_have_class(re.compile("is-invalid"))
    expect(page.locator("input[name=issue_tracker_server]")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("[data-field=issue_tracker_server] .invalid-feedback")).to_be_visible()
    screenshot("server-missing")

    page.fill("input[name=issue_tracker_server]", jira.host_port)
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Connection works.")
    expect(page.get_by_test_id("form-error-summary")).to_have_count(0)
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    expect(page.locator(".is-invalid")).to_have_count(0)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("created")
    assert page.console_errors == []


@js_on_and_off
def test_the_header_badge_and_last_check_follow_a_test(page, admin, jira, screenshot):
    connector_id = jira_connector(jira, issue_tracker_pass="SECRET-rotated-elsewhere")
    log_in(page)
    page.goto(f"/connectors/{connector_id}")
    expect(page.get_by_test_id("health")).to_have_text("not tested")
    expect(page.get_by_test_id("last-check")).to_contain_text("never")
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Authenticate failed.")
    expect(page.get_by_test_id("health")).to_have_text("failing: authenticate")
    expect(page.get_by_test_id("last-check")).not_to_contain_text("never")
    screenshot("failing")
    page.goto("/connectors/")
    expect(page.get_by_test_id("health")).to_have_text("failing: authenticate")
    assert page.console_errors == []


@js_on_and_off
def test_a_disabled_connector_offers_enable_instead_of_a_test(page, admin, jira, screenshot):
    connector_id = jira_connector(jira)
    disable(connector_id)
    log_in(page)
    page.goto(f"/connectors/{connector_id}")
    expect(page.get_by_test_id("test-connection")).to_have_count(0)
    expect(page.get_by_text("This connector is disabled")).to_have_count(1)
    screenshot("detail")
    page.get_by_test_id("enable").click()
    expect(page.locator(".alert-success")).to_contain_text("enabled")
    expect(page.get_by_test_id("disabled-notice")).to_have_count(0)
    expect(page.get_by_test_id("health")).to_have_text("not tested")
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_test_id("check-summary")).to_contain_text("Connection works.")

    page.get_by_test_id("disable").click()
    expect(page.locator(".alert-success")).to_contain_text("disabled")
    page.goto("/connectors/?q=Jira")
    row = page.get_by_test_id("connector-row")
    expect(row.get_by_test_id("health")).to_have_text("disabled")
    expect(row.get_by_test_id("test-row")).to_have_count(0)
    screenshot("list")
    row.get_by_test_id("enable-row").click()
    expect(page.locator(".alert-success")).to_contain_text("enabled")
    expect(page).to_have_url(re.compile(r"/connectors/\?q=Jira$"))
    expect(row.get_by_test_id("health")).to_have_text("healthy")
    expect(row.get_by_test_id("test-row")).to_be_visible()
    assert page.console_errors == []


@js_on_and_off
def test_a_viewer_just_sees_that_a_connector_is_disabled(page, admin, jira):
    connector_id = jira_connector(jira)
    disable(connector_id)
    make_user("viewer@example.com", role="viewer")
    log_in(page, "viewer@example.com")
    page.goto(f"/connectors/{connector_id}")
    expect(page.get_by_test_id("disabled-notice")).to_contain_text("This connector is disabled")
    expect(page.get_by_test_id("enable")).to_have_count(0)
    expect(page.get_by_test_id("test-connection")).to_have_count(0)
    page.goto("/connectors/")
    expect(page.get_by_test_id("connector-row").get_by_role("button")).to_have_count(0)
