"""Ticket delivery against real servers: concurrent workers on PostgreSQL, and a real RT."""

import threading

import pytest
import requests

from tests.factories import make_connector
from tests.fakes import FakeGitLab
from tests.support.connector_data import GITLAB_TOKEN
from tests.support.database import is_postgres
from tests.support.fake_trackers import GITLAB_PROJECT_ID, fake_gitlab
from webapp.extensions import db
from webapp.models import DeliveryAttempt, Ticket
from webapp.services.delivery import deliver_due
from webapp.services.tickets import TicketRequest, create_ticket

PROJECT = {
    "group/project": {
        "id": 7,
        "issues_enabled": True,
        "permissions": {"project_access": {"access_level": 30}},
    }
}


def test_two_workers_deliver_100_tickets_each_exactly_once(app, database_url):
    if not is_postgres(database_url):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): on SQLite one worker is enough")
    with FakeGitLab(token=GITLAB_TOKEN, projects=PROJECT) as gitlab:
        connector = make_connector(
            "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
        )
        for number in range(100):
            create_ticket(None, TicketRequest(connector.id, f"Ticket {number}"))
        delivered: list[list[int]] = [[], []]
        errors: list[BaseException] = []

        def worker(index: int) -> None:
            try:
                with app.app_context():
                    while handled := deliver_due(limit=5):
                        delivered[index].extend(ticket.id for ticket in handled)
                    db.session.remove()
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        created = gitlab.issues[7]
    assert len(created) == 100
    assert len({issue["title"] for issue in created}) == 100
    assert sorted(delivered[0] + delivered[1]) == sorted(set(delivered[0] + delivered[1]))
    assert delivered[0] and delivered[1], "both workers should have taken a share"
    tickets = db.session.scalars(db.select(Ticket)).all()
    assert all(ticket.status == "sent" and ticket.attempts == 1 for ticket in tickets)


@pytest.mark.postgres_only
def test_lease_shorter_than_a_slow_batch_still_gives_one_issue_per_ticket(app, database_url):
    """Issue 11.2: a slow tracker and a batch that outlives the lease. The worker renews its
    lease while it works, so the other worker never re-claims a ticket being sent."""
    if not is_postgres(database_url):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): on SQLite one worker is enough")
    app.config.update(DELIVERY_LEASE_SECONDS=1.0, DELIVERY_BATCH_SIZE=4)
    with fake_gitlab(create_seconds=0.4) as gitlab:  # a batch takes 1.6 s
        connector = make_connector(
            "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
        )
        for number in range(16):
            create_ticket(None, TicketRequest(connector.id, f"Ticket {number}"))
        errors: list[BaseException] = []

        def worker(start_after: float) -> None:
            try:
                threading.Event().wait(start_after)
                with app.app_context():
                    while deliver_due():
                        pass
                    db.session.remove()
            except BaseException as error:  # reported below
                errors.append(error)

        # The second worker starts after the first worker's first lease would have run out.
        threads = [threading.Thread(target=worker, args=(delay,)) for delay in (0, 1.2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        titles = [issue["title"] for issue in gitlab.issues[GITLAB_PROJECT_ID]]
    db.session.expire_all()
    tickets = db.session.scalars(db.select(Ticket)).all()
    assert sorted(titles) == sorted(ticket.final_title for ticket in tickets)
    assert len(set(titles)) == 16
    assert all(ticket.status == "sent" for ticket in tickets)
    attempts = db.session.scalars(db.select(DeliveryAttempt)).all()
    assert [attempt.outcome for attempt in attempts] == ["sent"] * 16
    assert all(ticket.attempts == 1 for ticket in tickets)


def test_ticket_from_the_form_appears_in_the_real_rt_queue(admin_client, rt_server):
    connector = make_connector(
        "rt",
        name="Real RT",
        issue_tracker_server=rt_server.host_port,
        issue_tracker_method="http",
        issue_tracker_auth_mode="basic",
        issue_tracker_user=rt_server.username,
        issue_tracker_pass=rt_server.password,
        rt_queue="General",
        rt_custom_fields={},
    )
    page = admin_client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    token = page.split('name="submission_token" type="hidden" value="')[1].split('"')[0]
    response = admin_client.submit(
        f"/tickets/new?connector={connector.id}",
        {
            "connector_id": str(connector.id),
            "submission_token": token,
            "title": "Printer on fire",
            "description": "Third floor, near the kitchen.",
        },
    )
    assert response.status_code == 302
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.status == "sent", ticket.last_error
    rt_ticket = requests.get(
        f"{rt_server.rest2_url}/ticket/{ticket.external_key}", auth=rt_server.auth, timeout=15
    ).json()
    assert rt_ticket["Subject"] == "Printer on fire"
    assert rt_ticket["Queue"]["id"] in (1, "1")
    history = requests.get(
        f"{rt_server.rest2_url}/ticket/{ticket.external_key}/history",
        auth=rt_server.auth,
        timeout=15,
    ).json()
    assert history["count"] >= 1
