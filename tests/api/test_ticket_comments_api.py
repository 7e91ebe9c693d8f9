"""Comments and close / reopen through the API, against the fake GitLab."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient, new_key
from tests.factories import make_connector, make_user
from tests.support.fake_trackers import GITLAB_PROJECT_ID
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.services.delivery import deliver
from webapp.services.tickets import TicketRequest, create_ticket


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )


def sent_ticket(connector, creator=None):
    ticket, _ = create_ticket(creator, TicketRequest(connector.id, "Printer on fire"))
    return deliver(ticket.id)


def test_add_and_list_comments(api, connector, gitlab):
    ticket = sent_ticket(connector)

    response = api.post(f"/tickets/{ticket.id}/comments/", json={"body": "Any news?"})

    assert response.status_code == 201
    comment = response.get_json()
    assert (comment["status"], comment["direction"], comment["via"]) == ("sent", "outbound", "api")
    (note,) = gitlab.notes[(GITLAB_PROJECT_ID, 1)]
    assert comment["external_id"] == str(note["id"])
    listed = api.get(f"/tickets/{ticket.id}/comments/").get_json()["results"]
    assert [c["body"] for c in listed] == ["Any news?"]
    assert db.session.query(AuditEntry).filter_by(action="ticket.comment").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": ""}, "body"), ({"body": 3}, "body"), ({"body": "x", "internal": "yes"}, "internal")],
)
def test_bad_comments_name_the_field(api, connector, body, field):
    ticket = sent_ticket(connector)
    response = api.post(f"/tickets/{ticket.id}/comments/", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_a_comment_on_an_undelivered_ticket_is_a_400(api, app):
    from tests.fakes import refused_address

    connector = make_connector("gitlab", issue_tracker_server=refused_address())
    ticket, _ = create_ticket(None, TicketRequest(connector.id, "Not sent"))
    response = api.post(f"/tickets/{ticket.id}/comments/", json={"body": "Hello"})
    assert response.status_code == 400
    assert "does not exist on the tracker yet" in response.get_json()["detail"]


def test_close_and_reopen(api, connector, gitlab):
    ticket = sent_ticket(connector)

    closed = api.post(f"/tickets/{ticket.id}/close/")

    assert closed.status_code == 200 and closed.get_json()["tracker_state"] == "closed"
    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "closed"
    reopened = api.post(f"/tickets/{ticket.id}/reopen/").get_json()
    assert reopened["tracker_state"] == "open"
    assert gitlab.issues[GITLAB_PROJECT_ID][0]["state"] == "opened"


def test_a_refused_close_is_a_400_with_the_trackers_words(api, connector, gitlab):
    ticket = sent_ticket(connector)
    gitlab.fail_next(403, {"message": "403 Forbidden"})
    response = api.post(f"/tickets/{ticket.id}/close/")
    assert response.status_code == 400
    assert "403 Forbidden" in response.get_json()["detail"]
    assert api.get(f"/tickets/{ticket.id}/").get_json()["tracker_state"] is None


def test_viewers_comment_and_close_only_their_own(app, connector, gitlab):
    viewer = make_user("viewer@example.com", role="viewer")
    viewer_api = ApiClient(app.test_client(), new_key(viewer))
    own, theirs = sent_ticket(connector, viewer), sent_ticket(connector, make_user())

    assert viewer_api.post(f"/tickets/{own.id}/comments/", json={"body": "a"}).status_code == 201
    assert viewer_api.post(f"/tickets/{own.id}/close/").status_code == 200
    assert viewer_api.post(f"/tickets/{theirs.id}/comments/", json={"body": "b"}).status_code == 403
    assert viewer_api.post(f"/tickets/{theirs.id}/close/").status_code == 403
    assert viewer_api.post(f"/tickets/{theirs.id}/reopen/").status_code == 403
    notes = gitlab.notes[(GITLAB_PROJECT_ID, 1)]
    assert [n["body"][:1] for n in notes if not n["system"]] == ["a"]  # no comment "b"
    assert [n["body"] for n in notes if n["system"]] == ["closed"]  # and closed once
