from playwright.sync_api import expect

from tests.factories import ADMIN_EMAIL, PASSWORD


def test_admin_logs_in_sees_dashboard_and_logs_out(page, admin, screenshot):
    page.goto("/")
    expect(page).to_have_url("/login?next=%2F")
    screenshot("login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page.get_by_test_id("empty-state")).to_contain_text("No connectors yet")
    expect(page.locator(".alert-success")).to_contain_text("You are logged in.")
    screenshot("dashboard")
    page.get_by_test_id("logout").click()
    expect(page.locator(".alert-info")).to_contain_text("You are logged out.")
    expect(page).to_have_url("/login")
    screenshot("logged-out")
    assert page.console_errors == []


def test_wrong_password_shows_the_generic_message(page, admin):
    page.goto("/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", "not the password")
    page.click("input[type=submit]")
    expect(page.locator(".alert-danger")).to_have_text("Invalid e-mail or password.")
