"""The API's ticket carries the tracker's mirror: state, labels and comments."""

from datetime import UTC, datetime

from tests.factories import make_connector, make_sent_ticket
from webapp.extensions import db
from webapp.services.ticket_mirror import apply_snapshot
from webapp.trackers.tickets import IssueSnapshot, RemoteComment

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_the_api_shows_the_mirror_and_comments(app, api):
    ticket = make_sent_ticket(make_connector("gitlab", name="Mirror"), "#5")
    apply_snapshot(
        ticket,
        IssueSnapshot(
            "#5", "closed", updated_at=T0, comments=(RemoteComment("7", "jane", "Done.", T0),)
        ),
        via="webhook",
    )
    db.session.commit()
    body = api.get(f"/tickets/{ticket.id}/").get_json()
    assert body["tracker_state"] == "closed"
    assert body["tracker_updated_at"].startswith("2026-11-01T12:00:00")
    assert [(c["direction"], c["author"], c["body"]) for c in body["comments"]] == [
        ("inbound", "jane", "Done.")
    ]
    listed = api.get("/tickets/").get_json()["results"]
    assert listed[0]["comments"][0]["body"] == "Done."
