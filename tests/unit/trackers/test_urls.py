"""Tracker URLs are joined from parsed parts: the server is host, port and path only.

A server stored before the address rules (or edited in the database) that carries a
query, fragment or credentials is refused before anything is sent, by the connection
test and by ticket delivery alike.
"""

from __future__ import annotations

import pytest

from tests.support.tracker_calls import create_issue
from tests.unit.trackers.specs import SPECS
from webapp.outbound.results import Stage, StageStatus
from webapp.trackers import check_connection
from webapp.trackers.config import TrackerConfig
from webapp.trackers.gitlab import GITLAB
from webapp.trackers.rt import RT
from webapp.trackers.tickets import DeliveryFailed, IssueDraft


def test_a_stored_server_with_a_query_fails_reach_and_sends_nothing(net, api, settings):
    """Saved before the rule (or written to the database by hand): still refused."""
    spec = next(spec for spec in SPECS if spec.id == "gitlab")
    params = {**spec.params, "issue_tracker_server": "127.0.0.1:5702/internal/admin?x="}

    result = check_connection(spec.system, params, spec.secrets, settings)

    reach = result.stage(Stage.REACH)
    assert reach.status is StageStatus.FAILED and "cannot contain" in reach.message
    assert net.resolved == [] and len(api.calls) == 0


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.id)
def test_a_stored_server_with_a_query_delivers_nothing(net, api, settings, spec):
    params = {**spec.params, "issue_tracker_server": f"{spec.host}/internal/admin?x="}
    draft = IssueDraft("Title", "Body\nmarker-1", "marker-1")

    with pytest.raises(DeliveryFailed) as caught:
        create_issue(spec.system, params, spec.secrets, settings, draft)

    assert "cannot contain" in caught.value.message and not caught.value.retryable
    assert len(api.calls) == 0


def test_urls_are_joined_from_parts():
    config = TrackerConfig(GITLAB, {"issue_tracker_server": "git.example.com:8443/gl/"}, {})
    assert config.url("/api/v4/user") == "https://git.example.com:8443/gl/api/v4/user"
    for path in ("//evil.example/x", "/a?b=c", "/a#b", "api/v4"):
        with pytest.raises(ValueError):
            config.url(path)


def test_a_link_built_from_a_tracker_id_keeps_it_inside_the_query():
    config = TrackerConfig(RT, {"issue_tracker_server": "rt.example.com/rt"}, {})
    url = config.url("/Ticket/Display.html", {"id": "1&x=2#frag"})
    assert url == "https://rt.example.com/rt/Ticket/Display.html?id=1%26x%3D2%23frag"
