"""What a new admin sees on the connector form and page, in a real browser."""

from playwright.sync_api import expect

from tests.e2e.test_connectors_browser import log_in
from tests.factories import make_connector
from tests.support.connector_data import JIRA_PASSWORD
from webapp.services import secret_wording


def test_failed_submits_keep_one_empty_category_row(page, admin, screenshot):
    log_in(page)
    page.goto("/connectors/new/gitlab")
    rows = page.get_by_test_id("category-row")
    expect(rows).to_have_count(1)
    page.fill("input[name=name]", "GitLab")
    page.fill("input[name=issue_tracker_server]", "gitlab.example.com")
    for _ in range(3):
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("form-error-summary")).to_be_visible()
        expect(rows).to_have_count(1)
    page.get_by_label("Category 1").fill("Hardware")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-error-summary")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Category 1")).to_have_value("Hardware")
    expect(page.get_by_label("Category 2")).to_have_value("")
    screenshot("categories-after-failed-submit")
    assert page.console_errors == []


def test_detail_page_shows_what_the_form_showed(page, admin, screenshot):
    log_in(page)
    page.goto("/connectors/new/jira")
    expect(page.locator("h1")).to_have_text("New Jira connector")
    tls = page.locator("[data-field=issue_tracker_validate_cert]")
    expect(tls).to_be_visible()
    page.select_option("select[name=issue_tracker_method]", "http")
    expect(tls).to_be_hidden()
    page.fill("input[name=name]", "Jira on http")
    page.fill("input[name=issue_tracker_server]", "jira.internal")
    page.fill("input[name=issue_tracker_user]", "ops")
    page.fill("input[name=issue_tracker_pass]", JIRA_PASSWORD)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("created")
    params = page.get_by_test_id("params")
    expect(params.filter(has_text="Authentication")).to_contain_text(
        "User/email and password or API token"
    )
    expect(params.filter(has_text="Verification status")).to_contain_text(
        "None, Partial, Pass, Fail"
    )
    expect(params.filter(has_text="When both sides changed")).to_contain_text("Issue tracker wins")
    expect(page.locator("main")).not_to_contain_text("Verify TLS")
    expect(page.locator("main")).not_to_contain_text("basic")
    expect(page.locator("main")).not_to_contain_text("JIRA")
    screenshot("jira-detail")
    assert page.console_errors == []


def test_category_columns_and_empty_inputs(page, admin, screenshot):
    log_in(page)
    page.goto("/connectors/new/rt")
    expect(page.get_by_label("Category 1")).to_be_visible()
    expect(page.get_by_label("Label 1")).to_have_count(0)
    expect(page.get_by_test_id("categories")).to_contain_text("Request Tracker has no labels")
    expect(page.get_by_test_id("categories")).not_to_contain_text("Colour")
    screenshot("rt-categories")
    page.goto("/connectors/new/github")
    for name in ("Category 1", "Label 1", "Colour 1"):
        expect(page.get_by_label(name)).to_be_visible()
    # Empty inputs look empty: no example values anywhere on the form.
    expect(page.locator("#connector-form [placeholder]")).to_have_count(0)
    page.goto("/connectors/new/jira")
    expect(page.get_by_label("Label 1")).to_be_visible()
    expect(page.get_by_label("Colour 1")).to_have_count(0)
    assert page.console_errors == []


def test_copy_keeps_stored_secrets_under_the_one_rule(page, admin, screenshot):
    source = make_connector("gitlab", name="Original")
    log_in(page)
    page.goto(f"/connectors/{source.id}/clone")
    token = page.locator("input[name=issue_tracker_api_token]")
    expect(token).to_have_attribute("placeholder", secret_wording.PLACEHOLDER)
    expect(page.locator("[data-field=issue_tracker_api_token]")).to_contain_text(
        secret_wording.STORED_HELP
    )
    expect(page.get_by_test_id("connector-form")).to_contain_text(secret_wording.RULE)
    expect(page.get_by_text("Copy stored secrets")).to_have_count(0)
    screenshot("copy-form")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("created as a copy of “Original”")
    page.get_by_role("link", name="Edit").click()
    page.fill("input[name=issue_tracker_server]", "gitlab.elsewhere.example")
    page.get_by_test_id("save").click()
    field = page.locator("[data-field=issue_tracker_api_token]")
    expect(field).to_contain_text(secret_wording.REENTER_MESSAGE)
    expect(field).not_to_contain_text("leave blank")
    assert token.get_attribute("placeholder") is None
    screenshot("server-changed")
    assert page.console_errors == []


def test_required_fields_are_marked(page, admin, screenshot):
    log_in(page)
    page.goto("/connectors/new/github")
    for name in ("name", "issue_tracker_server", "issue_tracker_api_token", "github_repo_owner"):
        field = page.locator(f"[data-field={name}]")
        expect(field.locator(".text-danger")).to_have_text("*")
        expect(page.locator(f"input[name={name}]")).to_have_attribute("required", "")
    expect(page.locator("[data-field=github_repo_name] .text-danger")).to_have_count(0)
    screenshot("required-markers")
    connector = make_connector("github", name="Stored")
    page.goto(f"/connectors/{connector.id}/edit")
    expect(page.locator("[data-field=issue_tracker_api_token] .text-danger")).to_have_count(0)
    expect(page.locator("[data-field=issue_tracker_server] .text-danger")).to_have_text("*")
    assert page.console_errors == []


def test_changing_the_server_says_enter_it_again_before_saving(page, admin, screenshot):
    connector = make_connector("gitlab", name="Live")
    log_in(page)
    page.goto(f"/connectors/{connector.id}/edit")
    token = page.locator("input[name=issue_tracker_api_token]")
    help_text = page.locator("#issue_tracker_api_token-help")
    expect(token).to_have_attribute("placeholder", secret_wording.PLACEHOLDER)
    expect(help_text).to_contain_text(secret_wording.STORED_HELP)
    page.fill("input[name=issue_tracker_server]", "gitlab.elsewhere.example")
    expect(help_text).to_contain_text(secret_wording.REENTER_MESSAGE)
    expect(help_text).not_to_contain_text("leave blank")
    assert token.get_attribute("placeholder") is None
    screenshot("server-changed-live")
    page.fill("input[name=issue_tracker_server]", "gitlab.example.com/")
    expect(token).to_have_attribute("placeholder", secret_wording.PLACEHOLDER)
    page.select_option("select[name=issue_tracker_method]", "http")
    expect(help_text).to_contain_text(secret_wording.REENTER_MESSAGE)
    assert page.console_errors == []
