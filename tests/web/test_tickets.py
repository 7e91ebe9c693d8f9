"""Raising tickets by hand: stored first, delivered once, never lost, never duplicated."""

import re
from datetime import timedelta

import pytest

from tests.factories import SERVICE_DESK_CATEGORIES, make_connector
from webapp.extensions import db
from webapp.models import Connector, Ticket
from webapp.models.base import utcnow


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab",
        name="Service desk",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        title_format="[$category] $title",
        categories=SERVICE_DESK_CATEGORIES,
    )


def form_token(client, connector_id) -> str:
    page = client.get(f"/tickets/new?connector={connector_id}").get_data(as_text=True)
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)


def submit_ticket(client, connector, token=None, follow_redirects=False, **changes):
    data = {
        "connector_id": str(connector.id),
        "submission_token": token or form_token(client, connector.id),
        "title": "Buying a new screen",
        "description": "The one I use is too small.",
        "category": "Hardware",
        "labels": "",
        **changes,
    }
    return client.submit(
        f"/tickets/new?connector={connector.id}", data, follow_redirects=follow_redirects
    )


def issues(gitlab):
    return gitlab.issues[7]


def test_ticket_is_created_on_the_tracker_with_label_and_title_format(
    admin_client, connector, gitlab
):
    response = submit_ticket(admin_client, connector)
    ticket = db.session.scalar(db.select(Ticket))
    assert response.headers["Location"] == f"/tickets/{ticket.id}"
    assert ticket.status == "sent" and ticket.external_key == "#1"
    (issue,) = issues(gitlab)
    assert issue["title"] == "[Hardware] Buying a new screen"
    assert "hardware" in issue["labels"]
    assert ticket.marker in issue["description"]
    assert any(
        label["name"] == "hardware" and label["color"] == "#f45562" for label in gitlab.labels[7]
    )
    page = admin_client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "#1" in page and ticket.external_url in page


def test_tracker_down_keeps_the_ticket_and_retry_delivers_it(admin_client, connector, gitlab):
    gitlab.fail_next(503, times=5)
    response = submit_ticket(admin_client, connector, follow_redirects=True)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.status == "failed" and ticket.attempts == 1
    assert "The ticket is saved" in response.get_data(as_text=True)
    assert (
        ticket.title == "Buying a new screen"
        and ticket.description == "The one I use is too small."
    )
    gitlab._faults.clear()
    admin_client.submit(f"/tickets/{ticket.id}/retry")
    db.session.refresh(ticket)
    assert ticket.status == "sent" and len(issues(gitlab)) == 1


def test_worker_delivers_due_failed_tickets(admin_client, connector, gitlab, runner):
    gitlab.fail_next(502, times=5)
    submit_ticket(admin_client, connector)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.status == "failed" and ticket.next_attempt_at > utcnow()
    assert runner.invoke(args=["tickets", "deliver"]).output == ""  # not due yet
    gitlab._faults.clear()
    ticket.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["tickets", "deliver"])
    assert f"ticket {ticket.id}: sent (#1)" in result.output
    assert len(issues(gitlab)) == 1


def test_double_submitted_form_creates_one_ticket(admin_client, connector, gitlab):
    token = form_token(admin_client, connector.id)
    submit_ticket(admin_client, connector, token=token)
    response = submit_ticket(admin_client, connector, token=token, follow_redirects=True)
    assert "already submitted" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 1
    assert len(issues(gitlab)) == 1


def test_timeout_after_send_is_resolved_by_the_marker_without_a_duplicate(
    app, admin_client, connector, gitlab
):
    app.config["TRACKER_READ_TIMEOUT"] = 0.5
    gitlab.hang_after_create = True
    submit_ticket(admin_client, connector)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.status == "failed" and ticket.needs_lookup
    assert len(issues(gitlab)) == 1  # it did reach the tracker
    gitlab.hang_after_create = False
    admin_client.submit(f"/tickets/{ticket.id}/retry")
    db.session.refresh(ticket)
    assert ticket.status == "sent" and ticket.external_key == "#1"
    assert len(issues(gitlab)) == 1
    assert [a.outcome for a in ticket.delivery_attempts] == ["ambiguous", "found"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 256}, "Use at most 255 characters (256 given)."),
        ({"category": "Furniture"}, "This category no longer exists"),
    ],
)
def test_bad_input_is_shown_and_what_was_typed_is_kept(admin_client, connector, changes, message):
    page = submit_ticket(admin_client, connector, **changes).get_data(as_text=True)
    assert message in page
    assert "The one I use is too small." in page
    assert db.session.scalar(db.select(Ticket)) is None


