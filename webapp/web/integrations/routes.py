"""The Discord integration page (admins) and Discord's interactions endpoint (signed)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for

from webapp.extensions import csrf
from webapp.http.access import admin_required, current_actor, public
from webapp.services.discord import interactions
from webapp.services.discord import settings as service
from webapp.services.discord.signatures import InvalidInteraction
from webapp.services.errors import ServiceError, ValidationFailed
from webapp.services.tickets import usable_connector_choices
from webapp.web.forms import ConfirmForm
from webapp.web.integrations import bp
from webapp.web.integrations.forms import DiscordRouteForm, DiscordSettingsForm, add_errors


def connector_search() -> str:
    return request.values.get("connector_q", "").strip()[:100]


@bp.route("/integrations/discord", methods=["GET", "POST"])
@admin_required
def discord_settings():
    row = service.integration_or_blank()
    form = DiscordSettingsForm.for_integration(row)  # a POST binds what was posted instead
    if form.validate_on_submit():
        try:
            service.configure(current_actor(), form.changes())
        except ValidationFailed as error:
            add_errors(form, error.errors)
        else:
            flash("Discord settings saved.", "success")
            return redirect(url_for("integrations.discord_settings"))
    search = connector_search()
    return render_template(
        "integrations/discord.html",
        form=form,
        integration=row,
        choices=usable_connector_choices(search, selected=form.connector.data),
        connector_search_text=search,
        endpoint_url=url_for("integrations.discord_interactions", _external=True),
        confirm=ConfirmForm(),
    )


@bp.route("/integrations/discord/mappings/new", methods=["GET", "POST"])
@admin_required
def new_discord_route():
    form = DiscordRouteForm()
    if form.validate_on_submit():
        try:
            service.add_route(
                current_actor(), form.kind.data, form.discord_id.data or "", form.connector.data
            )
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except ServiceError as error:
            flash(error.message, "danger")
            return redirect(url_for("integrations.discord_settings"))
        else:
            flash("Mapping added.", "success")
            return redirect(url_for("integrations.discord_settings"))
    search = connector_search()
    return render_template(
        "integrations/discord_route.html",
        form=form,
        choices=usable_connector_choices(search, selected=form.connector.data),
        connector_search_text=search,
    )


@bp.route("/integrations/discord/mappings/<id:route_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_discord_route(route_id: int):
    route = service.get_route(route_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_route(current_actor(), route_id)
        flash("Mapping removed.", "success")
        return redirect(url_for("integrations.discord_settings"))
    return render_template("integrations/discord_route_delete.html", route=route, form=form)


@bp.route("/integrations/discord/interactions", methods=["POST"])
@public
@csrf.exempt
def discord_interactions():
    """Discord's signed POSTs: no session, no CSRF token; the signature is the check."""
    try:
        interactions.verify_request(request.headers, request.get_data(cache=True))
    except InvalidInteraction as error:
        return jsonify(error=str(error)), 401
    try:
        return jsonify(interactions.answer(request.get_json(silent=True)))
    except interactions.InvalidPayload as error:
        return jsonify(error=str(error)), 400
