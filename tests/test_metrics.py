"""`/metrics`: who may read it, and that it reports requests, tickets and the outbox."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_connector
from webapp.extensions import db
from webapp.models import Ticket
from webapp.models.base import utcnow
from webapp.models.ticket import FAILED, PENDING, SENT

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def stored_ticket(status: str, next_attempt_in: timedelta | None = None) -> Ticket:
    ticket = Ticket(
        connector_name="GitLab",
        system_id="gitlab",
        submission_token=uuid.uuid4().hex,
        marker=uuid.uuid4().hex,
        status=status,
        title="Printer on fire",
        final_title="Printer on fire",
        next_attempt_at=utcnow() + next_attempt_in if next_attempt_in is not None else None,
    )
    db.session.add(ticket)
    db.session.commit()
    return ticket


def test_metrics_are_served_to_loopback_without_login(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"


def test_metrics_are_refused_to_other_networks(client):
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403


def test_an_allowed_network_may_scrape(app, client):
    app.config["METRICS_ALLOW_NETWORKS"] = "203.0.113.0/24"
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer listed


def test_a_malformed_network_setting_allows_nothing_and_breaks_nothing(app, client):
    app.config["METRICS_ALLOW_NETWORKS"] = "not-a-network, 203.0.113.0/24"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200


def test_the_metrics_token_opens_metrics_from_anywhere(app, client):
    app.config["METRICS_TOKEN"] = "scrape-me-please"
    good = {"Authorization": "Bearer scrape-me-please"}
    bad = {"Authorization": "Bearer scrape-me-plea"}
    assert client.get("/metrics", headers=good, environ_base=OUTSIDE).status_code == 200
    assert client.get("/metrics", headers=bad, environ_base=OUTSIDE).status_code == 403


def test_request_latency_is_counted_per_endpoint(client):
    def healthz_count() -> float:
        key = (
            "connector_desk_http_request_duration_seconds_count",
            (("endpoint", "health.healthz"), ("method", "GET"), ("status", "200")),
        )
        return samples(client.get("/metrics").get_data(as_text=True)).get(key, 0.0)

    before = healthz_count()
    for _ in range(3):
        client.get("/healthz")
    assert healthz_count() == before + 3


def test_unmatched_paths_share_one_label(client):
    client.get("/no/such/page/" + uuid.uuid4().hex)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="unmatched"' in text
    assert "/no/such/page" not in text


def test_tickets_by_status_and_the_outbox_come_from_the_database(client):
    stored_ticket(SENT)
    stored_ticket(PENDING, next_attempt_in=timedelta(minutes=-10))
    stored_ticket(FAILED, next_attempt_in=timedelta(minutes=-2))
    stored_ticket(FAILED, next_attempt_in=timedelta(minutes=30))  # not due yet
    figures = samples(client.get("/metrics").get_data(as_text=True))
    assert figures[("connector_desk_tickets", (("status", "sent"),))] == 1
    assert figures[("connector_desk_tickets", (("status", "failed"),))] == 2
    assert figures[("connector_desk_tickets", (("status", "discarded"),))] == 0
    assert figures[("connector_desk_outbox_due", ())] == 2
    age = figures[("connector_desk_outbox_oldest_due_age_seconds", ())]
    assert 590 <= age <= 700


def test_an_empty_outbox_has_no_age(client):
    figures = samples(client.get("/metrics").get_data(as_text=True))
    assert figures[("connector_desk_outbox_due", ())] == 0
    assert figures[("connector_desk_outbox_oldest_due_age_seconds", ())] == 0


def counter(client, name: str, **labels) -> float:
    key = (name, tuple(sorted(labels.items())))
    return samples(client.get("/metrics").get_data(as_text=True)).get(key, 0.0)


def test_connection_test_stages_are_timed_per_system_and_stage(admin_client, gitlab):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    name = "connector_desk_connection_test_stage_duration_seconds_count"
    before = counter(admin_client, name, system="gitlab", stage="authenticate", status="ok")
    admin_client.submit(f"/connectors/{connector.id}/test")
    after = counter(admin_client, name, system="gitlab", stage="authenticate", status="ok")
    assert after == before + 1


def test_delivery_attempts_are_counted_per_system_and_outcome(admin_client, gitlab):
    connector = make_connector(
        "gitlab", issue_tracker_server=gitlab.host_port, issue_tracker_method="http"
    )
    name = "connector_desk_delivery_attempts_total"
    before = counter(admin_client, name, system="gitlab", outcome="sent")
    form = admin_client.get(f"/tickets/new?connector={connector.id}").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', form).group(1)
    admin_client.submit(
        f"/tickets/new?connector={connector.id}",
        {"connector_id": str(connector.id), "submission_token": token, "title": "Disk full"},
    )
    assert db.session.scalar(db.select(Ticket)).status == SENT
    assert counter(admin_client, name, system="gitlab", outcome="sent") == before + 1
