"""Connector pages: list, pick a system, create, view, edit, clone, disable, delete."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for

from webapp.extensions import db
from webapp.services import connectors as service
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.secrets import secrets_readable
from webapp.services.systems import get_system, registry
from webapp.services.tickets import sync_labels as sync_category_labels
from webapp.services.tickets import undelivered_count
from webapp.systems import params_schema
from webapp.web.access import admin_required, current_actor
from webapp.web.connectors import bp
from webapp.web.connectors.forms import connector_form_class, initial_data
from webapp.web.paging import page_number
from webapp.web.users.forms import ConfirmForm


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
        service.connectors_query(search, system_id),
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
    connector = service.get_connector(connector_id)
    return render_template(
        "connectors/detail.html",
        connector=connector,
        system=get_system(connector.system_id),
        secrets_ok=secrets_readable(connector),
        confirm=ConfirmForm(),
    )


@bp.route("/connectors/<id:connector_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(connector_id: int):
    connector = service.get_connector(connector_id)
    system = get_system(connector.system_id)
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
    return render_form(form, system, connector, "edit", secrets_ok=secrets_readable(connector))


@bp.route("/connectors/<id:connector_id>/clone", methods=["GET", "POST"])
@admin_required
def clone(connector_id: int):
    source = service.get_connector(connector_id)
    system = get_system(source.system_id)
    form_class = connector_form_class(system)
    form = form_class(data=initial_data(source, system, name=f"Copy of {source.name}"[:100]))
    if form.validate_on_submit():
        changes = form.changes()
        changes.expected_version = None
        try:
            connector = service.create_connector(
                current_actor(),
                system.id,
                changes,
                clone_of=source if form.copy_secrets.data else None,
            )
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            flash(f"Connector “{connector.name}” created as a copy of “{source.name}”.", "success")
            return redirect(url_for("connectors.detail", connector_id=connector.id))
    return render_form(form, system, source, "clone", secrets_ok=True)


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
    connector = service.get_connector(connector_id)
    if ConfirmForm().validate_on_submit():
        service.set_disabled(current_actor(), connector, not connector.disabled)
        state = "disabled" if connector.disabled else "enabled"
        flash(f"Connector “{connector.name}” {state}.", "success")
    return redirect(url_for("connectors.detail", connector_id=connector.id))


@bp.route("/systems/<system_id>/schema.json")
def system_schema(system_id: str):
    return jsonify(params_schema(get_system(system_id)))


@bp.route("/connectors/<id:connector_id>/sync-labels", methods=["POST"])
@admin_required
def sync_labels(connector_id: int):
    connector = service.get_connector(connector_id)
    outcomes, error = [], None
    if ConfirmForm().validate_on_submit():
        try:
            outcomes = sync_category_labels(current_actor(), connector)
        except ServiceError as failure:
            error = failure.message
        if not outcomes and error is None:
            error = "This connector has no categories: add them on its edit page."
    return render_template(
        "connectors/detail.html",
        connector=connector,
        system=get_system(connector.system_id),
        secrets_ok=secrets_readable(connector),
        confirm=ConfirmForm(),
        label_outcomes=outcomes,
        label_error=error,
    )
