"""Notification channel pages (administrators): list, create, view, edit, delete with
confirmation, and "Send test notification"."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webapp.extensions import db
from webapp.http.access import admin_required, current_actor
from webapp.http.request_input import unstorable_text_message
from webapp.models import Connector
from webapp.services import notification_channels as service
from webapp.services.connectors import connector_choices
from webapp.services.delivery_worker import worker_state
from webapp.services.errors import NotFound, ServiceError, ValidationFailed
from webapp.services.notifications import EVENTS, TEST
from webapp.web.forms import ConfirmForm
from webapp.web.notifications import bp
from webapp.web.notifications.forms import ALL, CHOSEN, ChannelForm

EVENT_LABELS = {**EVENTS, TEST: "Test notification"}


@bp.before_request
@admin_required
def only_admins():
    """Every page here is for administrators."""


def connector_search() -> str:
    """The picker's search text; text no database can store searches for nothing (the
    form says why beside the search box)."""
    search = request.values.get("connector_q", "").strip()[:100]
    return "" if unstorable_text_message(search) else search


def render_form(form: ChannelForm, channel, chosen: list[Connector]):
    search = connector_search()
    return render_template(
        "notifications/form.html",
        form=form,
        channel=channel,
        chosen=chosen,
        choices=connector_choices(search),
        connector_search_text=search,
        # After a search without JavaScript: the typed URL is not echoed into the page.
        url_retype=searching() and bool(form.url.data),
    )


def check_search(form: ChannelForm) -> None:
    """A search submits the form without saving it: its input is checked all the same."""
    if searching():
        form.validate()


def posted_connectors(form: ChannelForm) -> list[Connector]:
    ids = form.chosen_ids()
    if not ids:
        return []
    return list(db.session.scalars(db.select(Connector).where(Connector.id.in_(ids))))


def searching() -> bool:
    """The no-JavaScript connector search submits the form without saving it."""
    return request.method == "POST" and "search_connectors" in request.form


@bp.route("/notifications")
def index():
    channels = db.session.scalars(service.channels_query()).all()
    return render_template(
        "notifications/index.html", channels=channels, events=EVENTS, worker=worker_state()
    )


@bp.route("/notifications/new", methods=["GET", "POST"])
def new():
    form = ChannelForm()
    if request.method == "GET":
        form.events.data = list(EVENTS)
    check_search(form)
    if not searching() and form.validate_on_submit():
        try:
            channel = service.create_channel(current_actor(), form.changes(editing=False))
        except ValidationFailed as error:
            form.add_errors(error.errors)
        else:
            flash(f"Notification channel “{channel.name}” created.", "success")
            return redirect(url_for("notifications.detail", channel_id=channel.id))
    return render_form(form, None, posted_connectors(form))


@bp.route("/notifications/<id:channel_id>")
def detail(channel_id: int):
    channel = service.get_channel(channel_id)
    return render_template(
        "notifications/detail.html",
        channel=channel,
        events=EVENT_LABELS,
        recent=service.recent_notifications(channel),
        can_resend=service.can_resend,
        url_ok=service.url_readable(channel),
        worker=worker_state(),
        confirm=ConfirmForm(),
    )


@bp.route("/notifications/<id:channel_id>/edit", methods=["GET", "POST"])
def edit(channel_id: int):
    channel = service.get_channel(channel_id)
    form = ChannelForm(
        data={
            "name": channel.name,
            "events": list(channel.events or []),
            "connectors": ALL if channel.all_connectors else CHOSEN,
            "enabled": channel.enabled,
        }
    )
    check_search(form)
    chosen = posted_connectors(form) if request.method == "POST" else list(channel.connectors)
    if not searching() and form.validate_on_submit():
        try:
            service.update_channel(current_actor(), channel, form.changes(editing=True))
        except ValidationFailed as error:
            db.session.rollback()
            form.add_errors(error.errors)
        else:
            flash(f"Notification channel “{channel.name}” saved.", "success")
            return redirect(url_for("notifications.detail", channel_id=channel.id))
    return render_form(form, channel, chosen)


@bp.route("/notifications/<id:channel_id>/delete", methods=["GET", "POST"])
def delete(channel_id: int):
    channel = service.get_channel(channel_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = channel.name
        service.delete_channel(current_actor(), channel)
        flash(f"Notification channel “{name}” deleted.", "success")
        return redirect(url_for("notifications.index"))
    return render_template("notifications/delete.html", channel=channel, form=form)


@bp.route("/notifications/<id:channel_id>/test", methods=["POST"])
def test(channel_id: int):
    channel = service.get_channel(channel_id)
    if ConfirmForm().validate_on_submit():
        service.queue_test(current_actor(), channel)
        if not channel.enabled:
            flash("Test notification queued; it is sent once the channel is enabled.", "warning")
        elif worker_state().running:
            flash("Test notification queued: the delivery worker sends it in a moment.", "info")
        else:
            flash(
                "Test notification queued, but no delivery worker is running: start "
                "`flask tickets deliver --loop` (or `make run`) to send it.",
                "warning",
            )
    return redirect(url_for("notifications.detail", channel_id=channel.id))


@bp.route(
    "/notifications/<id:channel_id>/notifications/<id:notification_id>/resend", methods=["POST"]
)
def resend(channel_id: int, notification_id: int):
    """Send a notification that failed for good, or whose outcome is uncertain, again."""
    channel = service.get_channel(channel_id)
    if ConfirmForm().validate_on_submit():
        try:
            service.resend(current_actor(), channel, notification_id)
        except NotFound:
            raise
        except ServiceError as error:
            flash(error.message, "warning")
        else:
            flash("The notification is queued to be sent again.", "info")
    return redirect(url_for("notifications.detail", channel_id=channel.id))
