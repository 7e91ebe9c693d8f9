"""Ticket pages: raise a ticket through a connector, list them, follow their delivery."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.http.access import current_actor
from webapp.http.paging import page_number
from webapp.http.request_input import query_id
from webapp.models.ticket import STATUSES
from webapp.services import comments, delivery
from webapp.services import tickets as service
from webapp.services.connector_sessions import ConnectorSession
from webapp.services.connectors import connector_choices
from webapp.services.delivery_worker import retry_plan, worker_state
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.intake import submit
from webapp.services.permissions import can_change_ticket, can_converse
from webapp.services.required_fields import AskedFields, required_fields
from webapp.services.timeline import TIMELINE_CAP, last_state_change, ticket_timeline
from webapp.web.forms import ConfirmForm
from webapp.web.tickets import bp
from webapp.web.tickets.forms import (
    CommentForm,
    initial_fields,
    ticket_form_class,
    with_tracker_fields,
)

DELIVERED_MESSAGES = {
    "sent": ("success", "Ticket created on the tracker."),
    # Not the error itself: the page shows it once, in its banner. What happens next, though.
    "failed": ("warning", "The ticket is saved, but the tracker did not take it yet. {then}"),
}
#: Saved, and on its way without the page waiting for it (services.intake).
ACCEPTED_MESSAGES = {
    "slow": "The ticket is saved. The tracker is slow to answer, so it is being delivered "
    "in the background: this page shows the issue once it is there.",
    "queued": "The ticket is saved and queued: earlier tickets through this connector are "
    "waiting for the tracker, and the delivery worker sends them in turn.",
    "queued-no-worker": "The ticket is saved and queued behind earlier tickets through this "
    "connector, but no delivery worker is running: start one, or use Retry.",
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
            ticket, intake = submit(current_actor(), form.request())
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            if intake is None:
                flash("This form was already submitted; here is the ticket it created.", "info")
                return redirect(url_for("tickets.detail", ticket_id=ticket.id))
            if intake.accepted:
                no_worker = intake.outcome == "queued" and not worker_state().running
                flash(ACCEPTED_MESSAGES[intake.outcome + ("-no-worker" * no_worker)], "info")
                return redirect(url_for("tickets.detail", ticket_id=ticket.id))
            return page_after_delivery(intake.ticket, "Ticket saved.")
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
    return render_detail(service.get_ticket(ticket_id))


def render_detail(ticket, comment_form: CommentForm | None = None, status: int = 200):
    """The ticket page: its details, timeline and (when it may) the comment form."""
    comment_form = comment_form or CommentForm(formdata=None)
    system = ConnectorSession.of(ticket.connector).system if ticket.connector else None
    if system is not None:
        comment_form.offer(system)
    show_all = request.args.get("timeline") == "all"
    page = render_template(
        "tickets/detail.html",
        ticket=ticket,
        confirm=ConfirmForm(),
        can_change=can_change_ticket(current_actor(), ticket),
        can_converse=can_converse(current_actor(), ticket)
        and ticket.status == "sent"
        and bool(ticket.external_key)
        and system is not None,
        comment_form=comment_form,
        timeline=ticket_timeline(ticket, None if show_all else TIMELINE_CAP),
        tracker_change=last_state_change(ticket),
    )
    return page, status


def back_to(ticket):
    return redirect(url_for("tickets.detail", ticket_id=ticket.id, _anchor="timeline"))


@bp.route("/tickets/<id:ticket_id>/comments", methods=["POST"])
def add_comment(ticket_id: int):
    """Store the comment, try the tracker once (briefly), and say how it went; a form
    error shows the page again with the typed text."""
    ticket = service.get_ticket(ticket_id)
    comments.require_conversation(current_actor(), ticket)
    form = CommentForm()
    if ticket.connector is not None:
        form.offer(ConnectorSession.of(ticket.connector).system)
    if not form.validate_on_submit():
        return render_detail(ticket, form, 400)
    try:
        comment = comments.post_comment(
            current_actor(), ticket, form.body.data or "", internal=form.internal
        )
    except ValidationFailed as error:
        form.add_errors(error.errors)
        return render_detail(ticket, form, 400)
    except ServiceError as error:
        flash(error.message, "danger")
        return back_to(ticket)
    if comment.status == "sent":
        flash("Comment added to the issue.", "success")
    else:
        then = (
            "It will be retried automatically, or use Retry."
            if comment.next_attempt_at
            else "Fix the cause, then use Retry."
        )
        flash(f"The comment is saved, but the tracker did not take it yet. {then}", "warning")
    return back_to(ticket)


@bp.route("/tickets/<id:ticket_id>/comments/<id:comment_id>/retry", methods=["POST"])
def retry_comment(ticket_id: int, comment_id: int):
    ticket = service.get_ticket(ticket_id)
    comments.require_conversation(current_actor(), ticket)
    if ConfirmForm().validate_on_submit():
        try:
            comment = comments.retry_comment(
                current_actor(), comments.get_comment(ticket, comment_id)
            )
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            if comment.status == "sent":
                flash("Comment added to the issue.", "success")
            else:
                flash("The tracker did not take the comment yet.", "warning")
    return back_to(ticket)


def _change_state(ticket_id: int, state: str, done: str):
    ticket = service.get_ticket(ticket_id)
    comments.require_conversation(current_actor(), ticket)
    if ConfirmForm().validate_on_submit():
        try:
            comments.change_state(current_actor(), ticket, state)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(done, "success")
    return back_to(ticket)


@bp.route("/tickets/<id:ticket_id>/close", methods=["POST"])
def close(ticket_id: int):
    return _change_state(ticket_id, "closed", "The issue is closed on the tracker.")


@bp.route("/tickets/<id:ticket_id>/reopen", methods=["POST"])
def reopen(ticket_id: int):
    return _change_state(ticket_id, "open", "The issue is open again on the tracker.")


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
