"""Every page at desktop and phone width: nothing scrolls sideways, nothing breaks the CSP.

The walk takes every GET page from the URL map (a new page is walked without anyone
adding it here), filled with realistic rows: connectors of every system with long names
and hosts, tickets in each state, users, tokens and a busy audit log. Each page is saved
as a screenshot at both widths under tests/artifacts/screenshots/pages/ for people to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from flask import Flask, url_for
from playwright.sync_api import Page, expect

from tests.factories import make_connector, make_user
from tests.fakes import refused_address
from tests.support.browser import DESKTOP, PHONE, log_in, new_page
from tests.support.browser_fixtures import SCREENSHOTS
from tests.support.connector_data import api_params
from tests.support.routes import get_rules
from webapp.models import User

#: GET endpoints that answer something other than a page (JSON, CSV, a health probe, the
#: pickers' <option> fragment).
NOT_PAGES = {
    "audit.export",
    "connectors.choices",
    "connectors.ticket_choices",  # an htmx fragment under a field
    "tickets.required_fields_part",  # an htmx fragment of the ticket form
    "connectors.system_schema",
    "health.healthz",
    "metrics.metrics",
}
#: Blueprints whose GET routes are not pages (the API answers JSON to tokens).
NOT_PAGE_BLUEPRINTS = {"api"}
SHOTS = SCREENSHOTS / "pages"
#: Cards whose content is wider than the card (it spills over the card's border).
OVERFLOWING_CARDS = """
[...document.querySelectorAll(".card")]
  .filter((card) => card.scrollWidth > card.clientWidth + 1)
  .map((card) => card.textContent.trim().slice(0, 40))
"""


@dataclass
class Showcase:
    """The rows the walk fills URL arguments with."""

    connector_ids: list[int] = field(default_factory=list)
    ticket_ids: list[int] = field(default_factory=list)
    channel_ids: list[int] = field(default_factory=list)
    route_ids: list[int] = field(default_factory=list)


def showcase(admin: User, gitlab) -> Showcase:
    """Realistic data: what an admin sees after a few weeks of use."""
    from webapp.services.connection_tests import test_saved, test_unsaved
    from webapp.services.delivery import deliver
    from webapp.services.discord.settings import DiscordChanges, add_route, configure
    from webapp.services.notification_channels import ChannelChanges, create_channel
    from webapp.services.tickets import TicketRequest, create_ticket
    from webapp.services.tokens import create_token

    rows = Showcase()
    make_user("security.operations.team-lead@platform-engineering.example.com", role="viewer")
    make_user("former.contractor@example.org", role="admin", active=False)
    create_token(admin, admin, "CI pipeline (nightly sync of findings)")
    delivered = make_connector(
        "gitlab",
        name="GitLab — platform team production issues",
        actor=admin,
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
    )
    down = make_connector(
        "github",
        name="GitHub octo-org/hello-world",
        actor=admin,
        issue_tracker_server=refused_address(),
        issue_tracker_method="http",
    )
    jira = make_connector(
        "jira",
        name="Jira Cloud OPS (security findings, priority triage)",
        actor=admin,
        issue_tracker_server="security-findings-tracker.eu-central.atlassian.example.net",
    )
    rt = make_connector("rt", name="Request Tracker General queue", actor=admin)
    rows.connector_ids = [delivered.id, down.id, jira.id, rt.id]
    test_saved(admin, delivered)
    test_saved(admin, down)
    draft = {**api_params("gitlab"), "issue_tracker_server": refused_address()}
    test_unsaved(admin, "gitlab", "Draft", draft)
    sent = create_ticket(
        admin,
        TicketRequest(
            connector_id=delivered.id,
            title="SQL injection in the search endpoint of the customer portal (CVE pending)",
            description="Steps to reproduce:\n1. Open /search\n2. Type ' OR 1=1 --",
        ),
    )[0]
    deliver(sent.id, admin)
    failed = create_ticket(
        admin, TicketRequest(connector_id=down.id, title="Outdated TLS configuration")
    )[0]
    deliver(failed.id, admin)
    pending = create_ticket(
        admin, TicketRequest(connector_id=jira.id, title="Rotate the shared deploy key")
    )[0]
    rows.ticket_ids = [sent.id, failed.id, pending.id]
    rows.channel_ids = [
        create_channel(
            admin,
            ChannelChanges(
                name="Security team on Discord (#appsec-alerts, escalations only)",
                url="discord://1234567890/abcdefghijklmnopqrstuvwxyz0123456789",
                events=["issue.closed", "ticket.delivery_failed"],
                all_connectors=False,
                connector_ids=[delivered.id, jira.id],
            ),
        ).id
    ]
    configure(admin, DiscordChanges("1234567890", "ab" * 32, delivered.id))
    rows.route_ids = [add_route(admin, "channel", "998877665544332211", jira.id).id]
    return rows


def page_urls(app: Flask, rows: Showcase) -> dict[str, str]:
    """A name and URL for every GET page of the app, each argument filled from ``rows``."""
    from webapp.services.systems import registry

    values = {
        "connector_id": rows.connector_ids,
        "ticket_id": rows.ticket_ids,
        "system_id": [system.id for system in registry().all()],
        "channel_id": rows.channel_ids,
        "route_id": rows.route_ids,
        "number": [1],  # every connector has version 1
    }
    urls = {}
    with app.test_request_context():
        for rule in get_rules(app):
            blueprint = rule.endpoint.partition(".")[0]
            if rule.endpoint in NOT_PAGES or blueprint in NOT_PAGE_BLUEPRINTS:
                continue
            (argument, *more) = sorted(rule.arguments) or [None]
            if argument is None:
                urls[rule.endpoint] = url_for(rule.endpoint)
                continue
            unknown = [name for name in (argument, *more) if name not in values]
            assert not unknown, f"{rule.endpoint}: teach page_urls about {unknown}"
            # Each value of the first argument; the others take their first value.
            fixed = {name: values[name][0] for name in more}
            for value in values[argument]:
                url = url_for(rule.endpoint, **{argument: value}, **fixed)
                urls[f"{rule.endpoint}-{value}"] = url
    urls["not-found"] = "/no/such/page"
    return urls


def check(page: Page, name: str, width: int) -> list[str]:
    """Problems of the page on screen: sideways scrolling, overflowing cards, CSP violations."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{name} at {width} px is {scroll_width} px wide")
    for card in page.evaluate(OVERFLOWING_CARDS):
        problems.append(f"{name} at {width} px: content spills out of the card {card!r}")
    problems.extend(f"{name}: CSP {v}" for v in page.evaluate("window.cspViolations"))
    return problems


