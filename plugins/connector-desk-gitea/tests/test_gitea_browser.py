"""The Gitea plugin in a real browser: create a connector, test it, file a ticket."""

from __future__ import annotations

import pytest
from connector_desk_gitea_testing import FakeGitea
from playwright.sync_api import expect

from tests.factories import ADMIN_EMAIL, PASSWORD

TOKEN = "gitea-SECRET-token-7e8f9a"
pytestmark = pytest.mark.browser


@pytest.fixture
def gitea():
    with FakeGitea(token=TOKEN, repos={"ops/desk": {}}) as fake:
        yield fake


def test_an_admin_sets_up_gitea_and_files_a_ticket_in_the_browser(page, admin, gitea, screenshot):
    page.goto("/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.goto("/connectors/new")
    page.get_by_role("link", name="Use Gitea").click()
    page.fill("input[name=name]", "Ops Gitea")
    page.fill("input[name=issue_tracker_server]", gitea.host_port)
    page.select_option("select[name=issue_tracker_method]", "http")
    page.fill("input[name=issue_tracker_api_token]", TOKEN)
    page.fill("input[name=gitea_repo_owner]", "ops")
    page.fill("input[name=gitea_repo_name]", "desk")
    page.fill("input[name='categories-0-name']", "Hardware")
    page.fill("input[name='categories-0-label']", "hardware")
    page.get_by_test_id("test-connection").click()
    expect(page.get_by_text("Signed in as ops-bot")).to_be_visible()
    screenshot("tested")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("created")
    assert TOKEN not in page.content()
    page.goto("/tickets/new")
    page.fill("input[name=title]", "Buying a new screen")
    page.fill("textarea[name=description]", "The one I use is too small.")
    page.select_option("select[name=category]", "Hardware")
    page.get_by_test_id("create-ticket").click()
    expect(page.get_by_text("#1").first).to_be_visible()
    screenshot("ticket")
    (issue,) = gitea.issues["ops/desk"]
    assert [label["name"] for label in issue["labels"]] == ["hardware"]
    assert page.console_errors == []
