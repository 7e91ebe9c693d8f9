"""Test connection in a real browser: htmx shows the staged result under the button."""

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in


def fill_jira_form(page, jira, password):
    page.goto("/connectors/new/jira")
    page.fill("input[name=name]", "Jira (fake)")
    page.fill("input[name=issue_tracker_server]", jira.host_port)
    page.select_option("select[name=issue_tracker_method]", "http")
    page.fill("input[name=issue_tracker_user]", "ops@example.com")
    page.fill("input[name=issue_tracker_pass]", password)
    page.fill("input[name=jira_project_key]", "OPS")


def test_test_connection_shows_each_stage_then_a_failure(page, admin, jira, screenshot):
    log_in(page)
    fill_jira_form(page, jira, "SECRET-jira-token-e2e")
    page.get_by_test_id("test-connection").click()
    result = page.get_by_test_id("check-result")
    expect(result.get_by_test_id("check-summary")).to_contain_text("Connection works.")
    for stage in ("reach", "authenticate", "target", "permission"):
        expect(result.locator(f"[data-stage={stage}]")).to_have_attribute("data-status", "ok")
    # Nothing was saved, and the form still holds what was typed.
    expect(page.locator("input[name=name]")).to_have_value("Jira (fake)")
    screenshot("works")

    page.fill("input[name=issue_tracker_pass]", "SECRET-wrong-password")
    page.fill("input[name=jira_project_key]", "OPS")
    page.get_by_test_id("test-connection").click()
    expect(result.get_by_test_id("check-summary")).to_contain_text("Authenticate failed.")
    expect(result.locator("[data-stage=authenticate]")).to_have_attribute("data-status", "failed")
    expect(result.locator("[data-stage=target]")).to_have_attribute("data-status", "skipped")
    expect(page.locator("body")).not_to_contain_text("SECRET-wrong-password")
    screenshot("auth-failed")

    page.fill("input[name=issue_tracker_pass]", "SECRET-jira-token-e2e")
    page.fill("input[name=jira_project_key]", "NOPE")
    page.get_by_test_id("test-connection").click()
    expect(result.locator("[data-stage=target]")).to_have_attribute("data-status", "failed")
    screenshot("target-failed")
    assert page.console_errors == []


def test_saved_connector_test_updates_the_badge_on_the_list(page, admin, jira, screenshot):
    log_in(page)
    fill_jira_form(page, jira, "SECRET-jira-token-e2e")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("created")
    page.goto("/connectors/")
    expect(page.get_by_test_id("health")).to_have_text("not tested")
    page.get_by_test_id("test-row").click()
    expect(page.get_by_test_id("health")).to_have_text("healthy")
    screenshot("list")
