"""The audit log page reads as sentences: actions in words, targets linked, unsaved tests named."""

from __future__ import annotations

import ast
import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest

import webapp
from tests.factories import make_connector, make_user
from tests.fakes import refused_address
from tests.support.connector_data import FORM_PARAMS
from webapp.services import audit_log

HTMX = {"HX-Request": "true"}


def rows(page: str) -> list[dict[str, str]]:
    """Each row of the audit table: its action code, cell texts by label, target link."""
    found = []
    for code, body in re.findall(
        r'<tr data-testid="audit-row" data-action="([^"]+)">(.*?)</tr>', page, re.S
    ):
        cells = {
            label: unescape(re.sub(r"<[^>]+>", "", text)).strip()
            for label, text in re.findall(r'data-label="(\w+)"[^>]*>(.*?)</td>', body, re.S)
        }
        link = re.search(r'data-testid="audit-target"><a href="([^"]+)"', body)
        found.append({"code": code, **cells, "link": link.group(1) if link else None})
    return found


def recorded_actions() -> set[str]:
    """Every action code the app's source passes to audit.record()."""
    codes = set()
    for path in Path(webapp.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                codes.update(c.value for c in ast.walk(node.args[0]) if isinstance(c, ast.Constant))
    return codes


def test_every_recorded_action_has_words():
    codes = recorded_actions()
    assert {"connector.create", "connector.test", "ticket.deliver"} <= codes  # the walk works
    assert codes - set(audit_log.ACTION_TEXT) == set()


def test_actions_show_in_words_and_the_filter_keeps_the_codes(admin_client, admin):
    make_connector("gitlab", name="Ops GitLab", actor=admin)
    page = admin_client.get("/audit").get_data(as_text=True)
    created = [row for row in rows(page) if row["code"] == "connector.create"]
    assert [row["Action"] for row in created] == ["Created a connector"]
    assert "<code>connector.create</code>" not in page
    assert '<option value="connector.create">Created a connector</option>' in page
    filtered = admin_client.get("/audit?action=connector.create").get_data(as_text=True)
    assert [row["Target"] for row in rows(filtered)] == [
        f"connector #{created[0]['link'].split('/')[-1]} Ops GitLab"
    ]


def test_an_unknown_action_shows_its_code(admin_client, admin):
    from webapp.extensions import db
    from webapp.services import audit

    audit.record("plugin.frobnicate", admin)
    db.session.commit()
    page = admin_client.get("/audit").get_data(as_text=True)
    assert [row["Action"] for row in rows(page) if row["code"] == "plugin.frobnicate"] == [
        "plugin.frobnicate"
    ]


def test_targets_link_to_their_pages_while_they_exist(admin_client, admin):
    from webapp.services.connectors import delete_connector
    from webapp.services.tickets import TicketRequest, create_ticket

    kept = make_connector("gitlab", name="Kept", actor=admin)
    gone = make_connector("github", name="Gone", actor=admin)
    ticket = create_ticket(admin, TicketRequest(connector_id=kept.id, title="Disk full"))[0]
    viewer = make_user("viewer@example.com", role="viewer")
    delete_connector(admin, gone)
    links = {
        (row["code"], row["Target"]): row["link"]
        for row in rows(admin_client.get("/audit").get_data(as_text=True))
    }
    assert links[("connector.create", f"connector #{kept.id} Kept")] == f"/connectors/{kept.id}"
    assert links[("ticket.create", f"ticket #{ticket.id} Disk full")] == f"/tickets/{ticket.id}"
    assert links[("user.create", f"user #{viewer.id} viewer@example.com")] == (
        f"/users#user-{viewer.id}"
    )
    # A deleted connector has no page: its entries say what it was, without a dead link.
    assert links[("connector.create", f"connector #{gone.id} Gone")] is None
    assert links[("connector.delete", f"connector #{gone.id} Gone")] is None
    users_page = admin_client.get("/users").get_data(as_text=True)
    assert f'id="user-{viewer.id}"' in users_page


def test_a_test_of_unsaved_settings_names_what_was_tested(admin_client, admin):
    form = {
        "name": "Draft",
        **FORM_PARAMS["gitlab"],
        "issue_tracker_server": refused_address(),
        "issue_tracker_method": "http",
    }
    admin_client.submit("/connectors/new/gitlab/test", form, headers=HTMX)
    saved = make_connector("jira", name="Ops Jira", actor=admin)
    edited = {**FORM_PARAMS["jira"], "name": "Ops Jira", "issue_tracker_server": refused_address()}
    edited["issue_tracker_method"] = "http"
    admin_client.submit(f"/connectors/{saved.id}/edit/test", edited, headers=HTMX)
    tests = [
        row
        for row in rows(admin_client.get("/audit").get_data(as_text=True))
        if row["code"] == "connector.test"
    ]
    assert [(row["Action"], row["Target"], row["Details"]) for row in tests] == [
        (
            "Tested a connection",
            f"connector #{saved.id} Ops Jira",
            "failed at the reach step (unsaved changes)",
        ),
        ("Tested a connection", "unsaved GitLab settings", "failed at the reach step"),
    ]


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"ok": True, "failed_stage": None}, "passed"),
        ({"ok": False, "failed_stage": "tls"}, "failed at the TLS step"),
        ({"ok": False, "failed_stage": None}, "not run"),
    ],
)
def test_test_outcomes_in_words(app, details, expected):
    from webapp.models import AuditEntry

    entry = AuditEntry(action="connector.test", target_type="connector", details=details)
    assert audit_log.describe(entry) == expected


def test_the_csv_keeps_codes_and_adds_the_words(admin_client, admin):
    make_connector("gitlab", name="Ops GitLab", actor=admin)
    text = admin_client.get("/audit.csv?action=connector.create").get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["action"], row["action text"]) == ("connector.create", "Created a connector")
    assert (row["target type"], row["target"]) == ("connector", "Ops GitLab")
