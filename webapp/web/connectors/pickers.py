"""Pickers: choices from the tracker under a field, as an htmx fragment.

On a connector form the whole form is posted (its unsaved values; administrators
only); on the ticket form the saved connector's choices are asked with a GET. The
fragment is a list of buttons that fill the field (static/app.js); without
JavaScript none of this is asked and the field stays a plain text field.
"""

from __future__ import annotations

from flask import render_template, request

from webapp.http.access import admin_required, current_actor
from webapp.services import pickers as service
from webapp.services.connector_sessions import connector_session
from webapp.services.connectors import get_connector
from webapp.services.systems import get_system
from webapp.web.connectors import bp
from webapp.web.connectors.forms import connector_form_class

PAGE_PARAM = "picker_page"


def picker_page() -> int:
    value = request.values.get(PAGE_PARAM, "1")
    return int(value) if value.isdigit() and len(value) < 5 else 1


def render_answer(answer, url: str, method: str):
    return render_template(
        "connectors/_picker_choices.html",
        answer=answer,
        url=url,
        method=method,
        page_param=PAGE_PARAM,
    )


def form_answer(system, connector, name: str):
    form = connector_form_class(system)()
    changes = form.changes()
    return service.form_choices(
        current_actor(),
        system,
        changes.params,
        name,
        page=picker_page(),
        based_on=connector,
        inaccessible=changes.inaccessible,
        clear_secrets=changes.clear_secrets,
    )


@bp.route("/connectors/new/<system_id>/choices/<field_name>", methods=["POST"])
@admin_required
def new_choices(system_id: str, field_name: str):
    system = get_system(system_id)
    return render_answer(form_answer(system, None, field_name), request.path, "post")


@bp.route("/connectors/<id:connector_id>/edit/choices/<field_name>", methods=["POST"])
@admin_required
def edit_choices(connector_id: int, field_name: str):
    """Choices for a form based on a saved connector (edit, copy, restore): blank
    secrets are the stored ones, as when the form is saved."""
    session = connector_session(connector_id)
    answer = form_answer(session.system, session.connector, field_name)
    return render_answer(answer, request.path, "post")


@bp.route("/connectors/<id:connector_id>/ticket-choices/<field_name>")
def ticket_choices(connector_id: int, field_name: str):
    """A ticket field's choices (``?<field_name>=search&target=…``) with the saved connector."""
    answer = service.saved_choices(
        get_connector(connector_id),
        field_name,
        request.args.get(field_name, ""),
        picker_page(),
        {"target": request.args.get("target", "")[:255]},
        ticket_fields=True,
    )
    return render_answer(answer, request.path, "get")
