"""Ticket intake: the request waits for the tracker at most TICKET_INTAKE_BUDGET_SECONDS,
then answers 202 with the stored ticket while the delivery carries on; a struggling
tracker is not tried at all. Never a duplicate, never a lost ticket."""

import pytest
from sqlalchemy import event

from tests.factories import make_connector
from tests.support.fake_trackers import fake_gitlab
from tests.web.test_ticket_schedule import submit
from webapp.extensions import db
from webapp.models import Ticket
from webapp.services.delivery import deliver_due
from webapp.services.intake import wait_for_background


@pytest.fixture
def slow_gitlab():
    with fake_gitlab(create_seconds=1.0) as fake:
        yield fake


def connector_for(fake):
    return make_connector(
        "gitlab", issue_tracker_server=fake.host_port, issue_tracker_method="http"
    )


def post(api, connector, title):
    return api.post("/tickets/", json={"connector": {"id": connector.id}, "title": title})


def created_issues(fake):
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/issues")]


def test_a_slow_tracker_gets_202_and_the_delivery_finishes_in_the_background(app, api, slow_gitlab):
    app.config["TICKET_INTAKE_BUDGET_SECONDS"] = 0.2
    connector = connector_for(slow_gitlab)
    response = post(api, connector, "Slow one")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["status"] == "sending" and body["external_key"] is None
    assert wait_for_background(10)
    db.session.expire_all()
    ticket = db.session.get(Ticket, body["id"])
    assert ticket.status == "sent" and ticket.external_key == "#1"
    assert len(created_issues(slow_gitlab)) == 1
    assert deliver_due() == []  # nothing left for the worker: no second issue
    assert len(created_issues(slow_gitlab)) == 1


def test_within_the_budget_the_answer_is_the_attempts_result(app, api, slow_gitlab):
    app.config["TICKET_INTAKE_BUDGET_SECONDS"] = 5
    response = post(api, connector_for(slow_gitlab), "Quick enough")
    assert response.status_code == 201
    assert response.get_json()["status"] == "sent"


def test_a_struggling_tracker_is_not_tried_again_by_requests(app, api, gitlab):
    connector = connector_for(gitlab)
    gitlab.fail_next(503, times=1)
    first = post(api, connector, "First")
    assert first.status_code == 201 and first.get_json()["status"] == "failed"
    contacted = len(gitlab.requests)
    second = post(api, connector, "Second")
    assert second.status_code == 202 and second.get_json()["status"] == "pending"
    assert len(gitlab.requests) == contacted  # queued without a request to the tracker
    # Another connector to the same tracker is not held up by this one's queue.
    other = post(api, connector_for(gitlab), "Elsewhere")
    assert other.status_code == 201 and other.get_json()["status"] == "sent"


def test_a_ticket_that_cannot_be_fixed_by_retrying_does_not_hold_the_queue(app, api, gitlab):
    connector = connector_for(gitlab)
    gitlab.fail_next(403, times=1, method="POST")
    assert post(api, connector, "Refused").get_json()["status"] == "failed"
    assert post(api, connector, "Next").status_code == 201


@pytest.mark.parametrize("setting", ["TICKET_INTAKE_BUDGET_SECONDS", "TICKET_INTAKE_CONCURRENCY"])
def test_with_no_budget_or_no_free_slot_the_worker_delivers_it(app, api, gitlab, setting):
    app.config[setting] = 0
    connector = connector_for(gitlab)
    response = post(api, connector, "For the worker")
    assert response.status_code == 202 and response.get_json()["status"] == "pending"
    assert created_issues(gitlab) == []
    delivered = deliver_due()
    assert [t.status for t in delivered] == ["sent"]
    assert len(created_issues(gitlab)) == 1


def test_the_form_says_a_slow_ticket_is_on_its_way(app, admin_client, slow_gitlab):
    app.config["TICKET_INTAKE_BUDGET_SECONDS"] = 0.2
    connector = connector_for(slow_gitlab)
    page = submit(admin_client, connector, "Slow from the form")
    assert "The tracker is slow to answer, so it is being delivered in the background" in page
    assert wait_for_background(10)
    assert len(created_issues(slow_gitlab)) == 1


@pytest.mark.parametrize(
    ("title_format", "expected"),
    [
        ("$title", "{title}"),
        ("[$ticket_id] $title", "[{id}] {title}"),
        ("$task_id $title", "{id} {title}"),
        ("[$category] $title", "{title}"),  # no category: no empty brackets
    ],
)
def test_the_answer_carries_the_final_title_with_or_without_the_ticket_id(
    app, api, title_format, expected
):
    app.config["TICKET_INTAKE_BUDGET_SECONDS"] = 0  # queued: the answer is the stored ticket
    connector = make_connector("gitlab", title_format=title_format)
    body = post(api, connector, "Disk full").get_json()
    assert body["final_title"] == expected.format(id=body["id"], title="Disk full")
    db.session.expire_all()
    assert db.session.get(Ticket, body["id"]).final_title == body["final_title"]
    assert body["comments"] == [] and body["created_by"] == "admin@example.com"


def test_a_queued_ticket_is_stored_and_queued_in_one_transaction(app, api, gitlab):
    """Asking whether the tracker struggles happens while the ticket is stored: a queued
    intake costs one transaction, not a second one to look at the queue."""
    connector = connector_for(gitlab)
    gitlab.fail_next(503, times=1)
    assert post(api, connector, "First").get_json()["status"] == "failed"
    begun = []

    def count(connection):
        begun.append(connection)

    event.listen(db.engine, "begin", count)
    try:
        second = post(api, connector, "Second")
    finally:
        event.remove(db.engine, "begin", count)
    assert second.status_code == 202 and second.get_json()["status"] == "pending"
    assert len(begun) == 1
