"""The audit log on a phone: every column of every entry is on screen, targets are links."""

from playwright.sync_api import expect

from tests.e2e.test_layout_browser import showcase
from tests.support.browser import PHONE, log_in, new_page


def test_every_column_is_on_screen_on_a_phone(browser, live_server, admin, gitlab):
    showcase(admin, gitlab)
    page = new_page(browser, live_server.url, PHONE)
    log_in(page)
    page.goto("/audit")
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_be_visible()
    for row in rows.all()[:8]:
        row.scroll_into_view_if_needed()
        for cell in row.locator("td").all():
            if not cell.inner_text().strip():
                continue  # an entry without details
            box = cell.bounding_box()
            assert box is not None and box["width"] > 0, cell.inner_html()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    created = page.locator("[data-action='connector.create'] [data-testid=audit-target] a").first
    name = created.inner_text()
    created.click()
    expect(page.locator("h1")).to_contain_text(name.split(" ", 2)[2])
    page.context.close()
