"""Ticket pages: raise a ticket through a connector, list them, follow their delivery."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.http.access import current_actor
from webapp.http.paging import page_number
from webapp.http.request_input import query_id
from webapp.models.ticket import STATUSES
from webapp.services import delivery
from webapp.services import tickets as service
from webapp.services.connector_sessions import ConnectorSession
from webapp.services.connectors import connector_choices
from webapp.services.delivery_worker import retry_plan
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.permissions import can_change_ticket
from webapp.services.required_fields import AskedFields, required_fields
from webapp.web.forms import ConfirmForm
from webapp.web.tickets import bp
from webapp.web.tickets.forms import initial_fields, ticket_form_class, with_tracker_fields

DELIVERED_MESSAGES = {
    "sent": ("success", "Ticket created on the tracker."),
    # Not the error itself: the page shows it once, in its banner. What happens next, though.
    "failed": ("warning", "The ticket is saved, but the tracker did not take it yet. {then}"),
}
#: What happens next to a failed ticket, by delivery_worker.retry_plan().
RETRY_PLANS = {
    "automatic": "It will be retried automatically, or use Retry.",
    "no-worker": "No delivery worker is running to retry it automatically: use Retry.",
    "manual": "It will not be retried automatically: fix the cause, then use Retry.",
}


def choose_connector():
    # The form's connector picker first, then the link's ?connector=, then the form's own.
    wanted = (
        request.form.get("connector", type=int)
        or request.args.get("connector", type=int)
        or request.form.get("connector_id", type=int)
    )
    wanted = wanted or (current_user.ticket_defaults or {}).get("connector_id")
    return service.usable_connector(wanted if isinstance(wanted, int) else None)


def connector_search() -> str:
    """The picker's search text (``?connector_q=``), bounded like the list searches."""
    return request.values.get("connector_q", "").strip()[:100]


def ticket_form(connector, data_for, bind: bool = True):
    """The connector's ticket form; ``data_for(system, schema)`` gives its starting values.

    ``bind=False`` ignores the posted form (it was another connector's form). The
    tracker's own required fields (Jira's, for the project and issue type chosen) are
    added for the values posted, else the starting ones."""
    system = ConnectorSession.of(connector).system
    schema = service.ticket_schema(system, service.needs_target(connector, system))
    data = {"connector_id": str(connector.id), **data_for(system, schema)}
    posted = request.form if bind and request.method == "POST" else {}
    context = {name: posted.get(name) or data.get(name) for name in system.required_fields_from}
    form_class = with_tracker_fields(
        ticket_form_class(schema),
        required_fields(connector, context) if system.required_fields_from else AskedFields(),
    )
    form = form_class(**({} if bind else {"formdata": None}), data=data)
    form.set_categories(connector)
    return system, form


def typed_text(connector) -> dict[str, str]:
    """What the posted form for another connector said that this connector's form has too:
    title, description, and the category if this connector has one of that name."""
    carried = {name: request.form.get(name, "") for name in ("title", "description")}
    category = request.form.get("category", "")
    if any(c.name == category for c in connector.categories):
        carried["category"] = category
    return carried


def flash_delivery(ticket, default: str) -> None:
    category, message = DELIVERED_MESSAGES.get(ticket.status, ("info", default))
    then = RETRY_PLANS[retry_plan(ticket)] if ticket.status == "failed" else ""
    flash(message.format(then=then).strip(), category)


