"""Test connection: saved connectors, and the unsaved values of the connector forms.

With htmx the result comes back as a fragment under the button; without JavaScript the
whole page is rendered again with the result, so the button works either way.
"""

from __future__ import annotations

from flask import render_template, request

from webapp.http.access import admin_required, current_actor
from webapp.services import connection_tests
from webapp.services.connector_sessions import ConnectorSession, connector_session
from webapp.services.errors import ValidationFailed
from webapp.services.systems import get_system
from webapp.trackers.system import System
from webapp.web.connectors import bp
from webapp.web.connectors.forms import ConnectorForm, connector_form_class
from webapp.web.connectors.routes import render_form, webhook_context
from webapp.web.forms import ConfirmForm


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def error_lines(system: System, errors: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(form field name, label, message) for validation errors shown beside a test
    result; static/app.js marks the named fields, replacing errors of an earlier save."""
    lines = []
    for key, messages in errors.items():
        name = key.removeprefix("params.")
        label = system.field(name).label if system.has_field(name) else name.capitalize()
        lines.extend((name.replace(".", "-"), label, message) for message in messages)
    return lines


def test_form_values(
    form: ConnectorForm,
    system: System,
    mode: str,
    session: ConnectorSession | None,
    **extra,
):
    """Test the form's values; in edit and copy mode, blank secrets are ``session``'s.
    ``extra`` goes to the page rendered without JavaScript (render_form)."""
    connector = session.connector if session else None
    changes = form.changes()
    result, errors, refused = None, {}, []
    # The form checks only what no database can store (e.g. NUL); the service the rest.
    if not form.validate():
        refused = form.error_lines()
    else:
        try:
            result = connection_tests.test_unsaved(
                current_actor(),
                system.id,
                changes.name,
                changes.params,
                connector,
                inaccessible=changes.inaccessible,
                clear_secrets=changes.clear_secrets,
            )
        except ValidationFailed as error:
            errors = error.errors
    lines = refused + error_lines(system, errors)
    if is_htmx():
        return render_template("connectors/_check_result.html", result=result, errors=lines)
    form.add_errors(errors)
    # Saving from this page must send what was typed, so typed secrets go back into the
    # form (blank ones stay blank: a stored secret is never put in the page).
    form.keep_typed_secrets()
    secrets_ok = session is None or session.secrets_readable
    return render_form(
        form,
        system,
        connector,
        mode,
        secrets_ok=secrets_ok,
        check_result=result,
        check_errors=lines,
        **extra,
    )


@bp.route("/connectors/new/<system_id>/test", methods=["POST"])
@admin_required
def test_new(system_id: str):
    system = get_system(system_id)
    return test_form_values(connector_form_class(system)(), system, "new", None)


@bp.route("/connectors/<id:connector_id>/edit/test", methods=["POST"])
@admin_required
def test_edit(connector_id: int):
    session = connector_session(connector_id)
    form = connector_form_class(session.system)()
    return test_form_values(form, session.system, "edit", session)


@bp.route("/connectors/<id:connector_id>/clone/test", methods=["POST"])
@admin_required
def test_clone(connector_id: int):
    session = connector_session(connector_id)
    form = connector_form_class(session.system)()
    return test_form_values(form, session.system, "clone", session)


@bp.route("/connectors/<id:connector_id>/test", methods=["POST"])
def test_saved(connector_id: int):
    session = connector_session(connector_id)
    connector = session.connector
    result = connection_tests.test_saved(current_actor(), session)
    if is_htmx():
        if request.headers.get("HX-Target", "").startswith("health-"):
            return render_template("connectors/_health_cell.html", connector=connector)
        # The result, and out-of-band the header badge and "Last check" it changed.
        return render_template("connectors/_saved_check.html", result=result, connector=connector)
    return render_template(
        "connectors/detail.html",
        connector=connector,
        system=session.system,
        secrets_ok=session.secrets_readable,
        confirm=ConfirmForm(),
        check_result=result,
        **webhook_context(connector),
    )
