"""``/metrics``: Prometheus figures for allow-listed networks or holders of the metrics token.

Not behind the login: scrapers have no session. Instead a request must come from a network
in ``METRICS_ALLOW_NETWORKS`` (loopback by default) or carry
``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 403.
"""

from __future__ import annotations

import hmac
from ipaddress import ip_address, ip_network

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from webapp.http.access import public
from webapp.observability.metrics import NAMESPACE, scrape_registry
from webapp.services import notification_delivery, outbox_stats

bp = Blueprint("metrics", __name__)


class DatabaseFigures:
    """Collector for what the database knows: tickets by status and the outbox."""

    def collect(self):
        tickets = GaugeMetricFamily(
            f"{NAMESPACE}_tickets", "Stored tickets, by delivery status.", labels=["status"]
        )
        for status, count in outbox_stats.ticket_counts().items():
            tickets.add_metric([status], count)
        state = outbox_stats.outbox_state()
        yield tickets
        yield GaugeMetricFamily(
            f"{NAMESPACE}_outbox_due", "Tickets whose delivery attempt is due now.", state.due
        )
        yield GaugeMetricFamily(
            f"{NAMESPACE}_outbox_oldest_due_age_seconds",
            "How long the longest-waiting due ticket has been due (0 when none is).",
            state.oldest_due_age_seconds,
        )
        notifications = GaugeMetricFamily(
            f"{NAMESPACE}_notifications",
            "Stored notifications to chat channels, by status.",
            labels=["status"],
        )
        for status, count in notification_delivery.notification_counts().items():
            notifications.add_metric([status], count)
        yield notifications


def may_scrape() -> bool:
    """From an allowed network, or with the configured token."""
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in allowed_networks())


def allowed_networks() -> list:
    """``METRICS_ALLOW_NETWORKS`` parsed; a malformed entry is logged and allows nothing."""
    networks = []
    for entry in (current_app.config.get("METRICS_ALLOW_NETWORKS") or "").split(","):
        if entry.strip():
            try:
                networks.append(ip_network(entry.strip(), strict=False))
            except ValueError:
                current_app.logger.warning("METRICS_ALLOW_NETWORKS: %r is not a network", entry)
    return networks


@bp.route("/metrics")
@public
def metrics() -> Response:
    if not may_scrape():
        abort(403)
    database = CollectorRegistry()
    database.register(DatabaseFigures())
    body = generate_latest(scrape_registry()) + generate_latest(database)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
