"""Connector history: versions, a side-by-side comparison of two, and restoring one.

Logic is in webapp.services.connector_history; restoring always adds a new version.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from webapp.extensions import db
from webapp.http.access import admin_required, current_actor
from webapp.http.paging import page_number
from webapp.http.request_input import query_id
from webapp.ids import parse_id
from webapp.services import connector_history as history
from webapp.services.connector_sessions import connector_session
from webapp.services.connectors import StaleEdit
from webapp.services.errors import NotFound, ValidationFailed
from webapp.web.connectors import bp
from webapp.web.connectors.forms import RestoreForm, connector_form_class, restore_data
from webapp.web.connectors.routes import render_form
from webapp.web.connectors.testing import test_form_values


@bp.route("/connectors/<id:connector_id>/history")
def history_page(connector_id: int):
    session = connector_session(connector_id)
    connector, system = session.connector, session.system
    pagination = db.paginate(
        history.versions_query(connector),
        page=page_number(),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    latest = history.latest_number(connector)
    left, right = query_id("a"), query_id("b")
    compared, rows = None, []
    if left and right:
        try:
            compared = (history.get_version(connector, left), history.get_version(connector, right))
        except NotFound as error:
            flash(error.message, "warning")
        else:
            rows = history.compare(connector, *compared)
    return render_template(
        "connectors/history.html",
        connector=connector,
        system=system,
        pagination=pagination,
        latest=latest,
        left=left or max(latest - 1, 1),
        right=right or latest,
        compared=compared,
        rows=rows,
        summary=lambda version: history.summary(system, version),
        via_words=history.via_words,
    )


@bp.route("/connectors/<id:connector_id>/history/<id:number>/restore", methods=["GET", "POST"])
@admin_required
def restore_version(connector_id: int, number: int):
    """A confirmation page; restoring goes to the form instead when a secret is needed."""
    session = connector_session(connector_id)
    connector, system = session.connector, session.system
    version = history.get_version(connector, number)
    needed = history.secrets_to_retype(system, connector, version)
    form = RestoreForm(data={"version": str(connector.version)})
    if form.validate_on_submit() and not needed:
        try:
            restored = history.restore_version(
                current_actor(), connector, number, expected_version=parse_id(form.version.data)
            )
        except StaleEdit as error:
            flash(error.message, "warning")
            return redirect(
                url_for("connectors.restore_version", connector_id=connector_id, number=number)
            )
        except ValidationFailed as error:
            for key, messages in error.errors.items():
                flash(f"{key}: {' '.join(messages)}", "danger")
        else:
            flash(
                f"Version {number} restored as version {restored.number} of “{connector.name}”.",
                "success",
            )
            return redirect(url_for("connectors.history_page", connector_id=connector.id))
    if form.is_submitted() and needed:
        return redirect(
            url_for("connectors.restore_form", connector_id=connector_id, number=number)
        )
    current = history.get_version(connector, history.latest_number(connector))
    return render_template(
        "connectors/restore.html",
        connector=connector,
        version=version,
        form=form,
        needed=[system.field(key.removeprefix("params.")).label for key in needed],
        rows=history.compare(connector, current, version),
    )


@bp.route("/connectors/<id:connector_id>/history/<id:number>/restore/form", methods=["GET", "POST"])
@admin_required
def restore_form(connector_id: int, number: int):
    """The edit form pre-filled with the version: for restores that need a secret typed."""
    session = connector_session(connector_id)
    connector, system = session.connector, session.system
    version = history.get_version(connector, number)
    form_class = connector_form_class(system)
    form = form_class(data=restore_data(history.form_values(version), connector, system))
    if form.validate_on_submit():
        try:
            restored = history.restore_from_form(current_actor(), connector, number, form.changes())
        except StaleEdit as error:
            flash(error.message, "warning")
            form = form_class(
                formdata=None, data=restore_data(history.form_values(version), connector, system)
            )
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            flash(
                f"Version {number} restored as version {restored.number} of “{connector.name}”.",
                "success",
            )
            return redirect(url_for("connectors.history_page", connector_id=connector.id))
    elif not form.is_submitted():
        form.add_errors(history.secrets_to_retype(system, connector, version))
    return render_form(
        form,
        system,
        connector,
        "restore",
        secrets_ok=session.secrets_readable,
        restoring=version,
    )


@bp.route("/connectors/<id:connector_id>/history/<id:number>/restore/form/test", methods=["POST"])
@admin_required
def restore_form_test(connector_id: int, number: int):
    """Test connection on the restore form: its values, blank secrets as when editing."""
    session = connector_session(connector_id)
    version = history.get_version(session.connector, number)
    form = connector_form_class(session.system)()
    return test_form_values(form, session.system, "restore", session, restoring=version)
