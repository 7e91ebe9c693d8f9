"""The API reference (/api/docs) in a real browser: Swagger UI renders every operation of
the app's OpenAPI document, offline and under the strict CSP, and its requests work."""

from playwright.sync_api import expect

from tests.e2e.test_csp_browser import COLLECT_VIOLATIONS
from tests.factories import make_connector
from tests.support.browser import PHONE, log_in, new_page
from webapp.api.openapi import openapi
from webapp.web.security_headers import CONTENT_SECURITY_POLICY

METHODS = ("get", "post", "put", "patch", "delete")


def test_the_reference_renders_every_operation(page, app, admin, live_server, screenshot):
    document = openapi()
    expected = sorted(
        (method, "/api/v2" + path)
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    )
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else elsewhere.append(r.url),
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(page)
    response = page.goto("/api/docs")
    # The docs page needs no relaxation of the policy every other page has.
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    listing = page.locator(".opblock-summary-path[data-path='/api/v2/connectors/issue-tracker/']")
    expect(listing).to_have_count(2)  # GET (list) and POST (create)
    operations = page.locator(".opblock")
    expect(operations).to_have_count(len(expected))
    shown = sorted(
        (
            block.locator(".opblock-summary-method").inner_text().lower(),
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in operations.all()
    )
    assert shown == expected
    # An operation opens with its parameters and responses, like a reference should.
    page.locator("#operations-default-listConnectors .opblock-summary-control").click()
    details = page.locator("#operations-default-listConnectors")
    expect(details.locator(".parameters")).to_contain_text("system")
    expect(details.locator(".responses-table")).to_contain_text("401")
    screenshot("reference")
    assert page.evaluate("window.cspViolations") == []
    assert page.console_errors == []
    assert elsewhere == []


def test_try_it_out_calls_the_api_with_a_token(page, app, admin, live_server):
    from webapp.services.tokens import create_token

    make_connector("gitlab", name="Docs example")
    key = create_token(admin, admin, "docs page")[1]
    page.add_init_script(COLLECT_VIOLATIONS)
    log_in(page)
    page.goto("/api/docs")
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").fill(f"Token {key}")
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".auth-btn-wrapper button.btn-done").click()
    operation = page.locator("#operations-default-listConnectors")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".request-url")).to_contain_text(
        f"{live_server.url}/api/v2/connectors/issue-tracker/"
    )
    result = operation.locator(".live-responses-table tbody")
    expect(result.locator(".response-col_status")).to_have_text("200")
    expect(result).to_contain_text("Docs example")
    assert page.evaluate("window.cspViolations") == []


def test_the_reference_fits_a_phone_with_every_operation_open(browser, app, admin, live_server):
    page = new_page(browser, live_server.url, PHONE)
    log_in(page)
    page.goto("/api/docs")
    summaries = page.locator(".opblock-summary-control")
    expect(summaries.first).to_be_visible()
    for summary in summaries.all():
        summary.click()
    page.get_by_role("button", name="Schemas").click()
    for model in page.locator(".models .model-box-control").all():
        model.click()
    expect(page.locator(".opblock-body")).to_have_count(summaries.count())
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("window.cspViolations") == []
    page.context.close()