def test_inaccessible_connector_is_refused(admin_client, connector):
    token = form_token(admin_client, connector.id)
    connector.inaccessible = True
    db.session.commit()
    page = submit_ticket(admin_client, connector, token=token).get_data(as_text=True)
    assert db.session.scalar(db.select(Ticket)) is None
    assert "No connector can take tickets" in page or "inaccessible" in page


def test_connector_with_undelivered_tickets_cannot_be_deleted(admin_client, connector, gitlab):
    gitlab.fail_next(503, times=5)
    submit_ticket(admin_client, connector)
    page = admin_client.get(f"/connectors/{connector.id}/delete").get_data(as_text=True)
    assert "1 ticket through this connector is not delivered yet" in page
    response = admin_client.submit(f"/connectors/{connector.id}/delete", follow_redirects=True)
    assert "not delivered yet" in response.get_data(as_text=True)
    assert db.session.get(Connector, connector.id) is not None
    ticket = db.session.scalar(db.select(Ticket))
    admin_client.submit(f"/tickets/{ticket.id}/discard")
    connector_id, ticket_id = connector.id, ticket.id
    admin_client.submit(f"/connectors/{connector_id}/delete")
    db.session.expunge_all()
    assert db.session.get(Connector, connector_id) is None
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.status == "discarded" and ticket.connector_name == "Service desk"
    assert "Service desk (deleted)" in admin_client.get(f"/tickets/{ticket.id}").get_data(
        as_text=True
    )


def test_repeated_delivery_failures_mark_the_connector_failing(admin_client, connector, gitlab):
    gitlab.fail_next(500, times=10)
    submit_ticket(admin_client, connector)
    db.session.refresh(connector)
    assert connector.health_status != "failed"
    ticket = db.session.scalar(db.select(Ticket))
    admin_client.submit(f"/tickets/{ticket.id}/retry")
    db.session.refresh(connector)
    assert connector.health_status == "failed" and connector.health_stage == "delivery"
    assert "failing: delivery" in admin_client.get("/connectors/").get_data(as_text=True)


def test_form_remembers_the_last_choices(admin_client, connector):
    submit_ticket(admin_client, connector, category="Gitlab Account", labels="urgent")
    page = admin_client.get("/tickets/new").get_data(as_text=True)
    assert re.search(
        r'<option selected value="Gitlab Account">|<option value="Gitlab Account" selected', page
    )
    assert 'value="urgent"' in page


def test_ticket_list_filters_by_status_and_connector(admin_client, connector, gitlab):
    submit_ticket(admin_client, connector, title="Delivered one")
    gitlab.fail_next(503, times=5)
    submit_ticket(admin_client, connector, title="Stuck one")
    page = admin_client.get("/tickets/?status=failed").get_data(as_text=True)
    assert "Stuck one" in page and "Delivered one" not in page
    page = admin_client.get(f"/tickets/?connector={connector.id}").get_data(as_text=True)
    assert page.count('data-testid="ticket-row"') == 2


def test_sync_labels_reports_created_and_existing(admin_client, connector, gitlab):
    gitlab.labels[7].append({"id": 1, "name": "hardware", "color": "#f45562"})
    response = admin_client.submit(f"/connectors/{connector.id}/sync-labels")
    # Post/redirect/get: reloading the page that shows the outcome repeats nothing.
    assert response.status_code == 302
    assert response.headers["Location"] == f"/connectors/{connector.id}"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Labels already on the tracker: hardware." in page
    assert "Labels created on the tracker: gitlab-account." in page
    assert "Labels created" not in admin_client.get(f"/connectors/{connector.id}").get_data(
        as_text=True
    )


