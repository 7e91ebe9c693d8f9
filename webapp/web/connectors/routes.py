"""Connector pages: list, pick a system, create, view, edit, clone, disable, delete."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from webapp.extensions import db
from webapp.http.access import admin_required, current_actor
from webapp.http.paging import page_number
from webapp.http.public_url import base_url
from webapp.http.request_input import query_id
from webapp.schema.jsonschema import params_schema
from webapp.services import connectors as service
from webapp.services import webhooks
from webapp.services.connector_sessions import connector_session
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.outbox_stats import undelivered_count
from webapp.services.systems import get_system, registry
from webapp.services.tickets import sync_labels as sync_category_labels
from webapp.services.tickets import usable_connector_choices
from webapp.services.triage import TRIAGE_OFF, triage_mode, triage_sweep
from webapp.web.auth.routes import safe_next_url
from webapp.web.connectors import bp
from webapp.web.connectors.forms import connector_form_class, initial_data
from webapp.web.forms import AvailabilityForm, ConfirmForm


def render_form(form, system, connector, mode: str, **extra):
    """The new / edit / copy page (also after a test without JavaScript)."""
    form.pad_categories()
    return render_template(
        "connectors/form.html", form=form, system=system, connector=connector, mode=mode, **extra
    )


@bp.route("/connectors/")
def index():
    search = request.args.get("q", "").strip()[:100]
    system_id = request.args.get("system", "")
    pagination = db.paginate(
        service.connector_rows_query(search, system_id),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "connectors/index.html",
        pagination=pagination,
        search=search,
        system_id=system_id,
        systems=registry().all(),
    )


#: The empty first option of a picker: ``any=1`` filters by none, ``add=1`` adds none.
CHOICE_BLANKS = {"any": "All connectors", "add": "— add a connector —"}


@bp.route("/connectors/choices")
def choices():
    """A connector picker's options as an HTML fragment (htmx typeahead): one bounded page
    of the connectors matching ``connector_q``; ``usable=1`` keeps those a ticket can use,
    ``any=1`` starts with "All connectors" (``add=1``: "— add a connector —"),
    ``connector`` is the one chosen now."""
    search = request.args.get("connector_q", "").strip()[:100]
    selected = query_id("connector")
    if request.args.get("usable") == "1":
        found = usable_connector_choices(search, page_number(), selected)
    else:
        found = service.connector_choices(search, page_number(), selected)
    return render_template(
        "connectors/_choices.html",
        choices=found,
        selected=selected,
        any_label=next(
            (label for key, label in CHOICE_BLANKS.items() if request.args.get(key) == "1"), None
        ),
    )


@bp.route("/connectors/new")
@admin_required
def pick_system():
    return render_template("connectors/pick_system.html", systems=registry().all())


@bp.route("/connectors/new/<system_id>", methods=["GET", "POST"])
@admin_required
def new(system_id: str):
    system = get_system(system_id)
    form = connector_form_class(system)()
    if form.validate_on_submit():
        try:
            connector = service.create_connector(current_actor(), system.id, form.changes())
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            flash(f"Connector “{connector.name}” created.", "success")
            return redirect(url_for("connectors.detail", connector_id=connector.id))
    return render_form(form, system, None, "new", secrets_ok=True)


@bp.route("/connectors/<id:connector_id>")
def detail(connector_id: int):
    session = connector_session(connector_id)
    return render_template(
        "connectors/detail.html",
        connector=session.connector,
        system=session.system,
        secrets_ok=session.secrets_readable,
        confirm=ConfirmForm(),
        **webhook_context(session.connector),
        triage_on=triage_mode(session.connector) != TRIAGE_OFF,
    )


def webhook_context(connector) -> dict:
    """The Webhook card of the connector page: its state and the latest events."""
    return {
        "webhook": webhooks.webhook_status(connector, base_url()),
        "webhook_events": webhooks.recent_events(connector),
    }


@bp.route("/connectors/<id:connector_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(connector_id: int):
    session = connector_session(connector_id)
    connector, system = session.connector, session.system
    form_class = connector_form_class(system)
    form = form_class(data=initial_data(connector, system))
    if form.validate_on_submit():
        try:
            service.update_connector(current_actor(), connector, form.changes())
        except service.StaleEdit as error:
            flash(error.message, "warning")
            form = form_class(formdata=None, data=initial_data(connector, system))
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            flash(f"Connector “{connector.name}” saved.", "success")
            return redirect(url_for("connectors.detail", connector_id=connector.id))
    return render_form(form, system, connector, "edit", secrets_ok=session.secrets_readable)


@bp.route("/connectors/<id:connector_id>/clone", methods=["GET", "POST"])
@admin_required
def clone(connector_id: int):
    session = connector_session(connector_id)
    source, system = session.connector, session.system
    form_class = connector_form_class(system)
    form = form_class(data=initial_data(source, system, name=f"Copy of {source.name}"[:100]))
    if form.validate_on_submit():
        changes = form.changes()
        changes.expected_version = None
        try:
            connector = service.create_connector(
                current_actor(), system.id, changes, clone_of=source
            )
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            flash(f"Connector “{connector.name}” created as a copy of “{source.name}”.", "success")
            return redirect(url_for("connectors.detail", connector_id=connector.id))
    return render_form(form, system, source, "clone", secrets_ok=session.secrets_readable)


@bp.route("/connectors/<id:connector_id>/delete", methods=["GET", "POST"])
@admin_required
def delete(connector_id: int):
    connector = service.get_connector(connector_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = connector.name
        try:
            service.delete_connector(current_actor(), connector)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"Connector “{name}” deleted.", "success")
            return redirect(url_for("connectors.index"))
    return render_template(
        "connectors/delete.html",
        connector=connector,
        form=form,
        undelivered=undelivered_count(connector),
    )


@bp.route("/connectors/<id:connector_id>/disabled", methods=["POST"])
@admin_required
def toggle_disabled(connector_id: int):
    """Disable or enable; the buttons send the state they ask for, so a button on a
    stale page (the connector changed meanwhile) never does the opposite of its label."""
    connector = service.get_connector(connector_id)
    form = AvailabilityForm()
    if form.validate_on_submit():
        wanted = {"1": True, "0": False}.get(form.disabled.data or "")
        if wanted is None:
            wanted = not connector.disabled
        if wanted != connector.disabled:
            service.set_disabled(current_actor(), connector, wanted)
        state = "disabled" if connector.disabled else "enabled"
        flash(f"Connector “{connector.name}” {state}.", "success")
    elif form.errors:
        abort(400, " ".join(form.form_errors) or "The request could not be read.")
    if form.next.data:
        return redirect(safe_next_url(form.next.data))
    return redirect(url_for("connectors.detail", connector_id=connector.id))


@bp.route("/systems/<system_id>/schema.json")
def system_schema(system_id: str):
    return jsonify(params_schema(get_system(system_id)))


#: How each label outcome is announced after a sync: flash category and wording.
LABEL_OUTCOME_FLASHES = {
    "created": ("success", "Labels created on the tracker"),
    "exists": ("info", "Labels already on the tracker"),
    "failed": ("warning", "Labels that could not be created"),
}
#: Distinct reasons quoted per outcome; they tend to repeat (one per label, same cause).
LABEL_REASONS_SHOWN = 3


def flash_label_outcomes(outcomes) -> None:
    """One message per outcome, naming its labels and its distinct reasons."""
    for status, (category, text) in LABEL_OUTCOME_FLASHES.items():
        matching = [outcome for outcome in outcomes if outcome.status == status]
        if not matching:
            continue
        reasons = list(dict.fromkeys(o.message for o in matching if o.message))
        shown = reasons[:LABEL_REASONS_SHOWN]
        if len(reasons) > len(shown):
            shown.append(f"(And {len(reasons) - len(shown)} more.)")
        names = ", ".join(outcome.name for outcome in matching)
        flash(" ".join([f"{text}: {names}.", *shown]), category)


@bp.route("/connectors/<id:connector_id>/sync-labels", methods=["POST"])
@admin_required
def sync_labels(connector_id: int):
    """Post/redirect/get: the outcome is flashed, so reloading the page repeats nothing."""
    connector = service.get_connector(connector_id)
    if ConfirmForm().validate_on_submit():
        try:
            outcomes = sync_category_labels(current_actor(), connector)
        except ServiceError as failure:
            flash(failure.message, "warning")
        else:
            flash_label_outcomes(outcomes)
            if not outcomes:
                flash("This connector has no categories: add them on its edit page.", "warning")
    return redirect(url_for("connectors.detail", connector_id=connector.id))


@bp.route("/connectors/<id:connector_id>/triage", methods=["POST"])
@admin_required
def triage(connector_id: int):
    """Triage the open issues now (or, with ``dry_run=1``, show what it would do)."""
    connector = service.get_connector(connector_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("connectors.detail", connector_id=connector.id))
    try:
        report = triage_sweep(
            current_actor(), connector, dry_run=request.form.get("dry_run") == "1"
        )
    except ServiceError as failure:
        flash(failure.message, "warning")
        return redirect(url_for("connectors.detail", connector_id=connector.id))
    return render_template("connectors/triage.html", connector=connector, report=report)
