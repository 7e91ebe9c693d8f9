"""Links from trackers become links only when they are http(s); otherwise text.

A tracker answering ``"web_url": "javascript:alert(document.domain)"`` must not get a
clickable script on the ticket pages or in the API: the link is dropped when the
ticket is delivered, and rows stored before that are checked again when shown.
"""

from __future__ import annotations

import pytest

from tests.factories import make_connector
from tests.support.fake_trackers import fake_gitlab
from webapp.extensions import db
from webapp.models import Ticket
from webapp.outbound.links import web_link

HOSTILE = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:///no-host",
    "https://evil.example/\nx",
    "ftp://files.example/x",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_only_absolute_http_links_are_links(url):
    assert web_link(url) is None


@pytest.mark.parametrize(
    "url", ["https://gitlab.example.com/g/p/-/issues/1", "http://127.0.0.1:8080/browse/OPS-1"]
)
def test_http_links_are_kept(url):
    assert web_link(url) == url


@pytest.mark.parametrize("url", HOSTILE[:2])
def test_a_hostile_issue_link_is_shown_as_text(app, api, admin_client, url):
    with fake_gitlab(issue_web_url=url) as gitlab:
        connector = make_connector(
            "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
        )
        body = {"connector": {"id": connector.id}, "title": "Disk full"}
        created = api.post("/tickets/", json=body).get_json()

    assert created["status"] == "sent" and created["external_key"] == "#1"
    assert created["external_url"] is None
    assert db.session.get(Ticket, created["id"]).external_url is None
    for page in (f"/tickets/{created['id']}", "/tickets/"):
        html = admin_client.get(page).get_data(as_text=True)
        assert "#1" in html and "alert(" not in html


def test_a_hostile_link_stored_earlier_is_not_rendered_or_served(app, api, admin_client, gitlab):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    created = api.post("/tickets/", json={"connector": {"id": connector.id}, "title": "T"})
    ticket = db.session.get(Ticket, created.get_json()["id"])
    ticket.external_url = HOSTILE[0]  # as a row delivered before the check holds it
    db.session.commit()

    assert api.get(f"/tickets/{ticket.id}/").get_json()["external_url"] is None
    for page in (f"/tickets/{ticket.id}", "/tickets/"):
        html = admin_client.get(page).get_data(as_text=True)
        assert "#1" in html and "javascript:" not in html
