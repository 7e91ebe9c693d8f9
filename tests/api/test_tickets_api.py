"""/api/v2/tickets/: the ticket service over the API, against a fake GitLab."""

import pytest

from tests.api.conftest import ApiClient, new_key
from tests.factories import make_connector, make_user
from tests.fakes import refused_address
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services.tickets import TicketRequest, create_ticket


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab", name="Desk", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )


def test_create_ticket_delivers_it_and_returns_the_key(api, connector, gitlab):
    response = api.post(
        "/tickets/",
        json={
            "connector": {"id": connector.id},
            "title": "Disk full",
            "description": "On db-2.",
            "fields": {"labels": "ops"},
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "sent" and body["external_key"] == "#1"
    assert body["external_url"] == gitlab.issues[7][0]["web_url"]
    assert "ops" in gitlab.issues[7][0]["labels"]
    assert api.get(f"/tickets/{body['id']}/").get_json()["external_key"] == "#1"
    assert [t["id"] for t in api.get("/tickets/?status=sent").get_json()["results"]] == [body["id"]]


def test_idempotency_key_returns_the_same_ticket(api, connector, gitlab):
    body = {"connector": {"id": connector.id}, "title": "Once", "idempotency_key": "abc-123"}
    first = api.post("/tickets/", json=body)
    second = api.post("/tickets/", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(gitlab.issues[7]) == 1


def test_tracker_down_gives_a_stored_failed_ticket(api, connector, gitlab):
    gitlab.fail_next(503, times=5)
    body = api.post(
        "/tickets/", json={"connector": {"id": connector.id}, "title": "Later"}
    ).get_json()
    assert body["status"] == "failed" and body["attempts"] == 1 and body["last_error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "connector"),
        ({"connector": {"id": 999}, "title": "x"}, "connector"),
        ({"connector": 1, "title": 5}, "title"),
        ({"connector": 1, "title": ""}, "title"),
        ({"connector": 1, "title": "x", "fields": []}, "fields"),
    ],
)
def test_bad_bodies_get_400_with_the_field(api, connector, body, field):
    if body.get("connector") == 1:
        body["connector"] = {"id": connector.id}
    response = api.post("/tickets/", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_unknown_ticket_is_404_and_no_token_is_401(api, app):
    assert api.get("/tickets/999/").status_code == 404
    assert app.test_client().get("/api/v2/tickets/").status_code == 401


@pytest.fixture
def unreachable(app):
    # Nothing listens there: every delivery fails at once, so tickets stay changeable.
    return make_connector(
        "gitlab", name="Down", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )


def ticket_by(creator, connector, title="Printer jam") -> Ticket:
    return create_ticket(creator, TicketRequest(connector_id=connector.id, title=title))[0]


def test_api_viewers_change_only_their_own_tickets(app, unreachable):
    viewer = make_user(role="viewer")
    api = ApiClient(app.test_client(), new_key(viewer))
    theirs, mine = ticket_by(make_user(), unreachable), ticket_by(viewer, unreachable, "Mine")
    for action in ("retry", "discard"):
        response = api.post(f"/tickets/{theirs.id}/{action}/")
        assert response.status_code == 403, action
        assert "the user who created" in response.get_json()["detail"]
    assert db.session.get(Ticket, theirs.id).status == "pending"
    assert db.session.get(Ticket, theirs.id).attempts == 0
    retried = api.post(f"/tickets/{mine.id}/retry/")
    assert retried.status_code == 200 and retried.get_json()["attempts"] == 1
    discarded = api.post(f"/tickets/{mine.id}/discard/")
    assert discarded.status_code == 200 and discarded.get_json()["status"] == "discarded"


def test_api_admins_change_any_ticket_and_wrong_states_are_400(api, unreachable):
    ticket = ticket_by(make_user(role="viewer"), unreachable)
    assert api.post(f"/tickets/{ticket.id}/discard/").get_json()["status"] == "discarded"
    again = api.post(f"/tickets/{ticket.id}/retry/")
    assert again.status_code == 400 and "pending or failed" in again.get_json()["detail"]
    assert api.post("/tickets/999/retry/").status_code == 404