def walk(page: Page, urls: dict[str, str], width: int) -> list[str]:
    problems = []
    for name, url in urls.items():
        response = page.goto(url)
        assert response is not None and "text/html" in response.headers["content-type"], name
        if "/api/docs" in url:
            expect(page.locator(".opblock").first).to_be_visible()
        problems.extend(check(page, name, width))
    return problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_scrolls_sideways(browser, live_server, app, admin, gitlab, viewport):
    urls = page_urls(app, showcase(admin, gitlab))
    width = viewport["width"]
    page = new_page(browser, live_server.url, viewport)
    problems = walk(page, {"login": "/login", "login-not-found": "/no/such/page"}, width)
    log_in(page)
    problems += walk(page, urls, width)
    viewer = make_user(role="viewer")
    page.context.clear_cookies()
    log_in(page, viewer.email)
    problems += walk(page, {"forbidden": "/users"}, width)
    page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_setup_page_fits(browser, live_server, app, viewport):
    from webapp.services.setup import issue_setup_token

    token = issue_setup_token()
    page = new_page(browser, live_server.url, viewport)
    page.goto(f"/setup?token={token}")
    expect(page.locator("input[name=email]")).to_be_visible()
    problems = check(page, "setup", viewport["width"])
    page.context.close()
    assert not problems, "\n".join(problems)


def test_connector_rows_show_health_and_test_on_a_phone(browser, live_server, admin, gitlab):
    showcase(admin, gitlab)
    page = new_page(browser, live_server.url, PHONE)
    log_in(page)
    page.goto("/connectors/")
    for locator in (page.get_by_test_id("test-row"), page.locator("[id^=health-]")):
        expect(locator).to_have_count(4)
        for box in (element.bounding_box() for element in locator.all()):
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_system_cards_link_to_the_tracker_docs(app, browser, live_server, admin, viewport):
    page = new_page(browser, live_server.url, viewport)
    log_in(page)
    page.goto("/connectors/new")
    links = page.get_by_test_id("system-docs")
    expect(links).to_have_count(len(app.extensions["connector_desk.systems"]))
    for link in links.all():
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        assert box is not None
        # The card's stretched "Use …" link must not cover the docs link.
        on_top = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).dataset.testid",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert on_top == "system-docs"
        assert link.get_attribute("href").startswith("https://")
    page.context.close()


def test_a_long_pager_wraps_instead_of_scrolling_a_phone_sideways(browser, live_server, app, admin):
    """Many pages of connectors: the pager's numbers wrap onto a second line on a phone."""
    app.config["PER_PAGE"] = 1
    for number in range(15):
        make_connector("gitlab", name=f"Desk {number:02}")
    page = new_page(browser, live_server.url, PHONE)
    log_in(page)
    page.goto("/connectors/?page=7")
    expect(page.get_by_role("link", name="Next")).to_be_visible()
    assert check(page, "connectors-page-7", PHONE["width"]) == []
