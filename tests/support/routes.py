"""Walking the URL map with real rows, for tests that must cover every route.

Each URL argument gets a fresh row from a builder below, so pages render real data
instead of answering 404. A route with an argument that has no builder fails the
walk loudly: add one here.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, url_for
from werkzeug.routing import Rule

from tests.factories import make_connector, make_user
from tests.fakes import refused_address
from webapp.models import User

#: Methods a walk exercises (HEAD and OPTIONS are answered by Flask itself).
WALKED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _connector_id(owner: User) -> int:
    # Nothing listens there: a connection test or delivery fails at once, offline.
    return make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    ).id


def _token_id(owner: User) -> int:
    from webapp.services.tokens import create_token

    return create_token(None, owner, "sample token")[0].id


def _ticket_id(owner: User) -> int:
    from webapp.services.tickets import TicketRequest, create_ticket

    request = TicketRequest(connector_id=_connector_id(owner), title="Sample ticket")
    return create_ticket(owner, request)[0].id


def _discord_route_id(owner: User) -> int:
    from webapp.services.discord.settings import (
        DiscordChanges,
        add_route,
        configure,
        integration,
    )

    if integration() is None:
        configure(None, DiscordChanges("1234", "ab" * 32, None))
    return add_route(None, "channel", str(next(_route_numbers)), _connector_id(owner)).id


_route_numbers = itertools.count(1000)


def _comment_id(owner: User) -> int:
    """A pending comment on a delivered ticket of ``owner`` (not the walked ticket: its
    routes answer 404 for it, after checking who may touch the walked ticket)."""
    from tests.factories import make_sent_ticket
    from webapp.extensions import db
    from webapp.models import TicketComment

    ticket = make_sent_ticket(make_connector("gitlab", issue_tracker_server=refused_address()))
    ticket.created_by_id = owner.id
    comment = TicketComment(ticket=ticket, direction="outbound", body="Hi", status="failed")
    db.session.add(comment)
    db.session.commit()
    return comment.id


def _hook_id(owner: User) -> str:
    from webapp.services.webhooks import rotate_secret

    connector = make_connector(
        "gitlab", issue_tracker_server=refused_address(), issue_tracker_method="http"
    )
    return rotate_secret(None, connector)[0].hook_id


def _channel_id(owner: User) -> int:
    from webapp.services.notification_channels import ChannelChanges, create_channel

    changes = ChannelChanges(
        name=f"Sample channel {secrets.token_hex(4)}",
        url="json://127.0.0.1:9/sample-hook",
        events=["ticket.created"],
    )
    return create_channel(None, changes).id


def _notification_id(owner: User) -> int:
    """A notification that failed for good: one that may be sent again."""
    from webapp.extensions import db
    from webapp.services.notification_channels import get_channel, queue_test

    notification = queue_test(None, get_channel(_channel_id(owner)))
    notification.status = "failed"
    notification.next_attempt_at = None
    db.session.commit()
    return notification.id


BUILDERS: dict[str, Callable[[User], Any]] = {
    "comment_id": _comment_id,
    "notification_id": _notification_id,
    "channel_id": _channel_id,
    "connector_id": _connector_id,
    "user_id": lambda owner: make_user(role="viewer").id,
    "token_id": _token_id,
    "ticket_id": _ticket_id,
    "route_id": _discord_route_id,
    "hook_id": _hook_id,
    "system_id": lambda owner: "gitlab",
    "filename": lambda owner: "app.css",
    # A connector's version number: every connector has version 1 from its creation.
    "number": lambda owner: 1,
    # a GitLab ticket field with choices from the tracker (the connector form's pickers
    # answer 404 for it: the role walks only need them refused or allowed)
    "field_name": lambda owner: "labels",
}


def sample_values(rule: Rule, owner: User) -> dict[str, Any]:
    """Real values for the rule's arguments; tokens and the like belong to ``owner``."""
    missing = sorted(set(rule.arguments) - set(BUILDERS))
    assert not missing, f"{rule.endpoint}: add a builder for {missing} to tests/support/routes.py"
    return {name: BUILDERS[name](owner) for name in sorted(rule.arguments)}


def build_url(app: Flask, rule: Rule, owner: User) -> str:
    values = sample_values(rule, owner)
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule))


def get_rules(app: Flask) -> Iterator[Rule]:
    """Rules answering GET, except static files."""
    for rule in rules(app):
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def walked_methods(rule: Rule) -> list[str]:
    return [method for method in WALKED_METHODS if method in rule.methods]
