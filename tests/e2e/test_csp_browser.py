"""The main pages run under the Content-Security-Policy without a single violation."""

from playwright.sync_api import expect

from tests.factories import ADMIN_EMAIL, PASSWORD, make_connector
from tests.fakes import refused_address

# Runs before any page script; Playwright's init scripts are not subject to the CSP.
COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def log_in(page):
    page.goto("/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("You are logged in.")


def test_main_pages_cause_no_csp_violation(page, admin):
    connector = make_connector(
        "jira", name="Ops Jira", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(page)
    visited = {}
    for path in (
        "/",
        "/connectors/",
        "/connectors/new",
        "/connectors/new/jira",
        f"/connectors/{connector.id}",
        f"/connectors/{connector.id}/edit",
        "/tickets/",
        "/users",
        "/account",
        "/audit",
        "/api/docs",
    ):
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        visited[path] = page.evaluate("window.cspViolations")
    # htmx swaps in a connection test result: it must not inject inline styles either.
    page.goto(f"/connectors/{connector.id}")
    page.get_by_role("button", name="Test connection").first.click()
    expect(page.locator("[data-stage=reach]").first).to_be_visible()
    visited["htmx test"] = page.evaluate("window.cspViolations")
    assert visited == dict.fromkeys(visited, [])
    assert page.console_errors == []


def test_the_policy_really_blocks_inline_styles(page, admin):
    """A control: the listener above would see a violation if a template had one."""
    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(page)
    page.evaluate("""document.body.insertAdjacentHTML('beforeend', '<p style="color:red">')""")
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.cspViolations")[0].startswith("style-src")