def test_sync_labels_reports_failures_with_their_reason(admin_client, connector, gitlab):
    gitlab.fail_next(403, times=10, method="POST")
    response = admin_client.submit(f"/connectors/{connector.id}/sync-labels", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert re.search(
        r"Labels that could not be created: hardware, gitlab-account\. "
        r"GitLab refused to create label hardware \(403\).*"
        r"GitLab refused to create label gitlab-account \(403\)",
        page,
    )


def test_categories_are_edited_as_rows_on_the_connector_form(admin_client, connector):
    page = admin_client.get(f"/connectors/{connector.id}/edit").get_data(as_text=True)
    # The two categories and one empty row to add another.
    assert 'value="Hardware"' in page and page.count('data-testid="category-row"') == 3
    data = {
        "name": connector.name,
        "version": str(connector.version),
        "issue_tracker_server": connector.params["issue_tracker_server"],
        "issue_tracker_method": "http",
        "issue_tracker_auth_mode": "api_token",
        "gitlab_project": "group/project",
        "title_format": "$title",
        "categories-0-name": "Hardware",
        "categories-0-label": "hw",
        "categories-0-colour": "red",
    }
    page = admin_client.submit(f"/connectors/{connector.id}/edit", data).get_data(as_text=True)
    assert "Use a colour like #f45562." in page
    data["categories-0-colour"] = "#00FF00"
    assert admin_client.submit(f"/connectors/{connector.id}/edit", data).status_code == 302
    assert [(c.name, c.label, c.colour) for c in connector.categories] == [
        ("Hardware", "hw", "#00ff00")
    ]


def test_no_usable_connector_shows_an_empty_state(admin_client):
    page = admin_client.get("/tickets/new").get_data(as_text=True)
    assert "No connector can take tickets" in page


def test_field_the_tracker_refuses_is_shown_next_to_it_and_can_be_fixed(admin_client):
    from tests.fakes import FakeJira

    with FakeJira(
        users={"ops@example.com": "SECRET-jira-api-token-5d6e7f"},
        projects={"OPS": {"name": "Operations"}},
    ) as jira:
        connector = make_connector(
            "jira", name="Jira", issue_tracker_server=jira.host_port, issue_tracker_method="http"
        )
        token = form_token(admin_client, connector.id)
        response = admin_client.submit(
            f"/tickets/new?connector={connector.id}",
            {
                "connector_id": str(connector.id),
                "submission_token": token,
                "title": "Broken VPN",
                "description": "Since Monday.",
                "issue_type": "Nonsense",
            },
        )
        ticket = db.session.scalar(db.select(Ticket))
        assert response.headers["Location"] == f"/tickets/{ticket.id}/edit"
        page = admin_client.get(f"/tickets/{ticket.id}/edit").get_data(as_text=True)
        issue_type_block = page.split('data-field="issue_type"')[1].split("</div>\n  </div>")[0]
        assert "invalid-feedback" in issue_type_block
        assert 'value="Broken VPN"' in page and "Since Monday." in page
        fixed = {
            "connector_id": str(connector.id),
            "title": "Broken VPN",
            "description": "Since Monday.",
            "issue_type": "Task",
        }
        admin_client.submit(f"/tickets/{ticket.id}/edit", fixed)
        db.session.refresh(ticket)
        assert ticket.status == "sent" and ticket.external_key.startswith("OPS-")
        assert len(jira.issues) == 1


def test_connector_whose_secret_cannot_be_decrypted_is_refused(app, admin_client, connector):
    from cryptography.fernet import Fernet

    token = form_token(admin_client, connector.id)
    app.config["CONNECTOR_SECRETS_KEY"] = Fernet.generate_key().decode()
    page = submit_ticket(admin_client, connector, token=token).get_data(as_text=True)
    assert "stored secret cannot be decrypted" in page
    assert "The one I use is too small." in page
    assert db.session.scalar(db.select(Ticket)) is None