def page_after_delivery(ticket, default: str):
    """Where a delivery from a form lands: the fields to fix, or the ticket."""
    flash_delivery(ticket, default)
    if ticket.tracker_errors:  # the tracker named fields: fix them where they are
        return redirect(url_for("tickets.edit", ticket_id=ticket.id))
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/tickets/new", methods=["GET", "POST"])
def new():
    connector = choose_connector()
    if connector is None:
        return render_template("tickets/new.html", connector=None, form=None)
    remembered = current_user.ticket_defaults or {}
    same_connector = remembered.get("connector_id") == connector.id
    # Posted for another connector: the admin switched connectors after typing. Start
    # this connector's form afresh, keeping what the two forms share.
    switched = request.method == "POST" and request.form.get("connector_id") != str(connector.id)

    def starting_values(system, schema):
        defaults = {
            **service.ticket_field_defaults(connector, system),
            **(remembered.get("fields") or {}).get(connector.system_id, {}),
        }
        return {
            "submission_token": service.new_submission_token(),
            "category": remembered.get("category", "") if same_connector else "",
            **initial_fields(schema, defaults),
            **(typed_text(connector) if switched else {}),
        }

    system, form = ticket_form(connector, starting_values, bind=not switched)
    if not switched and "switch_connector" not in request.form and form.validate_on_submit():
        try:
            ticket, is_new = service.create_ticket(current_actor(), form.request())
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            if not is_new:
                flash("This form was already submitted; here is the ticket it created.", "info")
                return redirect(url_for("tickets.detail", ticket_id=ticket.id))
            return page_after_delivery(
                delivery.deliver(ticket.id, current_actor()), "Ticket saved."
            )
    search = connector_search()
    return render_template(
        "tickets/new.html",
        choices=service.usable_connector_choices(search, selected=connector.id),
        connector_search_text=search,
        connector=connector,
        system=system,
        form=form,
    )


@bp.route("/tickets/required-fields")
def required_fields_part():
    """The tracker's required fields for the issue type and project now chosen (htmx,
    when they change on the ticket form)."""
    connector = service.usable_connector(query_id("connector_id"))
    if connector is None:
        return ""
    system, form = ticket_form(
        connector,
        lambda system, schema: {
            name: request.args.get(name, "")[:255] for name in system.required_fields_from
        },
        bind=False,
    )
    return render_template("tickets/_tracker_fields.html", form=form, system=system)


@bp.route("/tickets/")
def index():
    connector_id = query_id("connector")
    status = request.args.get("status", "")
    pagination = db.paginate(
        service.tickets_query(connector_id, status),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    search = connector_search()
    return render_template(
        "tickets/index.html",
        pagination=pagination,
        statuses=STATUSES,
        status=status,
        connector_id=connector_id,
        choices=connector_choices(search, selected=connector_id),
        connector_search_text=search,
    )


@bp.route("/tickets/<id:ticket_id>")
def detail(ticket_id: int):
    ticket = service.get_ticket(ticket_id)
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        confirm=ConfirmForm(),
        can_change=can_change_ticket(current_actor(), ticket),
    )


@bp.route("/tickets/<id:ticket_id>/retry", methods=["POST"])
def retry(ticket_id: int):
    ticket = service.ticket_to_change(current_actor(), ticket_id)
    if ConfirmForm().validate_on_submit():
        try:
            ticket = delivery.retry(current_actor(), ticket)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash_delivery(ticket, "Retried.")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/tickets/<id:ticket_id>/discard", methods=["POST"])
def discard(ticket_id: int):
    ticket = service.ticket_to_change(current_actor(), ticket_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.discard(current_actor(), ticket)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash("Ticket discarded: it will not be delivered.", "info")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@bp.route("/tickets/<id:ticket_id>/edit", methods=["GET", "POST"])
def edit(ticket_id: int):
    """Fix what the tracker refused, next to the field it named, then send again."""
    ticket = service.ticket_to_change(current_actor(), ticket_id)
    connector = ticket.connector
    if connector is None or ticket.status not in ("pending", "failed"):
        flash("Only undelivered tickets whose connector still exists can be edited.", "warning")
        return redirect(url_for("tickets.detail", ticket_id=ticket.id))
    system, form = ticket_form(
        connector,
        lambda system, schema: {
            "title": ticket.title,
            "description": ticket.description,
            "category": ticket.category or "",
            **initial_fields(schema, {**ticket.fields, "target": ticket.target}),
        },
    )
    if form.validate_on_submit():
        try:
            service.revise_ticket(current_actor(), ticket, form.request())
        except (ValidationFailed, ServiceError) as error:
            form.add_errors(getattr(error, "errors", {"": [error.message]}))
        else:
            return page_after_delivery(delivery.retry(current_actor(), ticket), "Retried.")
    elif request.method == "GET" and ticket.tracker_errors:
        form.add_errors(ticket.tracker_errors)
    return render_template(
        "tickets/edit.html", ticket=ticket, connector=connector, system=system, form=form
    )
