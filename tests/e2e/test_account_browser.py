"""The first-admin link, the account page and its navigation in a real browser."""

from playwright.sync_api import expect

from tests.factories import ADMIN_EMAIL, PASSWORD
from webapp.extensions import db
from webapp.models import ApiToken, User
from webapp.services.setup import issue_setup_token

GOOD_PASSWORD = "a long enough pass phrase"


def log_in(page, remember: bool = False):
    page.goto("/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    if remember:
        page.check("input[name=remember]")
    page.click("input[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("You are logged in.")


def test_a_common_password_is_reported_on_its_field_and_the_link_still_works(page, app, screenshot):
    token = issue_setup_token()
    page.goto(f"/setup?token={token}")
    page.fill("input[name=email]", "first@example.com")
    page.fill("input[name=password]", "password1234")
    page.fill("input[name=confirm]", "password1234")
    page.click("input[type=submit]")
    expect(page.locator("[data-field=password] .invalid-feedback")).to_have_text(
        "This password is too common."
    )
    expect(page.locator("[data-field=email] .invalid-feedback")).to_have_count(0)
    screenshot("common-password")
    page.fill("input[name=password]", GOOD_PASSWORD)
    page.fill("input[name=confirm]", GOOD_PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Your administrator account is ready")
    expect(page).to_have_url("/")
    db.session.expire_all()
    assert User.by_email("first@example.com").is_admin


def test_reloading_after_creating_an_api_token_creates_no_second_one(page, admin, screenshot):
    log_in(page)
    page.goto("/account")
    page.fill("input[name=name]", "CI pipeline")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token-value")).to_contain_text("cdk_")
    expect(page).to_have_url("/account#api-tokens")
    screenshot("new-token")
    page.reload()
    expect(page.get_by_test_id("token-list")).to_contain_text("CI pipeline")
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown only once
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1


def test_the_navbar_highlights_the_page_you_are_on(page, admin):
    log_in(page)
    page.goto("/account")
    nav = page.locator("#main-nav")
    expect(nav.locator(".nav-link.active")).to_have_count(1)
    expect(nav.locator(".nav-link.active")).to_have_text(ADMIN_EMAIL)
    expect(nav.get_by_role("link", name="Users")).not_to_have_class("nav-link active")
    page.goto("/users")
    expect(nav.locator(".nav-link.active")).to_have_text("Users")
    expect(nav.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")
    page.goto("/connectors/new")
    expect(nav.locator(".nav-link.active")).to_have_text("Connectors")


def test_log_out_everywhere_ends_the_remembered_login_too(page, admin, browser, live_server):
    log_in(page, remember=True)
    other = browser.new_context(base_url=live_server.url)
    other.add_cookies(
        [c for c in page.context.cookies() if c["name"] in ("session", "remember_token")]
    )
    other_page = other.new_page()
    other_page.goto("/account")
    expect(other_page).to_have_url("/account")
    page.goto("/account")
    page.get_by_test_id("logout-everywhere").click()
    expect(page.locator(".alert-info")).to_contain_text("logged out in every browser")
    other_page.goto("/account")
    expect(other_page).to_have_url("/login?next=%2Faccount")
    other.close()
