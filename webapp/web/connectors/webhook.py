"""A connector's webhook: generate or rotate its secret (shown once), and its events."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, url_for

from webapp.extensions import db
from webapp.http.access import admin_required, current_actor
from webapp.http.paging import page_number
from webapp.http.public_url import base_url
from webapp.services import connectors as service
from webapp.services import webhooks
from webapp.services.errors import ServiceError
from webapp.web.connectors import bp
from webapp.web.forms import ConfirmForm


@bp.route("/connectors/<id:connector_id>/webhook/rotate", methods=["GET", "POST"])
@admin_required
def webhook_rotate(connector_id: int):
    """GET asks for confirmation; POST generates the secret and shows it on this response
    only (never flashed: the session cookie is signed, not encrypted)."""
    connector = service.get_connector(connector_id)
    form = ConfirmForm()
    status = webhooks.webhook_status(connector, base_url())
    if form.validate_on_submit():
        try:
            hook, secret = webhooks.rotate_secret(current_actor(), connector)
        except ServiceError as error:
            flash(error.message, "warning")
            return redirect(url_for("connectors.detail", connector_id=connector.id))
        response = make_response(
            render_template(
                "connectors/webhook_secret.html",
                connector=connector,
                webhook=webhooks.webhook_status(connector, base_url()),
                secret=secret,
                rotated=status.configured,
            )
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template(
        "connectors/webhook_rotate.html", connector=connector, webhook=status, form=form
    )


@bp.route("/connectors/<id:connector_id>/webhook/events")
def webhook_events(connector_id: int):
    connector = service.get_connector(connector_id)
    pagination = db.paginate(
        webhooks.events_query(connector),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "connectors/webhook_events.html",
        connector=connector,
        webhook=webhooks.webhook_status(connector, base_url()),
        pagination=pagination,
    )
