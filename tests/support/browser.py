"""Helpers for browser tests that choose their own window size."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_csp_browser import COLLECT_VIOLATIONS
from tests.factories import ADMIN_EMAIL, PASSWORD

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, email: str = ADMIN_EMAIL) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("You are logged in.")


def new_page(browser: Browser, base_url: str, viewport: dict[str, int]) -> Page:
    """A page in a fresh context of ``viewport``'s size that records CSP violations
    in ``window.cspViolations``."""
    context = browser.new_context(base_url=base_url, viewport=viewport)
    page = context.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    return page
