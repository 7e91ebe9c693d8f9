"""Ticket pages: raise a ticket through a connector, list them, follow their delivery."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.models.ticket import STATUSES
from webapp.services import delivery
from webapp.services import tickets as service
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.systems import get_system
from webapp.web.paging import page_number
from webapp.web.tickets import bp
from webapp.web.tickets.forms import initial_fields, ticket_form_class
from webapp.web.users.forms import ConfirmForm

DELIVERED_MESSAGES = {
    "sent": ("success", "Ticket created on the tracker."),
    "failed": (
        "warning",
        "The ticket is saved, but the tracker did not take it yet: {error} "
        "It will be retried automatically, or use Retry.",
    ),
}


def actor():
    return current_user._get_current_object()


def choose_connector(connectors):
    wanted = request.values.get("connector", type=int) or request.form.get("connector_id", type=int)
    wanted = wanted or (current_user.ticket_defaults or {}).get("connector_id")
    return next((c for c in connectors if c.id == wanted), connectors[0] if connectors else None)


@bp.route("/tickets/new", methods=["GET", "POST"])
def new():
    connectors = service.usable_connectors()
    connector = choose_connector(connectors)
    if connector is None:
        return render_template("tickets/new.html", connectors=[], connector=None, form=None)
    system = get_system(connector.system_id)
    schema = service.ticket_schema(system, service.needs_target(connector, system))
    form_class = ticket_form_class(schema)
    remembered = current_user.ticket_defaults or {}
    defaults = {
        **service.ticket_field_defaults(connector, system),
        **(remembered.get("fields") or {}).get(system.id, {}),
    }
    same_connector = remembered.get("connector_id") == connector.id
    form = form_class(
        data={
            "connector_id": str(connector.id),
            "submission_token": service.new_submission_token(),
            "category": remembered.get("category", "") if same_connector else "",
            **initial_fields(schema, defaults),
        }
    )
    form.set_categories(connector)
    if (
        request.method == "POST"
        and request.form.get("connector_id") == str(connector.id)
        and form.validate_on_submit()
    ):
        try:
            ticket, is_new = service.create_ticket(actor(), form.request())
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            if not is_new:
                flash("This form was already submitted; here is the ticket it created.", "info")
                return redirect(url_for("tickets.detail", ticket_id=ticket.id))
            ticket = delivery.deliver(ticket.id, actor())
            category, message = DELIVERED_MESSAGES.get(ticket.status, ("info", "Ticket saved."))
            flash(message.format(error=ticket.last_error or ""), category)
            if ticket.tracker_errors:  # the tracker named fields: fix them where they are
                return redirect(url_for("tickets.edit", ticket_id=ticket.id))
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    return render_template(
        "tickets/new.html", connectors=connectors, connector=connector, system=system, form=form
    )


@bp.route("/tickets/")
def index():
    connector_id = request.args.get("connector", type=int)
    status = request.args.get("status", "")
    pagination = db.paginate(
        service.tickets_query(connector_id, status),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    from webapp.services.connectors import connectors_query

    return render_template(
        "tickets/index.html",
        pagination=pagination,
        statuses=STATUSES,
        status=status,
        connector_id=connector_id,
        connectors=db.session.scalars(connectors_query()).all(),
    )


@bp.route("/tickets/<int:ticket_id>")
def detail(ticket_id: int):
    return render_template(
        "tickets/detail.html", ticket=service.get_ticket(ticket_id), confirm=ConfirmForm()
    )


@bp.route("/tickets/<int:ticket_id>/retry", methods=["POST"])
def retry(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    if ConfirmForm().validate_on_submit():
        try:
            ticket = delivery.retry(actor(), ticket)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            category, message = DELIVERED_MESSAGES.get(ticket.status, ("info", "Retried."))
            flash(message.format(error=ticket.last_error or ""), category)
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/tickets/<int:ticket_id>/discard", methods=["POST"])
def discard(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.discard(actor(), ticket)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash("Ticket discarded: it will not be delivered.", "info")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/tickets/<int:ticket_id>/edit", methods=["GET", "POST"])
def edit(ticket_id: int):
    """Fix what the tracker refused, next to the field it named, then send again."""
    ticket = service.get_ticket(ticket_id)
    connector = ticket.connector
    if connector is None or ticket.status not in ("pending", "failed"):
        flash("Only undelivered tickets whose connector still exists can be edited.", "warning")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    system = get_system(connector.system_id)
    schema = service.ticket_schema(system, service.needs_target(connector, system))
    form = ticket_form_class(schema)(
        data={
            "connector_id": str(connector.id),
            "title": ticket.title,
            "description": ticket.description,
            "category": ticket.category or "",
            **initial_fields(schema, {**ticket.fields, "target": ticket.target}),
        }
    )
    form.set_categories(connector)
    if form.validate_on_submit():
        try:
            service.revise_ticket(actor(), ticket, form.request())
        except (ValidationFailed, ServiceError) as error:
            form.add_errors(getattr(error, "errors", {"": [error.message]}))
        else:
            ticket = delivery.retry(actor(), ticket)
            category, message = DELIVERED_MESSAGES.get(ticket.status, ("info", "Retried."))
            flash(message.format(error=ticket.last_error or ""), category)
            if ticket.tracker_errors:
                return redirect(url_for("tickets.edit", ticket_id=ticket.id))
            return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    elif request.method == "GET" and ticket.tracker_errors:
        form.add_errors(ticket.tracker_errors)
    return render_template(
        "tickets/edit.html", ticket=ticket, connector=connector, system=system, form=form
    )
