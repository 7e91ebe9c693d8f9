"""``ConnectorSession``: one answer to "can this connector be used?", one client per
delivery, one writer of health (webapp/services/connector_sessions.py).

Against the fake GitLab on a loopback port and the suite's database.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import requests

from tests.factories import SERVICE_DESK_CATEGORIES, make_connector
from webapp.extensions import db
from webapp.models import Connector, Ticket
from webapp.services import connection_tests
from webapp.services.connector_sessions import (
    DISABLED_MESSAGE,
    NO_CLIENT_MESSAGE,
    NOT_INSTALLED_MESSAGE,
    UNREADABLE_MESSAGE,
    ConnectorSession,
    ConnectorUnusable,
)
from webapp.services.connectors import ConnectorChanges, update_connector
from webapp.services.delivery import deliver
from webapp.services.errors import ValidationFailed
from webapp.services.systems import registry
from webapp.services.tickets import TicketRequest, create_ticket, sync_labels
from webapp.trackers import INACCESSIBLE_MESSAGE


@pytest.fixture
def connector(app, gitlab):
    return make_connector(
        "gitlab",
        issue_tracker_server=gitlab.host_port,
        issue_tracker_method="http",
        categories=SERVICE_DESK_CATEGORIES[:1],
    )


@pytest.fixture
def http_sessions(monkeypatch):
    """Every requests.Session opened meanwhile (each tracker client opens one)."""
    opened: list[requests.Session] = []

    class CountedSession(requests.Session):
        def __init__(self) -> None:
            super().__init__()
            opened.append(self)

    monkeypatch.setattr(requests, "Session", CountedSession)
    return opened


def change(connector: Connector, **values) -> None:
    """Change columns the way an operator (or an old database) would, not as an edit."""
    db.session.execute(
        Connector.__table__.update().where(Connector.id == connector.id).values(**values)
    )
    db.session.commit()
    db.session.expire(connector)


def clientless_system(app) -> str:
    """A registered system without a client (a declaration-only plugin)."""
    declared = replace(
        registry().get("gitlab"), id="plain", short_name="Plain", name="Plain", client_class=None
    )
    registry().register(declared)
    return "plain"


#: Each way a connector can be unusable: how to make it so, and the one message for it.
UNUSABLE = {
    "disabled": (lambda app: {"disabled": True}, DISABLED_MESSAGE),
    "inaccessible": (lambda app: {"inaccessible": True}, INACCESSIBLE_MESSAGE),
    "unreadable": (lambda app: {"secrets_ciphertext": "not-a-fernet-token"}, UNREADABLE_MESSAGE),
    "not-installed": (
        lambda app: {"system_id": "retired"},
        NOT_INSTALLED_MESSAGE.format(system_id="retired"),
    ),
    "no-client": (
        lambda app: {"system_id": clientless_system(app)},
        NO_CLIENT_MESSAGE.format(system="Plain"),
    ),
}


def test_a_working_connector_is_usable(connector):
    session = ConnectorSession.of(connector)
    assert session.problem is None and session.usable
    assert session.system.id == connector.system_id
    assert session.secrets_readable and session.secrets
    session.require_usable()


@pytest.mark.parametrize("reason", UNUSABLE)
def test_tickets_deliveries_tests_and_label_syncs_give_the_same_reason(
    app, connector, gitlab, reason
):
    values, message = UNUSABLE[reason]
    ticket, _ = create_ticket(None, TicketRequest(connector.id, "Broken screen"))
    change(connector, **values(app))

    assert ConnectorSession.of(connector).problem == message
    with pytest.raises(ValidationFailed) as refused:
        create_ticket(None, TicketRequest(connector.id, "Another screen"))
    assert refused.value.errors == {"connector_id": [message]}
    assert deliver(ticket.id).last_error == message
    result = connection_tests.test_saved(None, connector)
    assert not result.contacted and result.summary == message
    with pytest.raises(ConnectorUnusable) as unusable:
        sync_labels(None, connector)
    assert unusable.value.message == message and unusable.value.field == "connector_id"
    assert gitlab.issues.get(7, []) == []


def test_a_disabled_connector_is_not_tested_with_unsaved_values_either(connector):
    change(connector, disabled=True)
    result = connection_tests.test_unsaved(
        None, connector.system_id, connector.name, dict(connector.params), connector
    )
    assert not result.contacted and result.summary == DISABLED_MESSAGE


def test_secrets_that_cannot_be_read_make_the_session_say_so(connector):
    change(connector, secrets_ciphertext="not-a-fernet-token")
    session = ConnectorSession.of(connector)
    assert not session.secrets_readable
    with pytest.raises(ConnectorUnusable, match="cannot be decrypted"):
        session.secrets  # noqa: B018 - the property is what is tested


def test_one_delivery_opens_one_client_for_lookup_label_and_issue(connector, gitlab, http_sessions):
    ticket, _ = create_ticket(
        None, TicketRequest(connector.id, "Broken screen", category="Hardware")
    )
    change_ticket = Ticket.__table__.update().where(Ticket.id == ticket.id)
    db.session.execute(change_ticket.values(needs_lookup=True))  # a retry after a timeout
    db.session.commit()
    http_sessions.clear()

    delivered = deliver(ticket.id)

    assert delivered.status == "sent"
    assert any(label["name"] == "hardware" for label in gitlab.labels[7])
    (issue,) = gitlab.issues[7]
    assert "hardware" in issue["labels"]
    paths = [(r.method, r.path) for r in gitlab.requests if "/projects/" in r.path]
    assert [method for method, _ in paths].count("POST") == 2  # the label and the issue
    assert len(http_sessions) == 1


def test_a_label_sync_opens_one_client_for_all_labels(connector, gitlab, http_sessions):
    changes = ConnectorChanges(
        name=connector.name,
        params={},
        keep_missing_params=True,
        categories=[
            {"name": "Hardware", "label": "hardware", "colour": "#f45562"},
            {"name": "Accounts", "label": "accounts", "colour": "#3450f6"},
        ],
    )
    update_connector(None, connector, changes)
    http_sessions.clear()
    outcomes = sync_labels(None, connector)
    assert [o.status for o in outcomes] == ["created", "created"]
    assert len(http_sessions) == 1


def test_a_connection_test_records_health(connector, gitlab):
    result = connection_tests.test_saved(None, connector)
    assert result.ok
    assert connector.health_status == "ok" and connector.health_checked_at is not None

    gitlab.token = "another-token"  # the stored one is refused now
    result = connection_tests.test_saved(None, connector)
    assert connector.health_status == "failed"
    assert connector.health_stage == "authenticate"
    assert connector.health_message == result.summary


def test_deliveries_record_health_failing_after_two_in_a_row(connector, gitlab):
    ticket, _ = create_ticket(None, TicketRequest(connector.id, "Broken screen"))
    gitlab.fail_next(503, times=2)

    deliver(ticket.id)
    assert connector.delivery_failures == 1 and connector.health_status is None
    deliver(ticket.id)
    assert connector.delivery_failures == 2
    assert connector.health_status == "failed" and connector.health_stage == "delivery"
    assert connector.health_message.startswith("2 deliveries failed in a row: ")

    delivered = deliver(ticket.id)
    assert delivered.status == "sent" and connector.delivery_failures == 0
    assert connector.health_status == "ok" and connector.health_stage is None
    assert connector.health_message == f"Ticket {delivered.external_key} delivered."


def test_a_label_sync_decrypts_the_secrets_once(connector, gitlab, monkeypatch):
    from webapp.services import secrets

    decrypt, decrypted = secrets.decrypt_secrets, []

    def counted(token):
        decrypted.append(token)
        return decrypt(token)

    monkeypatch.setattr(secrets, "decrypt_secrets", counted)
    sync_labels(None, connector)
    assert len(decrypted) == 1
